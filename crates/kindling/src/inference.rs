//! Predicting the class of image files with a trained model.
//!
//! Each file is prepared by [`kindling_data::read_image`], the same function the
//! photo-folder loader trains on, and predicted by [`kindling_train::predict_set`],
//! the same function `kindling evaluate` scores with: an image gets the same
//! probabilities here as it does in an evaluation. The `kindling predict` program
//! and stage 9's program both call [`Predictor`].

use std::path::{Path, PathBuf};

use burn::prelude::Device;
use serde::{Deserialize, Serialize};

use kindling_charts::{ChartError, top_k_bars};
use kindling_data::{DataError, ImageSet, Normalization, read_image};
use kindling_models::{Classifier, ImageModel};
use kindling_train::{SetPredictions, TrainedRun, TrainedRunError, predict_set};

/// How many classes are shown unless asked otherwise.
pub const DEFAULT_TOP_K: usize = 3;

/// A model ready to predict: its weights, the normalisation of its training pile
/// and its class names.
#[derive(Debug)]
pub struct Predictor<M: Classifier<4> = ImageModel> {
    model: M,
    normalization: Normalization,
    class_names: Vec<String>,
    device: Device,
}

/// One image's prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImagePrediction {
    /// The file, as it was given.
    pub image: PathBuf,
    /// The most probable classes, most probable first (the lower class first on ties).
    pub top: Vec<ClassProbability>,
    /// The probability of every class, in class order (a softmax: they sum to 1,
    /// give or take rounding).
    pub probabilities: Vec<f64>,
}

/// A class and the probability the model gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassProbability {
    /// Class index.
    pub class: usize,
    /// Class name.
    pub name: String,
    /// Its probability, 0 to 1.
    pub probability: f64,
}

/// Why a prediction could not be made.
#[derive(Debug, thiserror::Error)]
pub enum InferenceError {
    /// The run folder has no usable model.
    #[error(transparent)]
    Run(#[from] TrainedRunError),
    /// An image file could not be read.
    #[error(transparent)]
    Image(#[from] DataError),
    /// A number of classes to show that the model does not have.
    #[error(
        "--top {top} is not allowed: the model knows {classes} classes, so show between 1 and {classes}. Fix: use --top {}",
        DEFAULT_TOP_K.min(*classes)
    )]
    TopK {
        /// The number asked for.
        top: usize,
        /// Classes the model predicts.
        classes: usize,
    },
    /// No image was given.
    #[error("no image to predict. Fix: pass one or more image files")]
    NoImages,
    /// The chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
}

impl Predictor<ImageModel> {
    /// Loads a run folder's `config.json` and `model.bpk` onto `device`, once, for
    /// any number of predictions.
    pub fn load(run_dir: &Path, device: &Device) -> Result<Self, InferenceError> {
        let run = TrainedRun::load(run_dir, device)?;
        Ok(Self::new(
            run.model,
            run.config.normalization,
            run.config.class_names,
            device.clone(),
        ))
    }
}

impl<M: Classifier<4>> Predictor<M> {
    /// A predictor for a model held in memory, with the normalisation of its
    /// training pile and its class names.
    pub fn new(
        model: M,
        normalization: Normalization,
        class_names: Vec<String>,
        device: Device,
    ) -> Self {
        Self {
            model,
            normalization,
            class_names,
            device,
        }
    }

