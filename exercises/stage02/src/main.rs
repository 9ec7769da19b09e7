use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage02::run(&kindling_course::StageArgs::parse())
}
