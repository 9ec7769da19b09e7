use clap::Parser;

fn main() -> anyhow::Result<()> {
    stage10::run(&kindling_course::StageArgs::parse())
}
