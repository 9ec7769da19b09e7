use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage03_solution::run(&kindling_course::StageArgs::parse())
}
