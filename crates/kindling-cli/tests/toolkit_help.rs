//! Every toolkit command, and every one of its flags, explains itself in `--help`.

#[allow(dead_code)] // Only the program runner is needed here.
mod support;

use support::{kindling, stdout};

#[test]
fn every_toolkit_command_and_flag_has_help() {
    let dir = tempfile::tempdir().unwrap();
    let top = stdout(&kindling(dir.path(), &["--help"]));
    for command in [
        vec!["metrics"],
        vec!["linreg"],
        vec!["lr-find"],
        vec!["read"],
        vec!["plot"],
        vec!["compare"],
        vec!["data", "apartments"],
    ] {
        assert!(
            top.contains(&format!("  {} ", command[0])),
            "{command:?} is not listed in: {top}"
        );
        let mut args = command.clone();
        args.push("--help");
        let output = kindling(dir.path(), &args);
        let help = stdout(&output);
        assert!(output.status.success(), "{command:?}");
        assert!(help.contains("Usage:"), "{command:?}: {help}");
        // Each flag or argument line: the name, then at least two spaces, then words.
        let entries: Vec<&str> = help
            .lines()
            .filter(|line| {
                let trimmed = line.trim_start();
                line.starts_with("  ") && (trimmed.starts_with('-') || trimmed.starts_with('['))
                    || trimmed.starts_with('<')
            })
            .collect();
        assert!(entries.len() >= 2, "{command:?}: {help}");
        for line in entries {
            let description = line.trim().split_once("  ").map(|(_, rest)| rest.trim());
            assert!(
                description.is_some_and(|text| !text.is_empty()),
                "{command:?}: no help text on `{line}`"
            );
        }
    }
}
