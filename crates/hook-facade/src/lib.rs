//! One crate for hook: the model, signing, and each provider's crate behind a feature
//! (`uipath`, `port`, `up42`, `generic`, all on by default), with [`providers`] listing
//! each one's [`Descriptor`], [`connect`] turning a [`ProviderConfig`] into a
//! `Box<dyn WebhookApi>` and [`Event::parse`] reading any provider's delivery body. TLS crypto comes from `ring` (feature `ring`, on by default)
//! or AWS-LC (`aws-lc-rs`: turn off default features, then name the providers and it); see
//! `hook_http::tls`.
//!
//! The same function runs on any provider:
//!
//! ```no_run
//! use hook_facade::{ProviderConfig, WebhookApi, WebhookSpec, connect};
//!
//! async fn subscribe(api: &dyn WebhookApi, url: &str) -> Result<String, hook_facade::Error> {
//!     let spec = WebhookSpec::builder(url).name("orders").events(["job.status"]).build();
//!     Ok(api.create(&spec).await?.id.to_string())
//! }
//!
//! # async fn run() -> Result<(), hook_facade::Error> {
//! for provider in [hook_facade::up42::PROVIDER, hook_facade::generic::PROVIDER] {
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
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

pub use hook_http as transport;
pub use hook_model as model;
pub use hook_model::{
    Capabilities, DeliveryEvent, DeliveryPolicy, Descriptor, Error, EventType, ListQuery, Page,
    Provider, Secret, TestOutcome, UnknownProvider, Webhook, WebhookApi, WebhookId, WebhookPatch,
    WebhookSpec, list_all,
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
/// Each line: the feature and crate, the configuration variant and type, and the function
/// that makes a client from it. Everything else about a provider is its crate's
/// [`Descriptor`], read through [`providers`].
macro_rules! providers {
    ($($feature:literal $krate:ident: $variant:ident($config:ident), $client:path;)*) => {
        /// How to reach one provider: the provider crate's own configuration. Secrets stay
        /// out of `Debug`.
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum ProviderConfig {
            $(
                #[doc = concat!("`", stringify!($krate), "::", stringify!($config), "`.")]
                #[cfg(feature = $feature)]
                $variant($krate::$config),
            )*
        }

        $(
            #[cfg(feature = $feature)]
            impl From<$krate::$config> for ProviderConfig {
                fn from(config: $krate::$config) -> Self {
                    ProviderConfig::$variant(config)
                }
            }
        )*

        impl ProviderConfig {
            /// As [`ProviderConfig::from_env`], reading variables through `var`.
            ///
            /// # Errors
            ///
            /// [`Error::Invalid`] naming a missing or wrong variable; [`Error::Unsupported`]
            /// when this build leaves the provider's feature off.
            pub fn from_vars(
                provider: Provider,
                var: impl Fn(&str) -> Option<String>,
            ) -> Result<Self, Error> {
                $(
                    #[cfg(feature = $feature)]
                    if provider == $krate::PROVIDER {
                        return Ok(ProviderConfig::$variant($krate::$config::from_vars(var)?));
                    }
                )*
                let _ = &var;
                Err(off(provider))
            }

            /// The same configuration with `settings` for its client's transport: the
            /// per-try timeout, the retry policy, idle connections.
            ///
            /// ```
            /// use std::time::Duration;
            /// use hook_facade::{ProviderConfig, transport::Settings};
            /// let config = ProviderConfig::from_pairs(
            ///     hook_facade::generic::PROVIDER,
            ///     &[("HOOK_GENERIC_URL", "https://x.example"), ("HOOK_GENERIC_API_KEY", "k")],
            /// )?
            /// .transport(Settings::default().timeout(Duration::from_secs(5)));
            /// assert!(hook_facade::connect(config).is_ok());
            /// # Ok::<(), hook_facade::Error>(())
            /// ```
            pub fn transport(self, settings: hook_http::Settings) -> Self {
                let _ = &settings; // unused when every provider's feature is off
                match self {
                    $(
                        #[cfg(feature = $feature)]
                        ProviderConfig::$variant(mut config) => {
                            config.transport = settings;
                            ProviderConfig::$variant(config)
                        }
                    )*
                }
            }

            /// The provider this configuration reaches.
            pub fn provider(&self) -> Provider {
                match *self {
                    $(
                        #[cfg(feature = $feature)]
                        ProviderConfig::$variant(_) => $krate::PROVIDER,
                    )*
                }
            }
        }

        /// A client for the configured provider behind the common trait.
        ///
        /// # Errors
        ///
        /// [`Error::Invalid`] when the configuration is refused (a plain-HTTP URL off
        /// loopback, say).
        pub fn connect(config: ProviderConfig) -> Result<Box<dyn WebhookApi>, Error> {
            match config {
                $(
                    #[cfg(feature = $feature)]
                    ProviderConfig::$variant(config) => Ok(Box::new($client(config)?)),
                )*
            }
        }

        /// Every provider this build knows (one per feature turned on), in a stable order.
        // Pushed one by one: each line has its own feature.
        #[allow(clippy::vec_init_then_push)]
        pub fn providers() -> &'static [&'static Descriptor] {
            static ALL: std::sync::OnceLock<Vec<&'static Descriptor>> = std::sync::OnceLock::new();
            ALL.get_or_init(|| {
                #[allow(unused_mut)] // empty when every provider's feature is off
                let mut all: Vec<&'static Descriptor> = Vec::new();
                $(
                    #[cfg(feature = $feature)]
                    all.push(&$krate::DESCRIPTOR);
                )*
                all
            })
        }
    };
}

