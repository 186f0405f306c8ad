//! The providers hook speaks to.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A webhook provider.
///
/// ```
/// use hook_model::Provider;
/// assert_eq!("UiPath".parse::<Provider>()?, Provider::UiPath);
/// assert_eq!(Provider::Up42.to_string(), "up42");
/// # Ok::<(), hook_model::UnknownProvider>(())
/// ```
///
/// This enum is a registry of names only: each provider's rules live in its own crate
/// (`hook-uipath`, `hook-port`, `hook-up42`, `hook-generic`). It is exhaustive on purpose:
/// a new provider makes the compiler point at every match that must learn it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// UiPath Orchestrator.
    #[serde(rename = "uipath")]
    UiPath,
    /// Port.
    Port,
    /// UP42.
    Up42,
    /// A generic `/v1/webhooks` service.
    Generic,
}

impl Provider {
    /// Every provider, in a stable order.
    pub const ALL: [Provider; 4] = [
        Provider::UiPath,
        Provider::Port,
        Provider::Up42,
        Provider::Generic,
    ];

    /// The lower-case name used on the command line and in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::UiPath => "uipath",
            Provider::Port => "port",
            Provider::Up42 => "up42",
            Provider::Generic => "generic",
        }
    }

    /// The provider's name as its owner writes it.
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::UiPath => "UiPath Orchestrator",
            Provider::Port => "Port",
            Provider::Up42 => "UP42",
            Provider::Generic => "Generic /v1/webhooks",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider name that is not one of [`Provider::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider {0:?}: expected uipath, port, up42 or generic")]
pub struct UnknownProvider(pub String);

impl FromStr for Provider {
    type Err = UnknownProvider;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownProvider(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_display_from_str_and_serde() {
        for provider in Provider::ALL {
            assert_eq!(provider.to_string().parse::<Provider>(), Ok(provider));
            let json = serde_json::to_string(&provider).unwrap();
            assert_eq!(json, format!("\"{provider}\""));
            assert_eq!(serde_json::from_str::<Provider>(&json).unwrap(), provider);
        }
    }

    #[test]
    fn unknown_names_are_a_typed_error() {
        assert_eq!(
            "github".parse::<Provider>(),
            Err(UnknownProvider("github".into()))
        );
        assert_eq!(" PORT ".parse::<Provider>(), Ok(Provider::Port));
    }
}
