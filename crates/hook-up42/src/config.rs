//! Where UP42 is, who is calling, and the `HOOK_UP42_*` variables that say so.

use hook_model::{Error, Secret};

/// UP42's API host.
pub const DEFAULT_BASE_URL: &str = "https://api.up42.com";
/// UP42's token endpoint.
pub const DEFAULT_TOKEN_URL: &str =
    "https://auth.up42.com/realms/public/protocol/openid-connect/token";
/// The SA region's API host.
pub const SA_BASE_URL: &str = "https://api.sa.up42.com";
/// The SA region's token endpoint.
pub const SA_TOKEN_URL: &str =
    "https://auth.sa.up42.com/realms/public/protocol/openid-connect/token";

/// The environment variables [`Up42Config::from_vars`] reads.
pub mod env {
    /// The API host, default [`super::DEFAULT_BASE_URL`].
    pub const URL: &str = "HOOK_UP42_URL";
    /// The token endpoint, default [`super::DEFAULT_TOKEN_URL`].
    pub const TOKEN_URL: &str = "HOOK_UP42_TOKEN_URL";
    /// The account (required).
    pub const USERNAME: &str = "HOOK_UP42_USERNAME";
    /// Its password (required).
    pub const PASSWORD: &str = "HOOK_UP42_PASSWORD";
    /// The workspace id (required).
    pub const WORKSPACE: &str = "HOOK_UP42_WORKSPACE";
    /// Every variable with what it means, for help texts.
    pub const ALL: [(&str, &str); 5] = [
        (URL, "API host, default https://api.up42.com"),
        (TOKEN_URL, "token endpoint, default UP42's auth server"),
        (USERNAME, "account (required)"),
        (PASSWORD, "password (required)"),
        (WORKSPACE, "workspace id (required)"),
    ];
}

/// How to reach a UP42 workspace.
///
/// ```
/// use hook_up42::Up42Config;
/// let config = Up42Config::new("me@example.com", "pw", "workspace-id");
/// assert_eq!(config.base_url, "https://api.up42.com");
/// assert!(!format!("{config:?}").contains("pw\""));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Up42Config {
    /// The API host.
    pub base_url: String,
    /// The token endpoint.
    pub token_url: String,
    /// The account.
    pub username: String,
    /// Its password.
    pub password: Secret,
    /// The workspace.
    pub workspace: String,
    /// Timeout, retries and idle connections of the client's transport.
    pub transport: hook_http::Settings,
}

impl Up42Config {
    /// UP42's hosts with this account and workspace.
    pub fn new(
        username: impl Into<String>,
        password: impl Into<Secret>,
        workspace: impl Into<String>,
    ) -> Self {
        Up42Config {
            base_url: DEFAULT_BASE_URL.into(),
            token_url: DEFAULT_TOKEN_URL.into(),
            username: username.into(),
            password: password.into(),
            workspace: workspace.into(),
            transport: hook_http::Settings::default(),
        }
    }

    /// The same, at other hosts (the SA region: [`SA_BASE_URL`], [`SA_TOKEN_URL`]).
    pub fn hosts(mut self, base_url: impl Into<String>, token_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self.token_url = token_url.into();
        self
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
            var(name).ok_or_else(|| Error::invalid(name, format!("set {name} to use UP42")))
        };
        Ok(Up42Config {
            base_url: var(env::URL).unwrap_or_else(|| DEFAULT_BASE_URL.into()),
            token_url: var(env::TOKEN_URL).unwrap_or_else(|| DEFAULT_TOKEN_URL.into()),
            username: required(env::USERNAME)?,
            password: Secret::new(required(env::PASSWORD)?),
            workspace: required(env::WORKSPACE)?,
            transport: hook_http::Settings::default(),
        })
    }
}
