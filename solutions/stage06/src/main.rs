use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage06_solution::run(&kindling_course::StageArgs::parse())
}
