//! Choosing a dataset by name and loading it as train, validation and sealed test piles.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::builtin;
use crate::cifar;
use crate::error::DataError;
use crate::folder;
use crate::image_set::ImageSet;
use crate::normalize::Normalization;
use crate::sealed::SealedTestSet;
use crate::split::{stratified_indices, stratified_subset, train_validation_split};

/// Where images come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// The built-in generated set ("Kindling Shapes").
    Builtin,
    /// CIFAR-10's binary version, from the cache (`kindling data fetch cifar10`) or a
    /// given folder.
    Cifar10(Option<PathBuf>),
    /// A folder with one sub-folder of images per class.
    Folder(PathBuf),
}

impl FromStr for DataSource {
    type Err = DataError;

    /// Accepts `builtin`, `cifar10`, `cifar10:PATH` and `folder:PATH`.
    fn from_str(text: &str) -> Result<Self, DataError> {
        match text.split_once(':') {
            None if text == "builtin" => Ok(DataSource::Builtin),
            None if text == "cifar10" => Ok(DataSource::Cifar10(None)),
            Some(("cifar10", path)) if !path.is_empty() => {
                Ok(DataSource::Cifar10(Some(path.into())))
            }
            Some(("folder", path)) if !path.is_empty() => Ok(DataSource::Folder(path.into())),
            _ => Err(DataError::UnknownSource {
                given: text.to_string(),
            }),
        }
    }
}

impl fmt::Display for DataSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataSource::Builtin => f.write_str("builtin"),
            DataSource::Cifar10(None) => f.write_str("cifar10"),
            DataSource::Cifar10(Some(path)) => write!(f, "cifar10:{}", path.display()),
            DataSource::Folder(path) => write!(f, "folder:{}", path.display()),
        }
    }
}

/// How many images each pile gets. `None` means the default: validation takes a
/// tenth of the training images, training takes the rest, test takes all there is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SplitSizes {
    /// Training images.
    pub train: Option<usize>,
    /// Validation images, taken from the training split.
    pub validation: Option<usize>,
    /// Test images.
    pub test: Option<usize>,
}

/// The three piles of a dataset.
#[derive(Debug, Clone)]
pub struct Splits {
    /// Images to learn from.
    pub train: ImageSet,
    /// Images to watch progress on while training.
    pub validation: ImageSet,
    /// Images for the one final evaluation.
    pub test: SealedTestSet,
}

impl Splits {
    /// Per-channel statistics of the training pile (never of validation or test).
    pub fn normalization(&self) -> Normalization {
        Normalization::fit(&self.train)
    }

    /// Class names, indexed by label.
    pub fn class_names(&self) -> &[String] {
        self.train.class_names()
    }
}

/// Share of a photo folder without `train/` and `test/` sub-folders that is sealed
/// away as the test pile.
pub const FOLDER_TEST_SHARE: f64 = 0.2;

/// Loads a dataset and splits it: the validation pile is a stratified, seeded share
/// of the training split; the test split is kept apart and sealed.
pub fn load_splits(source: &DataSource, sizes: SplitSizes, seed: u64) -> Result<Splits, DataError> {
    let (pool, test) = match source {
        DataSource::Builtin => {
            let (train, validation) = pile_sizes(builtin::TRAIN_CAPACITY, sizes)?;
            let test_count = sizes.test.unwrap_or(builtin::TEST_CAPACITY);
            let pool = builtin::generate(builtin::Split::Train, train + validation, seed)?;
            let test = builtin::generate(builtin::Split::Test, test_count, seed)?;
            (pool, test)
        }
        DataSource::Cifar10(dir) => {
            let dir = match dir {
                Some(dir) => dir.clone(),
                None => cache_folder()?,
            };
            let data = cifar::load(&dir)?;
            (data.train, data.test)
        }
        DataSource::Folder(dir) => {
            let (train_dir, test_dir) = (dir.join("train"), dir.join("test"));
            if train_dir.is_dir() && test_dir.is_dir() {
                let train = folder::load(&train_dir)?;
                let test = folder::load(&test_dir)?;
                if train.class_names() != test.class_names() {
                    return Err(DataError::Inconsistent(format!(
                        "{} and {} hold different class folders; give both the same classes",
                        train_dir.display(),
                        test_dir.display()
                    )));
                }
                (train, test)
            } else {
                let all = folder::load(dir)?;
                let test_count = (all.len() as f64 * FOLDER_TEST_SHARE).round() as usize;
                let split = stratified_indices(all.labels(), test_count, seed);
                (all.select(&split.kept), all.select(&split.held_out))
            }
        }
    };
    let (train, validation) = pile_sizes(pool.len(), sizes)?;
    // pile_sizes never asks for more than the pool holds; all of it needs no copy.
    let pool = if train + validation < pool.len() {
        stratified_subset(&pool, train + validation, seed)?
    } else {
        pool
    };
    let (train, validation) = train_validation_split(&pool, validation, seed)?;
    Ok(Splits {
        train,
        validation,
        test: seal_test(source, test, sizes.test, seed)?,
    })
}

