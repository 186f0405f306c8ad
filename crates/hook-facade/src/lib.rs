//! One crate for hook: the model, signing, and each provider's crate behind a feature
//! (`uipath`, `port`, `up42`, `generic`, all on by default), with [`connect`] turning a
//! [`ProviderConfig`] into a `Box<dyn WebhookApi>` and [`Event::parse`] reading any
//! provider's delivery body. TLS crypto comes from `ring` (feature `ring`, on by default)
//! or AWS-LC (`aws-lc-rs`: turn off default features, then name the providers and it); see
//! `hook_http::tls`.
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
//! Each provider crate owns its variables (`hook_uipath::env`, `hook_port::env`,
//! `hook_up42::env`, `hook_generic::env`); [`variables`] lists them all:
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
//!
//! A local emulator of every provider is the `hook-emulator` crate; its
//! `EmulatorHandle::env` gives the variables that point a client at it.
#![deny(missing_docs)]

pub use hook_http as transport;
pub use hook_model as model;
pub use hook_model::{
    Capabilities, DeliveryEvent, Error, EventType, ListQuery, Page, Provider, Secret, TestOutcome,
    Webhook, WebhookApi, WebhookId, WebhookPatch, WebhookSpec, list_all,
};
pub use hook_sign as sign;
pub use hook_sign::{Scheme, Signer, Verifier};

#[cfg(feature = "generic")]
pub use hook_generic as generic;
#[cfg(feature = "port")]
pub use hook_port as port;
#[cfg(feature = "uipath")]
pub use hook_uipath as uipath;
#[cfg(feature = "up42")]
pub use hook_up42 as up42;

/// The one place that lists the providers: adding one is a line here (and its feature).
///
/// Each line: the [`Provider`], the feature and crate, its configuration type, the
/// function that makes a client from it, and its delivery body type.
macro_rules! providers {
    ($($provider:ident: $feature:literal $krate:ident, $config:ident, $client:path, $event:ident;)*) => {
        /// How to reach one provider: the provider crate's own configuration. Secrets stay
        /// out of `Debug`.
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum ProviderConfig {
            $(
                #[doc = concat!("`", stringify!($krate), "::", stringify!($config), "`.")]
                #[cfg(feature = $feature)]
                $provider($krate::$config),
            )*
        }

        $(
            #[cfg(feature = $feature)]
            impl From<$krate::$config> for ProviderConfig {
                fn from(config: $krate::$config) -> Self {
                    ProviderConfig::$provider(config)
                }
            }
        )*

        impl ProviderConfig {
            /// As [`ProviderConfig::from_env`], reading variables through `var`.
            pub fn from_vars(
                provider: Provider,
                var: impl Fn(&str) -> Option<String>,
            ) -> Result<Self, Error> {
                match provider {
                    $(
                        #[cfg(feature = $feature)]
                        Provider::$provider => Ok(ProviderConfig::$provider(
                            $krate::$config::from_vars(var)?,
                        )),
                    )*
                    #[allow(unreachable_patterns)] // reachable when a feature is off
                    other => Err(off(other)),
                }
            }

            /// The provider this configuration reaches.
            pub fn provider(&self) -> Provider {
                match self {
                    $(
                        #[cfg(feature = $feature)]
                        ProviderConfig::$provider(_) => Provider::$provider,
                    )*
                }
            }
        }

        /// A client for the configured provider behind the common trait.
        pub fn connect(config: ProviderConfig) -> Result<Box<dyn WebhookApi>, Error> {
            match config {
                $(
                    #[cfg(feature = $feature)]
                    ProviderConfig::$provider(config) => Ok(Box::new($client(config)?)),
                )*
            }
        }

        /// A delivery body of any provider built in.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            $(
                #[doc = concat!("`", stringify!($krate), "::", stringify!($event), "`.")]
                #[cfg(feature = $feature)]
                $provider(Box<$krate::$event>),
            )*
        }

        impl Event {
            /// Parses a delivery body sent by `provider`.
            ///
            /// ```
            /// use hook_facade::{Event, Provider};
            /// let body = br#"{"id":"evt_1","type":"user.created","created_at":"2026-01-15T12:30:00Z","data":{}}"#;
            /// let event = Event::parse(Provider::Generic, body)?;
            /// assert_eq!(event.kind(), "user.created");
            /// # Ok::<(), hook_facade::Error>(())
            /// ```
            pub fn parse(provider: Provider, bytes: &[u8]) -> Result<Self, Error> {
                match provider {
                    $(
                        #[cfg(feature = $feature)]
                        Provider::$provider => Ok(Event::$provider(Box::new(
                            $krate::parse_event(bytes)?,
                        ))),
                    )*
                    #[allow(unreachable_patterns)] // reachable when a feature is off
                    other => Err(off(other)),
                }
            }

            /// Which provider sent it.
            pub fn provider(&self) -> Provider {
                self.parts().0
            }

            fn body(&self) -> &dyn DeliveryEvent {
                self.parts().1
            }

            /// The sender and the body, from one match over the providers.
            fn parts(&self) -> (Provider, &dyn DeliveryEvent) {
                match self {
                    $(
                        #[cfg(feature = $feature)]
                        Event::$provider(event) => (Provider::$provider, event.as_ref()),
                    )*
                }
            }
        }

        /// `provider`'s event catalog, from its crate (empty when its feature is off).
        pub fn catalog(provider: Provider) -> &'static [hook_model::CatalogEntry] {
            match provider {
                $(
                    #[cfg(feature = $feature)]
                    Provider::$provider => &$krate::EVENTS,
                )*
                #[allow(unreachable_patterns)] // reachable when a feature is off
                _ => &[],
            }
        }

        /// Every `HOOK_*` variable of every provider built in, with its provider and meaning.
        pub fn variables() -> Vec<(Provider, &'static str, &'static str)> {
            let mut all = Vec::new();
            $(
                #[cfg(feature = $feature)]
                all.extend($krate::env::ALL.iter().map(|(name, meaning)| (Provider::$provider, *name, *meaning)));
            )*
            all
        }
    };
}