providers! {
    "uipath" hook_uipath: UiPath(UiPathConfig), hook_uipath::UiPathClient::new;
    "port" hook_port: Port(PortConfig), hook_port::PortClient::new;
    "up42" hook_up42: Up42(Up42Config), hook_up42::Up42Client::new;
    "generic" hook_generic: Generic(GenericConfig), hook_generic::GenericClient::from_config;
}

/// The providers a program knows: those built into this crate by feature
/// ([`Registry::builtin`]), and any added with [`Registry::with`]: a provider crate of
/// your own, or a test provider, is one line. The free functions of this crate
/// ([`descriptor`], [`find`], [`connect_vars`], [`Event::parse`]) use the built-in one.
///
/// ```
/// use hook_facade::{Registry, generic};
/// let registry = Registry::empty().with(&generic::DESCRIPTOR);
/// assert_eq!(registry.find("Generic")?.provider, generic::PROVIDER);
/// assert!(registry.find("uipath").is_err());
/// # Ok::<(), hook_facade::UnknownProvider>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Registry {
    providers: Vec<&'static Descriptor>,
}

impl Registry {
    /// The providers whose features this build turned on.
    pub fn builtin() -> Registry {
        Registry {
            providers: providers().to_vec(),
        }
    }

    /// No provider.
    pub fn empty() -> Registry {
        Registry::default()
    }

    /// The same registry with `descriptor`'s provider, replacing one of the same name.
    pub fn with(mut self, descriptor: &'static Descriptor) -> Registry {
        self.providers.retain(|d| d.provider != descriptor.provider);
        self.providers.push(descriptor);
        self
    }

    /// Its providers, in the order they were added.
    pub fn providers(&self) -> &[&'static Descriptor] {
        &self.providers
    }

    /// The descriptor of `provider`.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`] when the registry does not have it, naming the ones it has.
    pub fn descriptor(&self, provider: Provider) -> Result<&'static Descriptor, Error> {
        self.providers
            .iter()
            .copied()
            .find(|d| d.provider == provider)
            .ok_or_else(|| self.off(provider))
    }

    /// The descriptor of the provider named `name` (any case), for names typed by a person.
    ///
    /// # Errors
    ///
    /// [`UnknownProvider`] naming the providers the registry has.
    pub fn find(&self, name: &str) -> Result<&'static Descriptor, UnknownProvider> {
        let provider = name.parse::<Provider>().ok();
        self.providers
            .iter()
            .copied()
            .find(|d| Some(d.provider) == provider)
            .ok_or_else(|| UnknownProvider::new(name, format!("expected one of {}", self.names())))
    }

    /// A client for `provider` from its `HOOK_*` variables read through `var`.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`] when the registry does not have `provider`; otherwise
    /// [`Error::Invalid`] naming a missing or wrong variable.
    pub fn connect_vars(
        &self,
        provider: Provider,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Box<dyn WebhookApi>, Error> {
        self.descriptor(provider)?.connect_with(var)
    }

    /// Parses a delivery body sent by `provider`.
    ///
    /// # Errors
    ///
    /// As [`Event::parse`], for this registry's providers.
    pub fn parse(&self, provider: Provider, bytes: &[u8]) -> Result<Event, Error> {
        Ok(Event {
            provider,
            body: self.descriptor(provider)?.parse(bytes)?,
        })
    }

    fn names(&self) -> String {
        let names: Vec<String> = self
            .providers
            .iter()
            .map(|d| d.provider.to_string())
            .collect();
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    }

    fn off(&self, provider: Provider) -> Error {
        Error::unsupported(
            provider,
            "connect",
            format!(
                "this build of hook-facade knows no provider {provider}: turn on its feature in \
                 Cargo.toml, or add its descriptor with Registry::with (known: {})",
                self.names()
            ),
        )
    }
}

