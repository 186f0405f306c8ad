//! What a client needs to know: where, who, how long, how persistent.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use std::sync::Arc;

use hook_model::{Error, Provider, Secret};
use url::Url;

use crate::errors::{ErrorDecoder, plain_errors};
use crate::token::TokenSource;

/// How requests are authenticated.
#[derive(Clone)]
#[non_exhaustive]
pub enum Auth {
    /// No `Authorization` header.
    None,
    /// A fixed bearer token: a personal access token, an API key.
    Bearer(Secret),
    /// Tokens fetched from a provider's token endpoint, cached and refreshed.
    Token(Arc<dyn TokenSource>),
}

impl Auth {
    /// Tokens from `source`.
    pub fn token(source: impl TokenSource + 'static) -> Self {
        Auth::Token(Arc::new(source))
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Auth::Token(source) => f.debug_tuple("Token").field(source).finish(),
        }
    }
}

/// When and how idempotent requests are retried.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first try (0 disables retrying).
    pub max_retries: u32,
    /// The first backoff ceiling; doubled each retry.
    pub base_delay: Duration,
    /// The largest backoff ceiling.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; longer answers fail as `RateLimited`.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Up to `max_retries` retries, backing off from `base_delay` up to `max_delay`.
    pub fn new(max_retries: u32, base_delay: Duration, max_delay: Duration) -> Self {
        RetryPolicy {
            max_retries,
            base_delay,
            max_delay,
            ..RetryPolicy::default()
        }
    }

    /// The longest `Retry-After` honoured; longer answers fail as `RateLimited`.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// The full-jitter backoff before retry `n` (1-based): uniform in
    /// `[0, min(max_delay, base_delay · 2^(n-1))]`.
    pub fn backoff(&self, n: u32) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(n.saturating_sub(1)))
            .min(self.max_delay);
        ceiling.mul_f64(fastrand::f64())
    }
}

/// What a user may tune of a client's transport, whichever the provider: the per-try
/// timeout, the retry policy and how many idle connections are kept. Every provider's
/// configuration carries one (`transport`); [`ClientConfig::settings`] applies it.
///
/// ```
/// use std::time::Duration;
/// use hook_http::{RetryPolicy, Settings};
/// let patient = Settings::default().timeout(Duration::from_secs(60)).retry(RetryPolicy::none());
/// assert_eq!(patient.retry.max_retries, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// Per request, each try (default 30 s).
    pub timeout: Duration,
    /// Retries of what may be sent again (default [`RetryPolicy::default`]).
    pub retry: RetryPolicy,
    /// Idle connections kept open (default [`DEFAULT_MAX_IDLE`]).
    pub max_idle: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            max_idle: DEFAULT_MAX_IDLE,
        }
    }
}

impl Settings {
    hook_model::setters! {
        /// Sets the per-try timeout (above zero, or building the client fails naming
        /// `timeout`).
        timeout: Duration;
        /// Sets the retry policy.
        retry: RetryPolicy;
        /// Sets how many idle connections are kept open.
        max_idle: usize;
    }
}

/// The per-try timeout unless set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything a provider client's transport needs. The provider crate builds one, plugging
/// in its token source (through [`Auth`]) and its [`ErrorDecoder`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The provider, for error context and tracing.
    pub provider: Provider,
    /// Requests' paths are joined to this.
    pub base_url: Url,
    /// How requests are authenticated.
    pub auth: Auth,
    /// Per request, each try.
    pub timeout: Duration,
    /// Retries of idempotent requests.
    pub retry: RetryPolicy,
    /// The `User-Agent`.
    pub user_agent: String,
    /// Accept `http://` base URLs on hosts other than loopback.
    pub allow_http: bool,
    /// Reads the provider's error bodies.
    pub errors: ErrorDecoder,
    /// The most idle connections kept open to the provider (default
    /// [`DEFAULT_MAX_IDLE`]); a burst beyond it opens more, closed once idle, so memory
    /// stays bounded however large the burst.
    pub max_idle: usize,
}

/// Idle connections kept per client by default.
pub const DEFAULT_MAX_IDLE: usize = 64;

