use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage05_solution::run(&kindling_course::StageArgs::parse())
}