/// The built-in registry, made once.
fn builtin() -> &'static Registry {
    static BUILTIN: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    BUILTIN.get_or_init(Registry::builtin)
}

fn off(provider: Provider) -> Error {
    builtin().off(provider)
}

/// The descriptor of `provider` among the built-in providers ([`Registry::descriptor`]).
///
/// # Errors
///
/// [`Error::Unsupported`] when this build does not have it (its feature is off, or no such
/// provider exists), naming the ones it has.
pub fn descriptor(provider: Provider) -> Result<&'static Descriptor, Error> {
    builtin().descriptor(provider)
}

/// The built-in provider named `name` (any case), for names typed by a person
/// ([`Registry::find`]).
///
/// # Errors
///
/// [`UnknownProvider`] naming the providers this build has.
pub fn find(name: &str) -> Result<&'static Descriptor, UnknownProvider> {
    builtin().find(name)
}

/// A client for `provider` from its `HOOK_*` variables read through `var`
/// ([`Registry::connect_vars`]).
///
/// # Errors
///
/// As [`ProviderConfig::from_vars`].
pub fn connect_vars(
    provider: Provider,
    var: impl Fn(&str) -> Option<String>,
) -> Result<Box<dyn WebhookApi>, Error> {
    builtin().connect_vars(provider, var)
}

/// A delivery body of any provider built in: the provider crate's own type behind
/// [`DeliveryEvent`], which [`Event::downcast_ref`] gives back.
#[derive(Debug)]
pub struct Event {
    provider: Provider,
    body: Box<dyn DeliveryEvent>,
}

impl Event {
    /// Parses a delivery body sent by `provider`.
    ///
    /// ```
    /// use hook_facade::{Event, generic};
    /// let body = br#"{"id":"evt_1","type":"user.created","created_at":"2026-01-15T12:30:00Z","data":{}}"#;
    /// let event = Event::parse(generic::PROVIDER, body)?;
    /// assert_eq!(event.kind(), "user.created");
    /// assert_eq!(event.downcast_ref::<generic::GenericEvent>().unwrap().id, "evt_1");
    /// # Ok::<(), hook_facade::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the body is not one of the provider's deliveries;
    /// [`Error::Unsupported`] when this build does not have the provider.
    pub fn parse(provider: Provider, bytes: &[u8]) -> Result<Self, Error> {
        builtin().parse(provider, bytes)
    }

    /// Which provider sent it.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The provider crate's own type (`hook_uipath::UiPathEvent`, …), when it is `T`.
    pub fn downcast_ref<T: DeliveryEvent>(&self) -> Option<&T> {
        let any: &dyn std::any::Any = self.body.as_ref();
        any.downcast_ref()
    }
}

/// `provider`'s event catalog, from its crate (empty when this build does not have it).
pub fn catalog(provider: Provider) -> &'static [hook_model::CatalogEntry] {
    descriptor(provider).map_or(&[], |d| d.catalog)
}

/// Every `HOOK_*` variable of every provider built in, with its provider and meaning.
pub fn variables() -> Vec<(Provider, &'static str, &'static str)> {
    providers()
        .iter()
        .flat_map(|d| {
            d.variables
                .iter()
                .map(|(name, meaning)| (d.provider, *name, *meaning))
        })
        .collect()
}

impl ProviderConfig {
    /// Reads the provider's `HOOK_*` variables (see [`variables`]) from the environment.
    /// A missing one is [`Error::Invalid`] naming the variable.
    ///
    /// # Errors
    ///
    /// As [`ProviderConfig::from_vars`].
    pub fn from_env(provider: Provider) -> Result<Self, Error> {
        ProviderConfig::from_vars(provider, |name| {
            std::env::var(name).ok().filter(|v| !v.is_empty())
        })
    }

