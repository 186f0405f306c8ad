//! The name of a provider: an open identifier, owned by the provider's crate.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Which provider: a short lower-case name such as `uipath` or `port`.
///
/// An open identifier, not a list: each provider crate declares its own
/// (`hook_uipath::PROVIDER`, `hook_port::PROVIDER`, …) in its [`crate::Descriptor`], and
/// this crate names none of them. Which providers a program knows is the registry it
/// builds (`hook_facade::providers()`), so parsing a name here checks its form only; a
/// registry says whether such a provider exists.
///
/// ```
/// use hook_model::Provider;
/// const ACME: Provider = Provider::new("acme");
/// assert_eq!("ACME".parse::<Provider>()?, ACME);
/// assert_eq!(ACME.to_string(), "acme");
/// assert!("no spaces".parse::<Provider>().is_err());
/// # Ok::<(), hook_model::UnknownProvider>(())
/// ```
///
/// `Copy`, and usable in `match` patterns as a constant.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Provider {
    len: u8,
    bytes: [u8; Provider::MAX_LEN],
}

impl Provider {
    /// The longest name, in bytes.
    pub const MAX_LEN: usize = 24;

    /// The provider named `name`: 1 to [`Provider::MAX_LEN`] of `a`–`z`, `0`–`9` and `-`,
    /// starting with a letter.
    ///
    /// # Panics
    ///
    /// When `name` is not of that form. Meant for constants, where the panic is a compile
    /// error; [`str::parse`] reads names from input without panicking.
    pub const fn new(name: &'static str) -> Provider {
        match Provider::checked(name.as_bytes()) {
            Some(provider) => provider,
            None => panic!("a provider name is 1 to 24 of a-z, 0-9 and -, starting with a letter"),
        }
    }

    const fn checked(name: &[u8]) -> Option<Provider> {
        if name.is_empty() || name.len() > Provider::MAX_LEN || !name[0].is_ascii_lowercase() {
            return None;
        }
        let mut bytes = [0u8; Provider::MAX_LEN];
        let mut i = 0;
        while i < name.len() {
            let b = name[i];
            if !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
                return None;
            }
            bytes[i] = b;
            i += 1;
        }
        Some(Provider {
            len: name.len() as u8,
            bytes,
        })
    }

    /// The lower-case name used on the command line, in configuration and in `HOOK_*`
    /// variable names.
    pub fn as_str(&self) -> &str {
        // Only ASCII bytes are ever stored (see `checked`).
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Provider({:?})", self.as_str())
    }
}

impl PartialOrd for Provider {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Provider {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// A provider name that is not of a provider name's form, or (from a registry) names no
/// provider the program knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider {name:?}: {expected}")]
pub struct UnknownProvider {
    /// The name as given.
    pub name: String,
    /// What would be accepted.
    pub expected: String,
}

impl UnknownProvider {
    /// `name` is not a provider; `expected` says what would be (the names a registry knows).
    pub fn new(name: impl Into<String>, expected: impl Into<String>) -> Self {
        UnknownProvider {
            name: name.into(),
            expected: expected.into(),
        }
    }
}

impl FromStr for Provider {
    type Err = UnknownProvider;

    /// Reads a name of the right form, in any case, trimmed.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::checked(s.trim().to_ascii_lowercase().as_bytes()).ok_or_else(|| {
            UnknownProvider::new(
                s,
                "a provider name is 1 to 24 of a-z, 0-9 and -, starting with a letter",
            )
        })
    }
}

impl Serialize for Provider {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Provider {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACME: Provider = Provider::new("acme-2");

    #[test]
    fn names_round_trip_through_display_from_str_and_serde() {
        assert_eq!(ACME.to_string().parse::<Provider>(), Ok(ACME));
        let json = serde_json::to_string(&ACME).unwrap();
        assert_eq!(json, "\"acme-2\"");
        assert_eq!(serde_json::from_str::<Provider>(&json).unwrap(), ACME);
        assert_eq!(" ACME-2 ".parse::<Provider>(), Ok(ACME));
        assert_eq!(format!("{ACME:?}"), "Provider(\"acme-2\")");
    }

    #[test]
    fn names_of_the_wrong_form_are_a_typed_error_never_a_panic() {
        for bad in ["", "2fa", "has space", "ümlaut", "-x", &"x".repeat(25)] {
            let error = bad.parse::<Provider>().unwrap_err();
            assert_eq!(error.name, bad);
            assert!(error.to_string().contains("a-z, 0-9"), "{error}");
        }
        assert!(serde_json::from_str::<Provider>("\"a b\"").is_err());
        assert_eq!(
            "x".repeat(24).parse::<Provider>().unwrap().as_str().len(),
            24
        );
    }

    #[test]
    fn a_constant_is_a_pattern() {
        let named = |p: Provider| match p {
            ACME => "acme",
            _ => "other",
        };
        assert_eq!(named("acme-2".parse().unwrap()), "acme");
        assert_eq!(named(Provider::new("zeta")), "other");
        assert!(Provider::new("alpha") < Provider::new("beta"));
    }
}
