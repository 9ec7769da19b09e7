use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage04_solution::run(&kindling_course::StageArgs::parse())
}
