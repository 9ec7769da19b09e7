//! Which arithmetic this computer's CPU kernels use, as a short name.
//!
//! A seeded run repeats itself to the last bit on the same computer, but only on
//! computers whose CPU kernels add numbers in the same order. Floating-point
//! addition rounds differently in another order; the differences start in the last
//! bits and training grows them, so after a few epochs two such machines' runs with
//! the same seed differ as two seeds would.
//!
//! Kindling builds Burn without its `simd` and `x86-v4` features, so every x86-64
//! CPU with AVX2 and FMA (level v3, and v4 above it) runs the same matrix kernels
//! and the same plain loops, and repeats the same runs. (With `simd`, Flex's sums
//! took 8 lanes at a time on AVX2, and an AVX2 machine's runs differed from an
//! AVX-512 machine's from epoch 2 on.) Older x86 CPUs and ARM ones use other
//! kernels.
//!
//! Everything that compares a run with a recorded one (snapshots, the book's
//! numbers, the checker's reference histories) records this name with it, and
//! compares exactly only with a recording of the same numerics.

/// The environment variable that overrides [`numerics`]: for testing what the
/// checker does on a computer unlike any it has recordings for.
pub const NUMERICS_VAR: &str = "KINDLING_NUMERICS";

/// This computer's numerics: `x86-64-v3` (AVX2 and FMA, with or without AVX-512),
/// `x86-64` (older x86), or the CPU architecture's name (`aarch64`, ...).
pub fn numerics() -> String {
    if let Some(name) = std::env::var_os(NUMERICS_VAR).and_then(|n| n.into_string().ok())
        && !name.trim().is_empty()
    {
        return name.trim().to_string();
    }
    detected().to_string()
}

#[cfg(target_arch = "x86_64")]
fn detected() -> &'static str {
    // The matrix kernels' best level without burn's `x86-v4`: AVX2 with fused
    // multiply-add. AVX-512 is not used, so a v4 CPU computes as a v3 one.
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        "x86-64-v3"
    } else {
        "x86-64"
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn detected() -> &'static str {
    std::env::consts::ARCH
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_is_one_word_of_this_architecture() {
        let name = detected();
        assert!(
            name.starts_with(std::env::consts::ARCH.replace('_', "-").as_str()),
            "{name}"
        );
        assert!(!name.contains(char::is_whitespace));
    }
}
