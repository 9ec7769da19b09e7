use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage03::run(&kindling_course::StageArgs::parse())
}
