//! Prints the appendix's examples, or with `--write` stores them where the book
//! includes them (`cargo xtask book` does this).

fn main() -> anyhow::Result<()> {
    if std::env::args().any(|arg| arg == "--write") {
        appendix_metrics::write_sections(&appendix_metrics::output_dir())?;
    } else {
        for (_, text) in appendix_metrics::sections()? {
            println!("{text}");
        }
    }
    Ok(())
}
