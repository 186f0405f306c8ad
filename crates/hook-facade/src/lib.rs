//! One crate for hook: the model, signing, and each provider's client behind a feature
//! (`uipath`, `port`, `up42`, `generic`, all on by default; `emulator` off), with
//! [`connect`] turning a [`ProviderConfig`] into a `Box<dyn WebhookApi>`.
//!
//! The same function runs on any provider:
//!
//! ```no_run
//! use hook_facade::{Provider, ProviderConfig, WebhookApi, WebhookSpec, connect};
//!
//! async fn subscribe(api: &dyn WebhookApi, url: &str) -> Result<String, hook_facade::Error> {
//!     let spec = WebhookSpec::builder(url).name("orders").events(["job.status"]).build();
//!     Ok(api.create(&spec).await?.id.to_string())
//! }
//!
//! # async fn run() -> Result<(), hook_facade::Error> {
//! for provider in [Provider::Up42, Provider::Generic] {
//!     let api = connect(ProviderConfig::from_env(provider)?)?;
//!     println!("{provider}: {}", subscribe(api.as_ref(), "https://example.com/hooks").await?);
//! }
//! # Ok(()) }
//! ```
//!
//! | variable | provider | meaning |
//! |---|---|---|
//! | `HOOK_UIPATH_URL` | UiPath | host, default `https://cloud.uipath.com` |
//! | `HOOK_UIPATH_ORG`, `HOOK_UIPATH_TENANT` | UiPath | organization and tenant (required) |
//! | `HOOK_UIPATH_PAT` | UiPath | a personal access token, or else: |
//! | `HOOK_UIPATH_CLIENT_ID`, `HOOK_UIPATH_CLIENT_SECRET` | UiPath | client credentials |
//! | `HOOK_PORT_URL` | Port | default `https://api.getport.io` |
//! | `HOOK_PORT_CLIENT_ID`, `HOOK_PORT_CLIENT_SECRET` | Port | required |
//! | `HOOK_UP42_URL`, `HOOK_UP42_TOKEN_URL` | UP42 | defaults `https://api.up42.com` and UP42's auth server |
//! | `HOOK_UP42_USERNAME`, `HOOK_UP42_PASSWORD`, `HOOK_UP42_WORKSPACE` | UP42 | required |
//! | `HOOK_GENERIC_URL`, `HOOK_GENERIC_API_KEY` | generic | required |
#![deny(missing_docs)]

use std::fmt;

pub use hook_model as model;
pub use hook_model::{
    Capabilities, Error, Event, EventType, ListQuery, Page, Provider, Secret, TestOutcome, Webhook,
    WebhookApi, WebhookId, WebhookPatch, WebhookSpec, list_all,
};
pub use hook_sign as sign;
pub use hook_sign::{Scheme, Signer, Verifier};

#[cfg(feature = "emulator")]
pub use hook_emulator as emulator;
#[cfg(feature = "generic")]
pub use hook_generic as generic;
#[cfg(feature = "port")]
pub use hook_port as port;
#[cfg(feature = "uipath")]
pub use hook_uipath as uipath;
#[cfg(feature = "up42")]
pub use hook_up42 as up42;

/// UP42's token endpoint.
pub const UP42_TOKEN_URL: &str =
    "https://auth.up42.com/realms/public/protocol/openid-connect/token";

/// How to reach one provider. Secrets stay out of `Debug`.
#[derive(Clone)]
#[non_exhaustive]
pub enum ProviderConfig {
    /// UiPath Orchestrator in Automation Cloud (or any host with the same layout).
    UiPath {
        /// `https://cloud.uipath.com`.
        host: String,
        /// The organization.
        organization: String,
        /// The tenant.
        tenant: String,
        /// A personal access token, or
        personal_access_token: Option<Secret>,
        /// client credentials.
        client: Option<(String, Secret)>,
    },
    /// Port.
    Port {
        /// `https://api.getport.io`.
        base_url: String,
        /// `clientId`.
        client_id: String,
        /// `clientSecret`.
        client_secret: Secret,
    },
    /// UP42.
    Up42 {
        /// `https://api.up42.com`.
        base_url: String,
        /// The token endpoint.
        token_url: String,
        /// The account.
        username: String,
        /// Its password.
        password: Secret,
        /// The workspace.
        workspace: String,
    },
    /// A generic `/v1/webhooks` service.
    Generic {
        /// The service's base URL.
        base_url: String,
        /// The API key.
        api_key: Secret,
    },
}

