//! Where the service is and its API key, and the `HOOK_GENERIC_*` variables that say so.

use hook_model::{Error, Secret};

/// The environment variables [`GenericConfig::from_vars`] reads.
pub mod env {
    /// The service's base URL (required).
    pub const URL: &str = "HOOK_GENERIC_URL";
    /// The API key (required).
    pub const API_KEY: &str = "HOOK_GENERIC_API_KEY";
    /// Every variable with what it means, for help texts.
    pub const ALL: [(&str, &str); 2] = [
        (URL, "the service's base URL (required)"),
        (API_KEY, "the API key (required)"),
    ];
}

/// How to reach a generic `/v1/webhooks` service.
///
/// ```
/// use hook_generic::GenericConfig;
/// let config = GenericConfig::new("https://api.example.com", "key-123");
/// assert!(!format!("{config:?}").contains("key-123"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GenericConfig {
    /// The service's base URL.
    pub base_url: String,
    /// The API key, sent as a bearer token.
    pub api_key: Secret,
    /// Timeout, retries and idle connections of the client's transport.
    pub transport: hook_http::Settings,
}

impl GenericConfig {
    /// The service at `base_url` with `api_key`.
    pub fn new(base_url: impl Into<String>, api_key: impl Into<Secret>) -> Self {
        GenericConfig {
            base_url: base_url.into(),
            api_key: api_key.into(),
            transport: hook_http::Settings::default(),
        }
    }

    /// Reads the [`mod@env`] variables through `var`. A missing one is [`Error::Invalid`]
    /// naming the variable.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the `HOOK_*` variable that is missing or
    /// malformed.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let required = |name: &str| {
            var(name).ok_or_else(|| {
                Error::invalid(name, format!("set {name} to use the generic service"))
            })
        };
        Ok(GenericConfig {
            base_url: required(env::URL)?,
            api_key: Secret::new(required(env::API_KEY)?),
            transport: hook_http::Settings::default(),
        })
    }
}
