use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage04::run(&kindling_course::StageArgs::parse())
}
