use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage07_solution::run(&kindling_course::StageArgs::parse())
}
