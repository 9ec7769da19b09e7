use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage01_solution::run(&kindling_course::StageArgs::parse())
}