impl fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderConfig::UiPath {
                host,
                organization,
                tenant,
                personal_access_token,
                client,
            } => f
                .debug_struct("UiPath")
                .field("host", host)
                .field("organization", organization)
                .field("tenant", tenant)
                .field(
                    "personal_access_token",
                    &personal_access_token.as_ref().map(|_| "<redacted>"),
                )
                .field("client_id", &client.as_ref().map(|(id, _)| id))
                .finish_non_exhaustive(),
            ProviderConfig::Port {
                base_url,
                client_id,
                ..
            } => f
                .debug_struct("Port")
                .field("base_url", base_url)
                .field("client_id", client_id)
                .finish_non_exhaustive(),
            ProviderConfig::Up42 {
                base_url,
                username,
                workspace,
                ..
            } => f
                .debug_struct("Up42")
                .field("base_url", base_url)
                .field("username", username)
                .field("workspace", workspace)
                .finish_non_exhaustive(),
            ProviderConfig::Generic { base_url, .. } => f
                .debug_struct("Generic")
                .field("base_url", base_url)
                .finish_non_exhaustive(),
        }
    }
}

impl ProviderConfig {
    /// Reads the variables of the table above for `provider` from the environment.
    pub fn from_env(provider: Provider) -> Result<Self, Error> {
        ProviderConfig::from_vars(provider, |name| {
            std::env::var(name).ok().filter(|v| !v.is_empty())
        })
    }

