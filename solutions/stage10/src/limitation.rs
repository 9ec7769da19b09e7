//! What the report cannot show, in your own words.

// ANCHOR: limitation
/// One limitation of this model, written from the evidence in the report: the
/// weakest class and its F1, the gap between validation and test, what the data
/// is and is not. The report prints it under "Limitations".
// [solution]
pub const IN_MY_OWN_WORDS: &str = "The model was trained and tested only on Kindling's built-in drawings, not on real photos, and it is weakest on squares (F1 0.17): many squares are taken for discs, so it is not ready for a user who needs the shapes told apart.";
// [exercise]
// // TODO: write one limitation in your own words (at least 12 words), naming
// // something the report shows: the weakest class, a number, the kind of data.
// pub const IN_MY_OWN_WORDS: &str = "";
// [end]
// ANCHOR_END: limitation
