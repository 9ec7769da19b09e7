//! Prints the appendices' experiments, or with `--write` stores them where the
//! book includes them (`cargo xtask book` does this).

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|arg| arg == "--write") {
        appendix_training::write_sections(&appendix_training::output_dir())?;
    } else {
        for (_, text) in appendix_training::sections()? {
            println!("{text}");
        }
    }
    Ok(())
}