    /// As [`ProviderConfig::from_env`], reading `(name, value)` pairs, such as those a
    /// running emulator hands out.
    ///
    /// # Errors
    ///
    /// As [`ProviderConfig::from_vars`].
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
        self.body.kind()
    }

    /// The event's id, when the payload has one.
    pub fn id(&self) -> Option<&str> {
        self.body.event_id()
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
            ProviderConfig::from_vars(generic::PROVIDER, |k| vars.get(k).map(|v| v.to_string()))
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
        let config = ProviderConfig::from_pairs(uipath::PROVIDER, &vars).unwrap();
        assert!(
            matches!(&config, ProviderConfig::UiPath(c) if c.host == "https://cloud.uipath.com")
        );
        assert!(!format!("{config:?}").contains("pat-secret"));
        assert_eq!(connect(config).unwrap().provider(), uipath::PROVIDER);
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
        assert_eq!(providers().len(), 4);
        for provider in providers().iter().map(|d| d.provider) {
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
                uipath::PROVIDER,
                &br#"{"Type":"ping","EventId":"c3319a2d","Timestamp":"2018-11-19T14:32:47.6024779Z","TenantId":57,"OrganizationUnitId":null}"#[..],
                "ping",
            ),
            // Port's body is the action's own: read as it came, of the kind `invocation`.
            (
                port::PROVIDER,
                br#"{"action":{"identifier":"deploy"},"payload":{"service":"checkout"}}"#,
                "invocation",
            ),
            (
                up42::PROVIDER,
                br#"{"event":"job.status","body":{"jobId":"j-1","status":"SUCCEEDED"}}"#,
                "job.status",
            ),
        ];
        for (provider, body, kind) in cases {
            let event = Event::parse(provider, body).unwrap();
            assert_eq!(event.provider(), provider);
            assert_eq!(event.kind(), kind);
        }
        let uipath = Event::parse(uipath::PROVIDER, cases[0].1).unwrap();
        assert_eq!(
            uipath
                .downcast_ref::<uipath::UiPathEvent>()
                .unwrap()
                .event_id,
            "c3319a2d"
        );
        assert!(uipath.downcast_ref::<port::PortEvent>().is_none());
    }

    #[test]
    fn names_typed_by_a_person_find_their_provider_or_say_which_exist() {
        assert_eq!(find(" UiPath ").unwrap().provider, uipath::PROVIDER);
        let error = find("github").unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown provider \"github\": expected one of uipath, port, up42, generic"
        );
        let absent = descriptor(Provider::new("acme")).unwrap_err();
        assert!(matches!(absent, Error::Unsupported { .. }), "{absent}");
        assert!(
            absent
                .to_string()
                .contains("known: uipath, port, up42, generic"),
            "{absent}"
        );
        assert!(Event::parse(Provider::new("acme"), b"{}").is_err());
        assert!(catalog(Provider::new("acme")).is_empty());
    }

    /// A provider of an outside crate: one line registers it, and everything the
    /// registry does works for it as for a built-in one.
    #[test]
    fn an_outside_provider_is_one_line_in_a_registry() {
        const ACME: Provider = Provider::new("acme");
        #[derive(Debug)]
        struct AcmeEvent(EventType);
        impl DeliveryEvent for AcmeEvent {
            fn kind(&self) -> &EventType {
                &self.0
            }
            fn event_id(&self) -> Option<&str> {
                None
            }
        }
        static ACME_DESCRIPTOR: Descriptor = Descriptor::new(
            "Acme",
            Capabilities::new(ACME, hook_model::Paging::None),
            |vars| {
                // Reaches the generic service's client, configured by Acme's variables.
                let url = vars("HOOK_ACME_URL")
                    .ok_or_else(|| Error::invalid("HOOK_ACME_URL", "required"))?;
                hook_model::boxed_api(hook_generic::GenericClient::new(&url, "k"))
            },
            |body| {
                let text =
                    std::str::from_utf8(body).map_err(|_| Error::invalid("body", "not UTF-8"))?;
                hook_model::boxed_event(Ok(AcmeEvent(EventType::new(text))))
            },
            hook_sign::Scheme::generic,
        );
        let registry = Registry::builtin().with(&ACME_DESCRIPTOR);
        assert_eq!(registry.providers().len(), 5);
        assert_eq!(registry.find("ACME").unwrap().display_name, "Acme");
        let event = registry.parse(ACME, b"thing.done").unwrap();
        assert_eq!(
            (event.provider(), event.kind().as_str()),
            (ACME, "thing.done")
        );
        assert!(event.downcast_ref::<AcmeEvent>().is_some());
        let missing = registry.connect_vars(ACME, |_| None).err().unwrap();
        assert_eq!(missing.field(), Some("HOOK_ACME_URL"));
        let api = registry
            .connect_vars(ACME, |_| Some("https://acme.example".into()))
            .unwrap();
        assert_eq!(api.provider(), generic::PROVIDER, "the stand-in client");
        // The built-in registry is unchanged.
        assert!(find("acme").is_err());
    }
}
