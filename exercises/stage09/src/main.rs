use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage09::run(&kindling_course::StageArgs::parse())
}
