//! Which arithmetic this computer's CPU kernels use, as a short name.
//!
//! A seeded run repeats itself to the last bit on the same computer, but not on
//! every computer. Burn's CPU kernels pick their vector instructions when the
//! program starts: 16 numbers at a time where the CPU has AVX-512 (x86-64 level
//! v4), 8 with AVX2 (level v3), other widths on ARM. A sum split into 16 lanes
//! adds in another order than one split into 8, and floating-point addition
//! rounds differently in another order. The differences start in the last bits
//! and grow over the epochs, so after a few epochs two machines' runs with the
//! same seed differ as two seeds would.
//!
//! Everything that compares a run with a recorded one (snapshots, the book's
//! numbers, the checker's reference histories) records this name with it, and
//! compares exactly only with a recording of the same numerics.

/// The environment variable that overrides [`numerics`]: for testing what the
/// checker does on a computer unlike any it has recordings for.
pub const NUMERICS_VAR: &str = "KINDLING_NUMERICS";

/// This computer's numerics: `x86-64-v4` (AVX-512), `x86-64-v3` (AVX2 and FMA),
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
    // The levels as the kernels' dispatch defines them: v4 needs all five AVX-512
    // parts, v3 AVX2 with fused multiply-add.
    if std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512bw")
        && std::is_x86_feature_detected!("avx512cd")
        && std::is_x86_feature_detected!("avx512dq")
        && std::is_x86_feature_detected!("avx512vl")
    {
        "x86-64-v4"
    } else if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
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
