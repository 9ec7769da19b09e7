use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage01::run(&kindling_course::StageArgs::parse())
}