    /// As [`ProviderConfig::from_env`], reading variables through `var`.
    pub fn from_vars(
        provider: Provider,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, Error> {
        let required = |name: &str| {
            var(name).ok_or_else(|| {
                Error::validation(
                    name,
                    format!("set {name} to use {}", provider.display_name()),
                )
            })
        };
        Ok(match provider {
            Provider::UiPath => {
                let personal_access_token = var("HOOK_UIPATH_PAT").map(Secret::new);
                let client = match personal_access_token {
                    Some(_) => None,
                    None => Some((
                        required("HOOK_UIPATH_CLIENT_ID")?,
                        Secret::new(required("HOOK_UIPATH_CLIENT_SECRET")?),
                    )),
                };
                ProviderConfig::UiPath {
                    host: var("HOOK_UIPATH_URL")
                        .unwrap_or_else(|| "https://cloud.uipath.com".into()),
                    organization: required("HOOK_UIPATH_ORG")?,
                    tenant: required("HOOK_UIPATH_TENANT")?,
                    personal_access_token,
                    client,
                }
            }
            Provider::Port => ProviderConfig::Port {
                base_url: var("HOOK_PORT_URL").unwrap_or_else(|| "https://api.getport.io".into()),
                client_id: required("HOOK_PORT_CLIENT_ID")?,
                client_secret: Secret::new(required("HOOK_PORT_CLIENT_SECRET")?),
            },
            Provider::Up42 => ProviderConfig::Up42 {
                base_url: var("HOOK_UP42_URL").unwrap_or_else(|| "https://api.up42.com".into()),
                token_url: var("HOOK_UP42_TOKEN_URL").unwrap_or_else(|| UP42_TOKEN_URL.into()),
                username: required("HOOK_UP42_USERNAME")?,
                password: Secret::new(required("HOOK_UP42_PASSWORD")?),
                workspace: required("HOOK_UP42_WORKSPACE")?,
            },
            Provider::Generic => ProviderConfig::Generic {
                base_url: required("HOOK_GENERIC_URL")?,
                api_key: Secret::new(required("HOOK_GENERIC_API_KEY")?),
            },
        })
    }

    /// The configuration that reaches `provider` on a running emulator.
    #[cfg(feature = "emulator")]
    pub fn for_emulator(emulator: &hook_emulator::EmulatorHandle, provider: Provider) -> Self {
        let c = emulator.credentials();
        match provider {
            Provider::UiPath => ProviderConfig::UiPath {
                host: emulator.uipath_host(),
                organization: c.uipath.organization.clone(),
                tenant: c.uipath.tenant.clone(),
                personal_access_token: None,
                client: Some((c.uipath.client_id.clone(), c.uipath.client_secret.clone())),
            },
            Provider::Port => ProviderConfig::Port {
                base_url: emulator.port_base(),
                client_id: c.port.client_id.clone(),
                client_secret: c.port.client_secret.clone(),
            },
            Provider::Up42 => ProviderConfig::Up42 {
                base_url: emulator.up42_base(),
                token_url: emulator.up42_token_url(),
                username: c.up42.username.clone(),
                password: c.up42.password.clone(),
                workspace: c.up42.workspace_id.clone(),
            },
            Provider::Generic => ProviderConfig::Generic {
                base_url: emulator.generic_base(),
                api_key: c.generic.api_key.clone(),
            },
        }
    }

    /// The provider this configuration reaches.
    pub fn provider(&self) -> Provider {
        match self {
            ProviderConfig::UiPath { .. } => Provider::UiPath,
            ProviderConfig::Port { .. } => Provider::Port,
            ProviderConfig::Up42 { .. } => Provider::Up42,
            ProviderConfig::Generic { .. } => Provider::Generic,
        }
    }
}

/// A client for the configured provider behind the common trait. A provider whose
/// feature is off answers [`Error::Unsupported`].
pub fn connect(config: ProviderConfig) -> Result<Box<dyn WebhookApi>, Error> {
    let provider = config.provider();
    let off = || Error::Unsupported {
        provider,
        operation: "connect: this build leaves the provider's feature off",
    };
    match config {
        #[cfg(feature = "uipath")]
        ProviderConfig::UiPath {
            host,
            organization,
            tenant,
            personal_access_token,
            client,
        } => {
            let auth = match (personal_access_token, client) {
                (Some(token), _) => hook_uipath::UiPathAuth::PersonalAccessToken(token),
                (None, Some((id, secret))) => {
                    hook_uipath::UiPathAuth::client_credentials(id, secret)
                }
                (None, None) => {
                    return Err(Error::validation(
                        "auth",
                        "UiPath needs a token or client credentials",
                    ));
                }
            };
            Ok(Box::new(hook_uipath::UiPathClient::cloud(
                &host,
                &organization,
                &tenant,
                auth,
            )?))
        }
        #[cfg(feature = "port")]
        ProviderConfig::Port {
            base_url,
            client_id,
            client_secret,
        } => Ok(Box::new(hook_port::PortClient::new(
            &base_url,
            client_id,
            client_secret,
        )?)),
        #[cfg(feature = "up42")]
        ProviderConfig::Up42 {
            base_url,
            token_url,
            username,
            password,
            workspace,
        } => Ok(Box::new(hook_up42::Up42Client::new(
            &base_url, &token_url, username, password, workspace,
        )?)),
        #[cfg(feature = "generic")]
        ProviderConfig::Generic { base_url, api_key } => Ok(Box::new(
            hook_generic::GenericClient::new(&base_url, api_key)?,
        )),
        #[allow(unreachable_patterns)] // reachable when a provider feature is off
        _ => Err(off()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn missing_variables_are_named() {
        let vars: HashMap<&str, &str> = HashMap::from([("HOOK_GENERIC_URL", "https://x.example")]);
        let error =
            ProviderConfig::from_vars(Provider::Generic, |k| vars.get(k).map(|v| v.to_string()))
                .unwrap_err();
        assert!(
            matches!(error, Error::Validation { ref field, .. } if field == "HOOK_GENERIC_API_KEY"),
            "{error}"
        );
    }

    #[test]
    fn a_pat_replaces_client_credentials_and_defaults_fill_in() {
        let vars: HashMap<&str, &str> = HashMap::from([
            ("HOOK_UIPATH_ORG", "o"),
            ("HOOK_UIPATH_TENANT", "t"),
            ("HOOK_UIPATH_PAT", "pat-secret"),
        ]);
        let config =
            ProviderConfig::from_vars(Provider::UiPath, |k| vars.get(k).map(|v| v.to_string()))
                .unwrap();
        assert!(
            matches!(&config, ProviderConfig::UiPath { host, client: None, .. } if host == "https://cloud.uipath.com")
        );
        assert!(!format!("{config:?}").contains("pat-secret"));
        assert_eq!(connect(config).unwrap().provider(), Provider::UiPath);
    }

    #[test]
    fn every_provider_connects_from_variables() {
        let vars: HashMap<&str, &str> = HashMap::from([
            ("HOOK_UIPATH_ORG", "o"),
            ("HOOK_UIPATH_TENANT", "t"),
            ("HOOK_UIPATH_CLIENT_ID", "id"),
            ("HOOK_UIPATH_CLIENT_SECRET", "s"),
            ("HOOK_PORT_CLIENT_ID", "id"),
            ("HOOK_PORT_CLIENT_SECRET", "s"),
            ("HOOK_UP42_USERNAME", "u"),
            ("HOOK_UP42_PASSWORD", "p"),
            ("HOOK_UP42_WORKSPACE", "w-1"),
            ("HOOK_GENERIC_URL", "https://x.example"),
            ("HOOK_GENERIC_API_KEY", "k"),
        ]);
        for provider in Provider::ALL {
            let config =
                ProviderConfig::from_vars(provider, |k| vars.get(k).map(|v| v.to_string()))
                    .unwrap();
            assert_eq!(connect(config).unwrap().provider(), provider);
        }
    }

    #[test]
    fn plain_http_off_loopback_is_refused_at_connect() {
        let config = ProviderConfig::Generic {
            base_url: "http://api.example.com".into(),
            api_key: Secret::new("k"),
        };
        assert!(matches!(connect(config), Err(Error::Validation { .. })));
    }
}
