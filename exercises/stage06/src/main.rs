use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage06::run(&kindling_course::StageArgs::parse())
}
