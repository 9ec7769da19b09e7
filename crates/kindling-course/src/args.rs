//! The command line every stage program takes.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::Parser;

use kindling::data::DataSource;

use crate::facts::DEFAULT_SEED;
use crate::profile::Profile;

/// Arguments of a stage program: `cargo run -p stage05 -- --profile check`.
#[derive(Debug, Clone, Parser)]
pub struct StageArgs {
    /// full (the run the book describes) or check (small and fast, what the checker runs).
    #[arg(long, value_enum, default_value_t = Profile::Full)]
    pub profile: Profile,
    /// Folder for this stage's results (default: runs/stageNN for a full run,
    /// runs/check/stageNN for a check run, where `cargo xtask check` keeps its copy).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Images: builtin, cifar10[:PATH] or folder:PATH.
    #[arg(long, default_value = "builtin")]
    pub dataset: DataSource,
    /// Seed for everything random.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// An identifier the checker passes and reads back, so that results left by an
    /// earlier run are never taken for this one.
    #[arg(long, hide = true)]
    pub run_id: Option<String>,
}

impl StageArgs {
    /// Arguments for a run from code (tests): the given profile and folder, the
    /// built-in data, the default seed.
    pub fn new(profile: Profile, out: impl Into<PathBuf>) -> Self {
        StageArgs {
            profile,
            out: Some(out.into()),
            dataset: DataSource::Builtin,
            seed: DEFAULT_SEED,
            run_id: None,
        }
    }

    /// The results folder for stage `number`, created if needed: `--out`, or
    /// [`default_out_dir`] for this profile.
    pub fn out_dir(&self, number: u8) -> std::io::Result<PathBuf> {
        let dir = self
            .out
            .clone()
            .unwrap_or_else(|| default_out_dir(number, self.profile));
        std::fs::create_dir_all(&dir)?;
        Ok(dir)
    }
}

/// The command line with each argument `@FILE` replaced by FILE's lines, one
/// argument a line. The checker hands a confined run its seed and folders this way,
/// in a file inside the run's own folder, never on a command line that other
/// processes could read.
pub fn with_argument_files(
    args: impl IntoIterator<Item = OsString>,
) -> Result<Vec<OsString>, String> {
    let mut expanded = Vec::new();
    for (position, arg) in args.into_iter().enumerate() {
        let file = arg
            .to_str()
            .filter(|_| position > 0)
            .and_then(|text| text.strip_prefix('@'));
        match file {
            Some(file) => {
                let text = std::fs::read_to_string(file).map_err(|e| {
                    format!(
                        "the argument file {file} cannot be read ({e}). Fix: write the arguments into it, one a line, or pass them directly"
                    )
                })?;
                expanded.extend(text.lines().map(OsString::from));
            }
            None => expanded.push(arg),
        }
    }
    Ok(expanded)
}

/// Where stage `number` writes without `--out`: `runs/stage08` for a full run,
/// `runs/check/stage08` for a check run, the folder `cargo xtask check` keeps its
/// copy of the check run in. A check run's read is based on the check folder, and
/// a full run never overwrites it.
pub fn default_out_dir(number: u8, profile: Profile) -> PathBuf {
    let slug = format!("stage{number:02}");
    match profile {
        Profile::Full => PathBuf::from("runs").join(slug),
        Profile::Check => PathBuf::from("runs").join("check").join(slug),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn an_argument_file_stands_for_its_lines() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("arguments.txt");
        std::fs::write(&file, "--profile\ncheck\n--seed\n77\n--out\nout\n").unwrap();
        let line = ["stage05".into(), format!("@{}", file.display()).into()];
        let args = StageArgs::parse_from(with_argument_files(line).unwrap());
        assert_eq!(args.seed, 77);
        assert_eq!(args.out, Some(PathBuf::from("out")));
        let missing = with_argument_files(["stage05".into(), "@nowhere.txt".into()]);
        assert!(missing.unwrap_err().contains("Fix:"));
    }

    #[test]
    fn a_check_run_and_a_full_run_write_into_different_folders() {
        assert_eq!(
            default_out_dir(8, Profile::Full),
            PathBuf::from("runs/stage08")
        );
        assert_eq!(
            default_out_dir(8, Profile::Check),
            PathBuf::from("runs/check/stage08")
        );
    }
}
