use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage08_solution::run(&kindling_course::StageArgs::parse())
}