/// Loads only the sealed test pile of a dataset: the same images [`load_splits`]
/// seals for the same source, test size and seed, without loading or generating
/// the training images where the source allows (built-in set, CIFAR-10, a photo
/// folder with `test/`).
pub fn load_test_split(
    source: &DataSource,
    test: Option<usize>,
    seed: u64,
) -> Result<SealedTestSet, DataError> {
    let pile = match source {
        DataSource::Builtin => {
            let count = test.unwrap_or(builtin::TEST_CAPACITY);
            builtin::generate(builtin::Split::Test, count, seed)?
        }
        DataSource::Cifar10(dir) => {
            let dir = match dir {
                Some(dir) => dir.clone(),
                None => cache_folder()?,
            };
            cifar::load_test(&dir)?
        }
        DataSource::Folder(dir) => {
            let (train_dir, test_dir) = (dir.join("train"), dir.join("test"));
            if train_dir.is_dir() && test_dir.is_dir() {
                folder::load(&test_dir)?
            } else {
                let all = folder::load(dir)?;
                let test_count = (all.len() as f64 * FOLDER_TEST_SHARE).round() as usize;
                all.select(&stratified_indices(all.labels(), test_count, seed).held_out)
            }
        }
    };
    seal_test(source, pile, test, seed)
}

/// Cuts the test pile to `count` images (stratified, seeded) and seals it, noting
/// whether the images depend on the seed: a whole test split read from files does
/// not (CIFAR-10, a photo folder's `test/`); a generated, drawn or cut one does.
fn seal_test(
    source: &DataSource,
    test: ImageSet,
    count: Option<usize>,
    seed: u64,
) -> Result<SealedTestSet, DataError> {
    let whole = count.is_none_or(|count| count == test.len());
    let from_files = match source {
        DataSource::Builtin => false,
        DataSource::Cifar10(_) => true,
        DataSource::Folder(dir) => dir.join("train").is_dir() && dir.join("test").is_dir(),
    };
    let test = sized_test(source, test, count, seed)?;
    Ok(if whole && from_files {
        SealedTestSet::seal_same_for_every_seed(test)
    } else {
        SealedTestSet::seal(test)
    })
}

/// The test pile cut to `count` images (stratified, seeded), or all of it.
fn sized_test(
    source: &DataSource,
    test: ImageSet,
    count: Option<usize>,
    seed: u64,
) -> Result<ImageSet, DataError> {
    match count {
        Some(count) if count < test.len() => stratified_subset(&test, count, seed),
        Some(count) if count > test.len() => Err(DataError::NotEnough {
            what: format!("{source} test split"),
            asked: count,
            available: test.len(),
            fix: "ask for fewer test images".into(),
        }),
        _ => Ok(test),
    }
}

