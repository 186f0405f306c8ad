//! Where Orchestrator is, who is calling, and the `HOOK_UIPATH_*` variables that say so.

use std::fmt;

use hook_http::{Auth, OAuth2};
use hook_model::{Error, Secret};

/// Automation Cloud's host.
pub const CLOUD_HOST: &str = "https://cloud.uipath.com";

/// The scope asked for with client credentials unless told otherwise.
pub const DEFAULT_SCOPE: &str = "OR.Webhooks";
/// The scopes for read-only use.
pub const READ_SCOPE: &str = "OR.Webhooks.Read";
/// The scopes for write-only use.
pub const WRITE_SCOPE: &str = "OR.Webhooks.Write";

/// The environment variables [`UiPathConfig::from_vars`] reads.
pub mod env {
    /// The host, default [`super::CLOUD_HOST`].
    pub const URL: &str = "HOOK_UIPATH_URL";
    /// The organization (required).
    pub const ORG: &str = "HOOK_UIPATH_ORG";
    /// The tenant (required).
    pub const TENANT: &str = "HOOK_UIPATH_TENANT";
    /// A personal access token; when set, client credentials are not read.
    pub const PAT: &str = "HOOK_UIPATH_PAT";
    /// An external application's client id.
    pub const CLIENT_ID: &str = "HOOK_UIPATH_CLIENT_ID";
    /// Its client secret.
    pub const CLIENT_SECRET: &str = "HOOK_UIPATH_CLIENT_SECRET";
    /// Every variable with what it means, for help texts.
    pub const ALL: [(&str, &str); 6] = [
        (URL, "host, default https://cloud.uipath.com"),
        (ORG, "organization (required)"),
        (TENANT, "tenant (required)"),
        (PAT, "a personal access token, or else:"),
        (CLIENT_ID, "an external application's client id"),
        (CLIENT_SECRET, "its client secret"),
    ];
}

/// How the client authenticates.
#[derive(Clone)]
#[non_exhaustive]
pub enum UiPathAuth {
    /// A personal access token, sent as-is.
    PersonalAccessToken(Secret),
    /// An external application's client credentials.
    ClientCredentials {
        /// `client_id`.
        client_id: String,
        /// `client_secret`.
        client_secret: Secret,
        /// `scope`; [`DEFAULT_SCOPE`] unless set.
        scope: String,
    },
}

impl fmt::Debug for UiPathAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UiPathAuth::PersonalAccessToken(_) => f.write_str("PersonalAccessToken(<redacted>)"),
            UiPathAuth::ClientCredentials {
                client_id, scope, ..
            } => f
                .debug_struct("ClientCredentials")
                .field("client_id", client_id)
                .field("scope", scope)
                .finish_non_exhaustive(),
        }
    }
}

impl UiPathAuth {
    /// A personal access token.
    pub fn personal_access_token(token: impl Into<Secret>) -> Self {
        UiPathAuth::PersonalAccessToken(token.into())
    }

    /// Client credentials with the [`DEFAULT_SCOPE`].
    pub fn client_credentials(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        UiPathAuth::ClientCredentials {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scope: DEFAULT_SCOPE.into(),
        }
    }

    /// The same credentials asking for `scope` instead ([`READ_SCOPE`], [`WRITE_SCOPE`], or
    /// both separated by a space); a personal access token is unchanged.
    pub fn scope(self, scope: impl Into<String>) -> Self {
        match self {
            UiPathAuth::ClientCredentials {
                client_id,
                client_secret,
                ..
            } => UiPathAuth::ClientCredentials {
                client_id,
                client_secret,
                scope: scope.into(),
            },
            token => token,
        }
    }

    pub(crate) fn into_auth(self, token_url: String) -> Auth {
        match self {
            UiPathAuth::PersonalAccessToken(token) => Auth::Bearer(token),
            UiPathAuth::ClientCredentials {
                client_id,
                client_secret,
                scope,
            } => Auth::token(
                OAuth2::client_credentials(token_url, client_id, client_secret).scope(scope),
            ),
        }
    }
}

/// How to reach an Orchestrator tenant: host, organization, tenant and credentials.
///
/// ```
/// use hook_uipath::{UiPathAuth, UiPathConfig};
/// let config = UiPathConfig::cloud("my-org", "DefaultTenant", UiPathAuth::personal_access_token("pat"));
/// assert_eq!(config.base_url(), "https://cloud.uipath.com/my-org/DefaultTenant/orchestrator_/");
/// assert!(!format!("{config:?}").contains("pat\""));
/// let vars = [("HOOK_UIPATH_ORG", "o"), ("HOOK_UIPATH_TENANT", "t"), ("HOOK_UIPATH_PAT", "p")];
/// let config = UiPathConfig::from_vars(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()))?;
/// assert_eq!(config.organization, "o");
/// # Ok::<(), hook_model::Error>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UiPathConfig {
    /// The host, [`CLOUD_HOST`] unless set.
    pub host: String,
    /// The organization.
    pub organization: String,
    /// The tenant.
    pub tenant: String,
    /// The credentials.
    pub auth: UiPathAuth,
    /// Timeout, retries and idle connections of the client's transport.
    pub transport: hook_http::Settings,
}

impl UiPathConfig {
    /// A tenant of Automation Cloud.
    pub fn cloud(
        organization: impl Into<String>,
        tenant: impl Into<String>,
        auth: UiPathAuth,
    ) -> Self {
        UiPathConfig {
            host: CLOUD_HOST.into(),
            organization: organization.into(),
            tenant: tenant.into(),
            auth,
            transport: hook_http::Settings::default(),
        }
    }

    hook_model::setters! {
        /// The same, on another host with Automation Cloud's layout.
        host: into String;
    }

    /// Reads the [`mod@env`] variables through `var` (`std::env::var`, a test's map, …).
    /// A missing one is [`Error::Invalid`] naming the variable.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the `HOOK_*` variable that is missing or
    /// malformed.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let required = |name: &str| {
            var(name).ok_or_else(|| {
                Error::invalid(name, format!("set {name} to use UiPath Orchestrator"))
            })
        };
        let auth = match var(env::PAT) {
            Some(token) => UiPathAuth::personal_access_token(token),
            None => UiPathAuth::client_credentials(
                required(env::CLIENT_ID).map_err(|_| {
                    Error::invalid(
                        env::CLIENT_ID,
                        format!(
                            "set {} (a personal access token), or {} and {}",
                            env::PAT,
                            env::CLIENT_ID,
                            env::CLIENT_SECRET
                        ),
                    )
                })?,
                required(env::CLIENT_SECRET)?,
            ),
        };
        Ok(UiPathConfig {
            host: var(env::URL).unwrap_or_else(|| CLOUD_HOST.into()),
            organization: required(env::ORG)?,
            tenant: required(env::TENANT)?,
            auth,
            transport: hook_http::Settings::default(),
        })
    }

    /// `{host}/{organization}/{tenant}/orchestrator_/`.
    pub fn base_url(&self) -> String {
        format!(
            "{}/{}/{}/orchestrator_/",
            self.host.trim_end_matches('/'),
            self.organization,
            self.tenant
        )
    }

    /// The organization-scoped token endpoint,
    /// `{host}/{organization}/identity_/connect/token` (UiPath also answers on the unscoped
    /// `{host}/identity_/connect/token`).
    pub fn token_url(&self) -> String {
        format!(
            "{}/{}/identity_/connect/token",
            self.host.trim_end_matches('/'),
            self.organization
        )
    }
}