providers! {
    UiPath: "uipath" hook_uipath, UiPathConfig, hook_uipath::UiPathClient::new, UiPathEvent;
    Port: "port" hook_port, PortConfig, hook_port::PortClient::new, PortEvent;
    Up42: "up42" hook_up42, Up42Config, hook_up42::Up42Client::new, Up42Event;
    Generic: "generic" hook_generic, GenericConfig, hook_generic::GenericClient::from_config, GenericEvent;
}

fn off(provider: Provider) -> Error {
    Error::unsupported(
        provider,
        "connect",
        format!(
            "this build leaves the {provider} feature of hook-facade off: turn it on in Cargo.toml"
        ),
    )
}

impl ProviderConfig {
    /// Reads the provider's `HOOK_*` variables (see [`variables`]) from the environment.
    /// A missing one is [`Error::Invalid`] naming the variable.
    pub fn from_env(provider: Provider) -> Result<Self, Error> {
        ProviderConfig::from_vars(provider, |name| {
            std::env::var(name).ok().filter(|v| !v.is_empty())
        })
    }

    /// As [`ProviderConfig::from_env`], reading `(name, value)` pairs, such as those a
    /// running emulator hands out.
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        provider: Provider,
        pairs: &[(K, V)],
    ) -> Result<Self, Error> {
        ProviderConfig::from_vars(provider, |name| {
            pairs
                .iter()
                .find(|(k, _)| k.as_ref() == name)
                .map(|(_, v)| v.as_ref().to_owned())
        })
    }
}

impl Event {
    /// The event type.
    pub fn kind(&self) -> &EventType {
        self.body().kind()
    }

    /// The event's id, when the payload has one.
    pub fn id(&self) -> Option<&str> {
        self.body().event_id()
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
            matches!(&error, Error::Invalid { .. })
                && error.field() == Some("HOOK_GENERIC_API_KEY"),
            "{error}"
        );
    }

    #[test]
    fn a_pat_replaces_client_credentials_and_defaults_fill_in() {
        let vars = [
            ("HOOK_UIPATH_ORG", "o"),
            ("HOOK_UIPATH_TENANT", "t"),
            ("HOOK_UIPATH_PAT", "pat-secret"),
        ];
        let config = ProviderConfig::from_pairs(Provider::UiPath, &vars).unwrap();
        assert!(
            matches!(&config, ProviderConfig::UiPath(c) if c.host == "https://cloud.uipath.com")
        );
        assert!(!format!("{config:?}").contains("pat-secret"));
        assert_eq!(connect(config).unwrap().provider(), Provider::UiPath);
    }

    #[test]
    fn every_provider_connects_from_variables() {
        let vars = [
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
        ];
        for provider in Provider::ALL {
            let config = ProviderConfig::from_pairs(provider, &vars).unwrap();
            assert_eq!(config.provider(), provider);
            assert_eq!(connect(config).unwrap().provider(), provider);
        }
        let names: Vec<&str> = variables().iter().map(|(_, name, _)| *name).collect();
        for (name, _) in vars {
            assert!(names.contains(&name), "{name}");
        }
    }

    #[test]
    fn plain_http_off_loopback_is_refused_at_connect() {
        let config = generic::GenericConfig::new("http://api.example.com", "k");
        assert!(matches!(connect(config.into()), Err(Error::Invalid { .. })));
    }

    #[test]
    fn every_provider_parses_its_delivery_body() {
        let cases = [
            (
                Provider::UiPath,
                &br#"{"Type":"ping","EventId":"c3319a2d","Timestamp":"2018-11-19T14:32:47.6024779Z","TenantId":57,"OrganizationUnitId":null}"#[..],
                "ping",
            ),
            // Port's body is the action's own: read as it came, of the kind `invocation`.
            (
                Provider::Port,
                br#"{"action":{"identifier":"deploy"},"payload":{"service":"checkout"}}"#,
                "invocation",
            ),
            (
                Provider::Up42,
                br#"{"event":"job.status","body":{"jobId":"j-1","status":"SUCCEEDED"}}"#,
                "job.status",
            ),
        ];
        for (provider, body, kind) in cases {
            let event = Event::parse(provider, body).unwrap();
            assert_eq!(event.provider(), provider);
            assert_eq!(event.kind(), kind);
        }
    }
}
