use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage10_solution::run(&kindling_course::StageArgs::parse())
}