/// Training and validation pile sizes drawn from `available` training images.
fn pile_sizes(available: usize, sizes: SplitSizes) -> Result<(usize, usize), DataError> {
    let validation = sizes.validation.unwrap_or(available / 10);
    let train = sizes
        .train
        .unwrap_or_else(|| available.saturating_sub(validation));
    if train == 0 {
        return Err(DataError::NotEnough {
            what: "training split".into(),
            asked: 0,
            available,
            fix: "ask for at least one training image".into(),
        });
    }
    if train + validation > available {
        return Err(DataError::NotEnough {
            what: "training plus validation".into(),
            asked: train + validation,
            available,
            fix: format!(
                "ask for fewer training or validation images, at most {available} together (with `kindling train`: --train-size and --val-size)"
            ),
        });
    }
    Ok((train, validation))
}

fn cache_folder() -> Result<PathBuf, DataError> {
    let root = crate::fetch::data_dir().map_err(|error| DataError::Missing {
        path: PathBuf::from("KINDLING_DATA"),
        fix: format!("{error}; set KINDLING_DATA to the folder that holds cifar-10-batches-bin"),
    })?;
    Ok(crate::fetch::cifar10_dir(&root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_print_back() {
        for text in ["builtin", "cifar10", "cifar10:/data/c", "folder:photos"] {
            let source: DataSource = text.parse().unwrap();
            assert_eq!(source.to_string(), text);
        }
        let message = "mnist".parse::<DataSource>().unwrap_err().to_string();
        assert!(message.contains("builtin") && message.contains("folder:PATH"));
        assert!("folder:".parse::<DataSource>().is_err());
    }

    #[test]
    fn builtin_piles_have_the_asked_sizes_and_are_balanced() {
        let sizes = SplitSizes {
            train: Some(200),
            validation: Some(50),
            test: Some(30),
        };
        let splits = load_splits(&DataSource::Builtin, sizes, 1).unwrap();
        assert_eq!(splits.train.len(), 200);
        assert_eq!(splits.validation.len(), 50);
        assert_eq!(splits.test.len(), 30);
        assert_eq!(splits.train.class_counts(), vec![20; 10]);
        assert_eq!(splits.validation.class_counts(), vec![5; 10]);
    }

    #[test]
    fn the_test_pile_alone_is_the_one_load_splits_seals() {
        let sizes = SplitSizes {
            train: Some(100),
            validation: Some(20),
            test: Some(30),
        };
        let splits = load_splits(&DataSource::Builtin, sizes, 5).unwrap();
        let alone = load_test_split(&DataSource::Builtin, Some(30), 5).unwrap();
        assert!(!alone.same_for_every_seed());
        assert_eq!(alone.open(), splits.test.open());

        let dir = tempfile::tempdir().unwrap();
        for (class, shade) in [("dark", 20u8), ("light", 230u8)] {
            let folder = dir.path().join(class);
            std::fs::create_dir(&folder).unwrap();
            for index in 0..10u8 {
                image::RgbImage::from_pixel(32, 32, image::Rgb([shade, index, 0]))
                    .save(folder.join(format!("{index}.png")))
                    .unwrap();
            }
        }
        let source = DataSource::Folder(dir.path().to_path_buf());
        let sizes = SplitSizes {
            train: Some(12),
            validation: Some(4),
            test: None,
        };
        let splits = load_splits(&source, sizes, 3).unwrap();
        let alone = load_test_split(&source, None, 3).unwrap();
        assert_eq!(alone.len(), 4);
        // A fifth drawn with the seed: another seed, other images.
        assert!(!alone.same_for_every_seed());
        assert_eq!(alone.open(), splits.test.open());
        let message = load_test_split(&source, Some(5), 3)
            .unwrap_err()
            .to_string();
        assert!(message.contains("asked for 5"), "{message}");
    }

    #[test]
    fn too_many_images_name_the_flags_to_change() {
        let sizes = SplitSizes {
            train: Some(49_000),
            validation: Some(2_000),
            test: None,
        };
        let message = load_splits(&DataSource::Builtin, sizes, 1)
            .unwrap_err()
            .to_string();
        assert!(message.contains("--train-size"), "{message}");
    }
}
