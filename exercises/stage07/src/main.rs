use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage07::run(&kindling_course::StageArgs::parse())
}
