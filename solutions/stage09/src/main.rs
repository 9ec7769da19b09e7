use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage09_solution::run(&kindling_course::StageArgs::parse())
}
