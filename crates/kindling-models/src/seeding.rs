//! Building a model with reproducible starting weights.

use std::sync::Mutex;

use burn::module::{Module, ModuleVisitor, Param};
use burn::prelude::*;

/// Burn's CPU backends keep one random generator for the whole process. Holding
/// this lock from seeding to the last weight drawn stops another thread (another
/// test, say) from taking numbers out of the middle of our sequence.
static SEEDED_INIT: Mutex<()> = Mutex::new(());

/// Seeds `device`, builds a model with `init` and draws all its starting weights
/// at once, so the same seed always gives the same model, whatever else the
/// program is doing.
///
/// ```
/// use burn::prelude::*;
/// use kindling_models::{BaselineCnnConfig, Classifier, init_seeded};
/// let device = Device::flex();
/// let scores = |seed| {
///     let model = init_seeded(&device, seed, |d| BaselineCnnConfig::new().init(d));
///     let input = Tensor::<4>::ones([1, 3, 32, 32], &device);
///     model.forward(input).into_data().try_into_vec_as::<f32>().unwrap()
/// };
/// assert_eq!(scores(7), scores(7));
/// assert_ne!(scores(7), scores(8));
/// ```
pub fn init_seeded<M: Module>(device: &Device, seed: u64, init: impl FnOnce(&Device) -> M) -> M {
    let _guard = SEEDED_INIT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    device.seed(seed);
    let model = init(device);
    // Parameters are drawn lazily, on first use; draw them now, under the lock.
    model.visit(&mut DrawWeights);
    model
}

struct DrawWeights;

impl ModuleVisitor for DrawWeights {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let _ = param.val();
    }
}