impl ClientConfig {
    /// A configuration with defaults: 30 s timeout, [`RetryPolicy::default`], our user agent.
    ///
    /// The base URL must parse, and be HTTPS unless its host is loopback (`127.0.0.1`,
    /// `[::1]`, `localhost`) or [`ClientConfig::allow_http`] is set before
    /// [`ClientConfig::validate`].
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] naming `base_url` or `token_url` when it is not a URL, or not HTTPS
    /// off loopback.
    pub fn new(provider: Provider, base_url: &str, auth: Auth) -> Result<Self, Error> {
        let mut base = Url::parse(base_url)
            .map_err(|e| Error::invalid("base_url", format!("{base_url:?} is not a URL: {e}")))?;
        // A base without a trailing slash would lose its last segment on join.
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let config = ClientConfig {
            provider,
            base_url: base,
            auth,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            user_agent: concat!("hook/", env!("CARGO_PKG_VERSION")).to_owned(),
            allow_http: false,
            errors: plain_errors,
            max_idle: DEFAULT_MAX_IDLE,
        };
        config.validate()?;
        Ok(config)
    }

    hook_model::setters! {
        /// Allows plain HTTP to non-loopback hosts (off by default).
        allow_http: bool;
        /// Sets how many idle connections are kept open.
        max_idle: usize;
        /// Sets the per-try timeout.
        timeout: Duration;
        /// Sets the retry policy.
        retry: RetryPolicy;
        /// Sets how the provider's error bodies are read.
        errors: ErrorDecoder;
        /// Sets the `User-Agent`.
        user_agent: into String;
    }

    /// The same configuration with `settings`' timeout, retry policy and idle connections.
    pub fn settings(mut self, settings: &Settings) -> Self {
        self.timeout = settings.timeout;
        self.retry = settings.retry.clone();
        self.max_idle = settings.max_idle;
        self
    }

    /// Checks the base URL and token URL schemes.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] naming `base_url`, `token_url` or `timeout`.
    pub fn validate(&self) -> Result<(), Error> {
        check_scheme("base_url", &self.base_url, self.allow_http)?;
        let token_url = match &self.auth {
            Auth::Token(source) => Some(source.token_url()),
            Auth::None | Auth::Bearer(_) => None,
        };
        if let Some(token_url) = token_url {
            let url = Url::parse(token_url).map_err(|e| {
                Error::invalid("token_url", format!("{token_url:?} is not a URL: {e}"))
            })?;
            check_scheme("token_url", &url, self.allow_http)?;
        }
        if self.timeout.is_zero() {
            return Err(Error::invalid("timeout", "must be above zero"));
        }
        Ok(())
    }
}

/// Whether `url`'s host is a loopback address or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn check_scheme(field: &str, url: &Url, allow_http: bool) -> Result<(), Error> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_http || is_loopback(url) => Ok(()),
        "http" => Err(Error::invalid(
            field,
            format!("{url} is plain HTTP: use https://, or allow_http for a trusted network"),
        )),
        other => Err(Error::invalid(
            field,
            format!("scheme {other:?} is not http or https"),
        )),
    }
}

#[cfg(test)]
mod tests {
    /// url's IDNA backend is pinned to `idna_adapter` 1.1 (unicode-rs, for build time):
    /// international hostnames must still map to their ASCII form.
    #[test]
    fn international_domain_names_still_map_to_punycode() {
        let url = Url::parse("https://bücher.example/hooks").expect("an IDN URL parses");
        assert_eq!(url.host_str(), Some("xn--bcher-kva.example"));
        let url = Url::parse("https://ÄÖÜ.example/").expect("upper case maps");
        assert_eq!(url.host_str(), Some("xn--4ca0bs.example"));
    }

    use super::*;

    #[test]
    fn http_is_refused_except_on_loopback_or_when_allowed() {
        assert!(
            ClientConfig::new(Provider::new("acme"), "http://api.example.com", Auth::None).is_err()
        );
        assert!(
            ClientConfig::new(Provider::new("acme"), "https://api.example.com", Auth::None).is_ok()
        );
        assert!(
            ClientConfig::new(
                Provider::new("acme"),
                "http://127.0.0.1:8042/generic",
                Auth::None
            )
            .is_ok()
        );
        assert!(ClientConfig::new(Provider::new("acme"), "http://localhost/x", Auth::None).is_ok());
        let config =
            ClientConfig::new(Provider::new("acme"), "https://x.example", Auth::None).unwrap();
        let mut http = config.allow_http(true);
        http.base_url = Url::parse("http://api.example.com/").unwrap();
        assert!(http.validate().is_ok());
        assert!(ClientConfig::new(Provider::new("acme"), "ftp://x", Auth::None).is_err());
        assert!(ClientConfig::new(Provider::new("acme"), "not a url", Auth::None).is_err());
    }

    #[test]
    fn base_urls_gain_a_trailing_slash() {
        let config = ClientConfig::new(
            Provider::new("acme"),
            "https://api.example.com/svc",
            Auth::None,
        )
        .unwrap();
        assert_eq!(
            config.base_url.join("v1/webhooks").unwrap().as_str(),
            "https://api.example.com/svc/v1/webhooks"
        );
    }

    #[test]
    fn backoff_stays_under_the_doubling_cap() {
        let policy = RetryPolicy::default();
        for n in 1..10 {
            let ceiling = Duration::from_millis(100 * 2u64.pow(n - 1)).min(policy.max_delay);
            assert!(policy.backoff(n) <= ceiling);
        }
    }

    #[test]
    fn debug_prints_no_secret() {
        let auth = Auth::token(crate::OAuth2::client_credentials(
            "https://x",
            "id",
            "hunter2",
        ));
        let config = ClientConfig::new(Provider::new("acme"), "https://x.example", auth).unwrap();
        assert!(!format!("{config:?}").contains("hunter2"));
        assert!(!format!("{:?}", Auth::Bearer(Secret::new("tok123"))).contains("tok123"));
    }
}