    /// The class names, indexed by class.
    pub fn class_names(&self) -> &[String] {
        &self.class_names
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// Reads every file first (the first bad one is the error, and nothing is
    /// predicted), then predicts them together and keeps the `top` most probable
    /// classes of each.
    pub fn predict_files(
        &self,
        paths: &[PathBuf],
        top: usize,
    ) -> Result<Vec<ImagePrediction>, InferenceError> {
        check_top_k(top, self.class_names.len())?;
        if paths.is_empty() {
            return Err(InferenceError::NoImages);
        }
        let mut pixels = Vec::new();
        for path in paths {
            pixels.extend(read_image(path)?);
        }
        let set = ImageSet::new(pixels, vec![0; paths.len()], self.class_names.clone())?;
        let predictions = self.predict_set(&set);
        Ok(paths
            .iter()
            .enumerate()
            .map(|(index, path)| {
                let probabilities = predictions.row(index).to_vec();
                ImagePrediction {
                    image: path.clone(),
                    top: top_k(&probabilities, &self.class_names, top),
                    probabilities,
                }
            })
            .collect())
    }

    /// [`predict_files`](Self::predict_files) for one file.
    pub fn predict_file(&self, path: &Path, top: usize) -> Result<ImagePrediction, InferenceError> {
        let mut predictions = self.predict_files(&[path.to_path_buf()], top)?;
        Ok(predictions.remove(0))
    }

    /// Predicts images already prepared (an [`ImageSet`]), exactly as an
    /// evaluation does.
    pub fn predict_set(&self, set: &ImageSet) -> SetPredictions {
        predict_set(&self.model, set, self.normalization, &self.device)
    }
}

/// Accepts between 1 and `classes` classes to show.
pub fn check_top_k(top: usize, classes: usize) -> Result<(), InferenceError> {
    if (1..=classes).contains(&top) {
        Ok(())
    } else {
        Err(InferenceError::TopK { top, classes })
    }
}

/// The `k` most probable classes, most probable first; on ties the lower class
/// comes first.
pub fn top_k(probabilities: &[f64], class_names: &[String], k: usize) -> Vec<ClassProbability> {
    let mut order: Vec<usize> = (0..probabilities.len()).collect();
    order.sort_by(|&a, &b| {
        probabilities[b]
            .total_cmp(&probabilities[a])
            .then(a.cmp(&b))
    });
    order
        .into_iter()
        .take(k)
        .map(|class| ClassProbability {
            class,
            name: class_names
                .get(class)
                .cloned()
                .unwrap_or_else(|| format!("class {class}")),
            probability: probabilities[class],
        })
        .collect()
}

/// A bar chart of a prediction's top classes (PNG or SVG by the extension),
/// titled with the image's file name.
pub fn prediction_chart(prediction: &ImagePrediction, path: &Path) -> Result<(), InferenceError> {
    let labels: Vec<&str> = prediction.top.iter().map(|c| c.name.as_str()).collect();
    let probabilities: Vec<f64> = prediction.top.iter().map(|c| c.probability).collect();
    let name = prediction.image.file_name().map_or_else(
        || prediction.image.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let title = format!("Top {} for {name}", prediction.top.len());
    top_k_bars(&labels, &probabilities, &title, path)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_data::image_set::planes_to_rgb;
    use kindling_data::{DataSource, SplitSizes, load_splits};
    use kindling_models::{ModelKind, init_seeded};

    fn names(count: usize) -> Vec<String> {
        (0..count).map(|i| format!("c{i}")).collect()
    }

    #[test]
    fn top_k_is_sorted_with_ties_by_class() {
        let top = top_k(&[0.1, 0.4, 0.1, 0.4], &names(4), 3);
        let classes: Vec<usize> = top.iter().map(|c| c.class).collect();
        assert_eq!(classes, [1, 3, 0]);
        assert_eq!(top[0].name, "c1");
        assert!(
            check_top_k(0, 4)
                .unwrap_err()
                .to_string()
                .contains("between 1 and 4")
        );
        assert!(check_top_k(5, 4).is_err());
        assert!(check_top_k(4, 4).is_ok());
    }

    #[test]
    fn a_training_image_gets_the_probabilities_evaluation_gives_it() {
        let sizes = SplitSizes {
            train: Some(30),
            validation: Some(10),
            test: Some(10),
        };
        let splits = load_splits(&DataSource::Builtin, sizes, 3).unwrap();
        let device = Device::flex();
        let model = init_seeded(&device, 3, |d| ModelKind::BaselineCnn.init(10, d));
        let normalization = splits.normalization();
        let evaluated = predict_set(&model, &splits.train, normalization, &device);
        let predictor = Predictor::new(model, normalization, splits.class_names().to_vec(), device);

        let dir = tempfile::tempdir().unwrap();
        let picked = [0usize, 7, 29];
        let paths: Vec<PathBuf> = picked
            .iter()
            .map(|&index| {
                let path = dir.path().join(format!("train-{index}.png"));
                image::RgbImage::from_raw(32, 32, planes_to_rgb(splits.train.image(index)))
                    .unwrap()
                    .save(&path)
                    .unwrap();
                path
            })
            .collect();
        for (path, &index) in paths.iter().zip(&picked) {
            assert_eq!(read_image(path).unwrap(), splits.train.image(index));
        }
        let predictions = predictor.predict_files(&paths, 3).unwrap();
        for (prediction, &index) in predictions.iter().zip(&picked) {
            // Same pixels, same model: equal up to the rounding that differs between
            // batches of different sizes.
            for (p, q) in prediction.probabilities.iter().zip(evaluated.row(index)) {
                assert!((p - q).abs() < 1e-5, "{p} vs {q}");
            }
            assert_eq!(prediction.top[0].class, evaluated.y_pred[index]);
            let sum: f64 = prediction.probabilities.iter().sum();
            assert!((sum - 1.0).abs() < 1e-5, "{sum}");
            assert_eq!(prediction.top.len(), 3);
        }
    }

    #[test]
    fn one_bad_file_stops_everything_before_predicting() {
        let device = Device::flex();
        let model = init_seeded(&device, 1, |d| ModelKind::Linear.init(2, d));
        let predictor = Predictor::new(model, Normalization::IDENTITY, names(2), device);
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.png");
        image::RgbImage::new(8, 8).save(&good).unwrap();
        let bad = dir.path().join("bad.png");
        std::fs::write(&bad, "text").unwrap();
        let error = predictor
            .predict_files(&[good.clone(), bad], 1)
            .unwrap_err();
        assert!(error.to_string().contains("bad.png"), "{error}");
        assert!(matches!(
            predictor.predict_files(std::slice::from_ref(&good), 3),
            Err(InferenceError::TopK { top: 3, classes: 2 })
        ));
        assert!(matches!(
            predictor.predict_files(&[], 1),
            Err(InferenceError::NoImages)
        ));
        let chart = dir.path().join("chart.png");
        prediction_chart(&predictor.predict_file(&good, 2).unwrap(), &chart).unwrap();
        assert!(image::open(&chart).is_ok());
    }
}
