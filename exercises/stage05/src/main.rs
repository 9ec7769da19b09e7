use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage05::run(&kindling_course::StageArgs::parse())
}
