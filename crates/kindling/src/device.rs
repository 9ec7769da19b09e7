//! Choosing where tensors live: the CPU (Flex) by default, a CUDA GPU when the
//! `cuda` feature is built in and asked for.

use std::fmt;
use std::str::FromStr;

use burn::prelude::Device;

/// The environment variable read when no device is given on the command line.
pub const DEVICE_ENV: &str = "KINDLING_DEVICE";

/// A device Kindling can train on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceChoice {
    /// Burn's Flex backend: pure Rust on the CPU. The default.
    Flex,
    /// The first CUDA GPU (feature `cuda`).
    Cuda,
    /// Burn's NdArray CPU backend (feature `ndarray`; deprecated upstream and much
    /// slower than Flex, kept for comparison).
    NdArray,
}

impl DeviceChoice {
    /// Every choice, whether built in or not.
    pub const ALL: [DeviceChoice; 3] = [
        DeviceChoice::Flex,
        DeviceChoice::Cuda,
        DeviceChoice::NdArray,
    ];

    /// True when this build can create the device.
    pub fn is_compiled(self) -> bool {
        match self {
            DeviceChoice::Flex => true,
            DeviceChoice::Cuda => cfg!(feature = "cuda"),
            DeviceChoice::NdArray => cfg!(feature = "ndarray"),
        }
    }

    /// The Cargo feature that builds this device in.
    pub fn feature(self) -> Option<&'static str> {
        match self {
            DeviceChoice::Flex => None,
            DeviceChoice::Cuda => Some("cuda"),
            DeviceChoice::NdArray => Some("ndarray"),
        }
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeviceChoice::Flex => "flex",
            DeviceChoice::Cuda => "cuda",
            DeviceChoice::NdArray => "ndarray",
        })
    }
}

/// A device that cannot be used in this build.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    /// The name is not a device Kindling knows.
    #[error("unknown device `{0}`. Fix: use flex (the CPU, default), cuda or ndarray")]
    Unknown(String),
    /// The device exists but this build does not include it.
    #[error(
        "this build of Kindling has no {choice} support. Fix: rebuild with `--features {feature}`{hint}, or use --device flex (the CPU)"
    )]
    NotCompiled {
        /// The device asked for.
        choice: DeviceChoice,
        /// The Cargo feature that adds it.
        feature: &'static str,
        /// Extra advice for this device.
        hint: &'static str,
    },
}

impl FromStr for DeviceChoice {
    type Err = DeviceError;

    fn from_str(text: &str) -> Result<Self, DeviceError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "flex" | "cpu" => Ok(DeviceChoice::Flex),
            "cuda" | "gpu" => Ok(DeviceChoice::Cuda),
            "ndarray" => Ok(DeviceChoice::NdArray),
            _ => Err(DeviceError::Unknown(text.to_string())),
        }
    }
}

/// Picks the device: `asked` (a `--device` flag) wins, then `KINDLING_DEVICE`,
/// then Flex on the CPU.
pub fn choose_device(asked: Option<&str>) -> Result<(DeviceChoice, Device), DeviceError> {
    let from_env = std::env::var(DEVICE_ENV).ok();
    let name = asked
        .or(from_env.as_deref())
        .filter(|name| !name.trim().is_empty());
    let choice = match name {
        Some(name) => name.parse()?,
        None => DeviceChoice::Flex,
    };
    Ok((choice, device_for(choice)?))
}

/// Creates the device for a choice, or says how to build it in.
pub fn device_for(choice: DeviceChoice) -> Result<Device, DeviceError> {
    match choice {
        DeviceChoice::Flex => Ok(Device::flex()),
        DeviceChoice::Cuda => cuda_device(),
        DeviceChoice::NdArray => ndarray_device(),
    }
}

#[cfg(feature = "cuda")]
fn cuda_device() -> Result<Device, DeviceError> {
    Ok(Device::cuda(0))
}

#[cfg(not(feature = "cuda"))]
fn cuda_device() -> Result<Device, DeviceError> {
    Err(DeviceError::NotCompiled {
        choice: DeviceChoice::Cuda,
        feature: "cuda",
        hint: " on a machine with the CUDA toolkit and a network connection (see the README)",
    })
}

#[cfg(feature = "ndarray")]
fn ndarray_device() -> Result<Device, DeviceError> {
    #[allow(deprecated)] // Kept on purpose, for comparison with Flex.
    Ok(Device::ndarray())
}

#[cfg(not(feature = "ndarray"))]
fn ndarray_device() -> Result<Device, DeviceError> {
    Err(DeviceError::NotCompiled {
        choice: DeviceChoice::NdArray,
        feature: "ndarray",
        hint: " (deprecated upstream, only for comparison)",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flex_is_the_default_and_always_there() {
        assert_eq!(choose_device(Some("flex")).unwrap().0, DeviceChoice::Flex);
        assert_eq!(choose_device(Some("CPU")).unwrap().0, DeviceChoice::Flex);
        assert!(device_for(DeviceChoice::Flex).is_ok());
    }

    #[test]
    fn a_device_not_built_in_says_which_feature_adds_it() {
        for choice in [DeviceChoice::Cuda, DeviceChoice::NdArray] {
            if choice.is_compiled() {
                continue;
            }
            let message = device_for(choice).unwrap_err().to_string();
            let feature = choice.feature().unwrap();
            assert!(
                message.contains(&format!("--features {feature}")),
                "{message}"
            );
            assert!(message.contains("--device flex"), "{message}");
        }
    }

    #[test]
    fn unknown_names_list_the_choices() {
        let message = "tpu".parse::<DeviceChoice>().unwrap_err().to_string();
        assert!(
            message.contains("flex") && message.contains("cuda"),
            "{message}"
        );
    }
}
