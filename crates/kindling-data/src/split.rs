//! Seeded, stratified splits: every class keeps its share in every pile.

use rand::seq::SliceRandom;

use crate::error::DataError;
use crate::image_set::ImageSet;
use crate::rng::seeded_rng;

/// Indices of the two piles of a split, each in ascending order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitIndices {
    /// The indices that stay (for example the training pile).
    pub kept: Vec<usize>,
    /// The indices set aside (for example the validation pile).
    pub held_out: Vec<usize>,
}

/// Sets `held_out` items aside so that each class keeps (almost exactly) its share in
/// both piles. Which items of a class go where is decided by `seed`.
///
/// Class shares are rounded with the largest-remainder rule, so the held-out pile
/// has exactly `held_out` items.
pub fn stratified_indices(labels: &[u8], held_out: usize, seed: u64) -> SplitIndices {
    assert!(
        held_out <= labels.len(),
        "cannot hold out more items than exist"
    );
    let by_class = indices_by_class(labels, seed);
    let total = labels.len().max(1) as f64;
    let exact: Vec<f64> = by_class
        .iter()
        .map(|members| members.len() as f64 * held_out as f64 / total)
        .collect();
    let mut quota: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut missing = held_out - quota.iter().sum::<usize>();
    let mut by_remainder: Vec<usize> = (0..by_class.len()).collect();
    // Largest remainder first; ties to the lower class index, so it is deterministic.
    by_remainder.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for class in by_remainder {
        if missing == 0 {
            break;
        }
        if quota[class] < by_class[class].len() {
            quota[class] += 1;
            missing -= 1;
        }
    }
    let mut kept = Vec::with_capacity(labels.len() - held_out);
    let mut set_aside = Vec::with_capacity(held_out);
    for (members, quota) in by_class.iter().zip(quota) {
        set_aside.extend_from_slice(&members[..quota]);
        kept.extend_from_slice(&members[quota..]);
    }
    kept.sort_unstable();
    set_aside.sort_unstable();
    SplitIndices {
        kept,
        held_out: set_aside,
    }
}

/// Splits a set into a training pile and a validation pile of `validation` images,
/// stratified and seeded.
pub fn train_validation_split(
    set: &ImageSet,
    validation: usize,
    seed: u64,
) -> Result<(ImageSet, ImageSet), DataError> {
    if validation >= set.len() {
        return Err(DataError::NotEnough {
            what: "validation split".into(),
            asked: validation,
            available: set.len().saturating_sub(1),
            fix: "ask for a smaller validation set, leaving images to train on".into(),
        });
    }
    let split = stratified_indices(set.labels(), validation, seed);
    Ok((set.select(&split.kept), set.select(&split.held_out)))
}

/// A stratified, seeded subset of `size` images.
pub fn stratified_subset(set: &ImageSet, size: usize, seed: u64) -> Result<ImageSet, DataError> {
    if size > set.len() {
        return Err(DataError::NotEnough {
            what: "subset".into(),
            asked: size,
            available: set.len(),
            fix: "ask for fewer images".into(),
        });
    }
    if size == set.len() {
        return Ok(set.clone());
    }
    Ok(set.select(&stratified_indices(set.labels(), size, seed).held_out))
}

/// One fold of k-fold cross-validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    /// Indices to train on (ascending).
    pub train: Vec<usize>,
    /// Indices to validate on (ascending).
    pub validation: Vec<usize>,
}

/// Stratified k-fold: every item is validated on exactly once, and every fold has
/// each class in (almost) the same share as the whole set.
pub fn stratified_k_fold(labels: &[u8], k: usize, seed: u64) -> Result<Vec<Fold>, DataError> {
    if k < 2 || k > labels.len() {
        return Err(DataError::NotEnough {
            what: format!("{k}-fold cross-validation"),
            asked: k,
            available: labels.len(),
            fix: "use at least 2 folds and no more folds than items".into(),
        });
    }
    let mut fold_of = vec![0usize; labels.len()];
    // Deal each class's items round the folds, continuing where the last class
    // stopped so the folds end up the same size.
    let mut next = 0;
    for members in indices_by_class(labels, seed) {
        for index in members {
            fold_of[index] = next % k;
            next += 1;
        }
    }
    Ok((0..k)
        .map(|fold| {
            let (validation, train): (Vec<usize>, Vec<usize>) =
                (0..labels.len()).partition(|&i| fold_of[i] == fold);
            Fold { train, validation }
        })
        .collect())
}

/// Each class's indices, shuffled by `seed`.
fn indices_by_class(labels: &[u8], seed: u64) -> Vec<Vec<usize>> {
    let classes = labels.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
    let mut by_class = vec![Vec::new(); classes];
    for (index, &label) in labels.iter().enumerate() {
        by_class[label as usize].push(index);
    }
    for (class, members) in by_class.iter_mut().enumerate() {
        members.shuffle(&mut seeded_rng(seed, class as u64));
    }
    by_class
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<u8> {
        // 60 of class 0, 30 of class 1, 10 of class 2.
        let mut labels = vec![0u8; 60];
        labels.extend([1u8; 30]);
        labels.extend([2u8; 10]);
        labels
    }

    #[test]
    fn each_class_keeps_its_share() {
        let split = stratified_indices(&labels(), 20, 1);
        assert_eq!(split.held_out.len(), 20);
        let count = |class: u8| {
            split
                .held_out
                .iter()
                .filter(|&&i| labels()[i] == class)
                .count()
        };
        assert_eq!((count(0), count(1), count(2)), (12, 6, 2));
    }

    #[test]
    fn piles_are_disjoint_and_cover_everything_and_depend_on_the_seed() {
        let a = stratified_indices(&labels(), 33, 1);
        let mut all: Vec<usize> = a.kept.iter().chain(&a.held_out).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..100).collect::<Vec<_>>());
        assert_eq!(a, stratified_indices(&labels(), 33, 1));
        assert_ne!(a, stratified_indices(&labels(), 33, 2));
    }

    #[test]
    fn k_fold_validates_every_item_once_with_balanced_folds() {
        let folds = stratified_k_fold(&labels(), 5, 3).unwrap();
        let mut seen = vec![0; 100];
        for fold in &folds {
            assert_eq!(fold.validation.len(), 20);
            assert_eq!(fold.train.len(), 80);
            let class2 = fold
                .validation
                .iter()
                .filter(|&&i| labels()[i] == 2)
                .count();
            assert_eq!(class2, 2);
            for &i in &fold.validation {
                seen[i] += 1;
            }
        }
        assert!(seen.iter().all(|&n| n == 1));
        assert!(stratified_k_fold(&labels(), 1, 3).is_err());
    }
}
