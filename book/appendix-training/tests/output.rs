//! The printouts the book includes are the ones this code prints now.

#[test]
fn the_books_printouts_are_up_to_date() {
    for (name, text) in appendix_training::sections().unwrap() {
        let path = appendix_training::output_dir().join(name);
        let stored = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            stored,
            text,
            "{} is out of date. Fix: run `cargo xtask book` (or `cargo run -p appendix-training -- --write`)",
            path.display()
        );
    }
}
