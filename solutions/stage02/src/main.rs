use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage02_solution::run(&kindling_course::StageArgs::parse())
}
