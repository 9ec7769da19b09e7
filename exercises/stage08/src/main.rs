use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage08::run(&kindling_course::StageArgs::parse())
}
