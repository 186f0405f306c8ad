//! A provider as a value: everything a program needs to know about one provider, exported
//! by the provider's crate as one `static`.

use std::fmt;
use std::time::Duration;

use crate::{
    Capabilities, CatalogEntry, DeliveryEvent, Error, Provider, RetrySchedule, WebhookApi,
};

/// Reads one `HOOK_*` variable: `None` when unset.
pub type Vars<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Makes a client from the provider's `HOOK_*` variables.
pub type ConnectFn = fn(Vars<'_>) -> Result<Box<dyn WebhookApi>, Error>;

/// Parses one of the provider's delivery bodies.
pub type ParseFn = fn(&[u8]) -> Result<Box<dyn DeliveryEvent>, Error>;

/// A provider crate's client, boxed for a [`ConnectFn`]:
/// `|vars| boxed_api(AcmeConfig::from_vars(vars).and_then(AcmeClient::new))`.
///
/// # Errors
///
/// `api`'s own.
pub fn boxed_api<A: WebhookApi + 'static>(
    api: Result<A, Error>,
) -> Result<Box<dyn WebhookApi>, Error> {
    Ok(Box::new(api?))
}

/// A provider crate's delivery body, boxed for a [`ParseFn`]:
/// `|body| boxed_event(parse_event(body))`.
///
/// # Errors
///
/// `event`'s own.
pub fn boxed_event<E: DeliveryEvent>(
    event: Result<E, Error>,
) -> Result<Box<dyn DeliveryEvent>, Error> {
    Ok(Box::new(event?))
}

/// One of the provider's realistic delivery bodies, for `hook trigger` and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixture {
    /// The event type it is an example of.
    pub event: &'static str,
    /// The body, JSON text.
    pub json: &'static str,
}

/// What a fresh event gets in a body field, so a sent fixture looks new each time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fresh {
    /// A new unique id, after this prefix.
    Id(&'static str),
    /// The current time, RFC 3339.
    Now,
    /// A new UUID (version 4 form).
    Uuid,
}

/// How a provider's sender delivers: how long it waits for an answer, whether and when it
/// tries again, and what a failed or slow answer costs the receiver. What the provider does
/// not publish is `None`, said so, never guessed.
///
/// ```
/// use std::time::Duration;
/// use hook_model::DeliveryPolicy;
/// const POLICY: DeliveryPolicy = DeliveryPolicy::new("Failed deliveries are retried twice.")
///     .timeout(Duration::from_secs(15))
///     .retries(&[Duration::from_secs(0), Duration::from_secs(60), Duration::from_secs(600)]);
/// assert_eq!(POLICY.schedule().unwrap().unwrap().max_attempts(), 3);
/// assert!(DeliveryPolicy::new("unpublished").schedule().is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryPolicy {
    /// How long the sender waits for an answer, where the provider publishes it.
    pub timeout: Option<Duration>,
    /// The delay before each attempt, the first usually zero (one entry: no retry), where
    /// the provider publishes them.
    pub retries: Option<&'static [Duration]>,
    /// How long a failed delivery disables the webhook, for a provider that does so.
    pub disable_for: Option<Duration>,
    /// Whether an answer `410 Gone` disables the webhook (the Standard Webhooks
    /// specification's rule), for a provider that follows it.
    pub gone_disables: bool,
    /// What a failed or slow answer costs, in the provider's terms, for reports.
    pub consequence: &'static str,
}

impl DeliveryPolicy {
    /// A policy of which only the consequence is known.
    pub const fn new(consequence: &'static str) -> Self {
        DeliveryPolicy {
            timeout: None,
            retries: None,
            disable_for: None,
            gone_disables: false,
            consequence,
        }
    }

    /// The same, with the sender's answer timeout.
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The same, with the delay before each attempt.
    pub const fn retries(mut self, delays: &'static [Duration]) -> Self {
        self.retries = Some(delays);
        self
    }

    /// The same, disabling a webhook for `period` after a failed delivery.
    pub const fn disables_for(mut self, period: Duration) -> Self {
        self.disable_for = Some(period);
        self
    }

    /// The same, disabling a webhook whose receiver answers `410 Gone`.
    pub const fn gone_disables(mut self) -> Self {
        self.gone_disables = true;
        self
    }

    /// The retry schedule, where published (`Some(Err)` only for an empty delay list).
    pub fn schedule(&self) -> Option<Result<RetrySchedule, Error>> {
        self.retries.map(RetrySchedule::from_delays)
    }
}

/// Everything about one provider that code above the provider crates uses: its name and
/// display name, [`Capabilities`], event catalog, `HOOK_*` variables, how to make a client
/// from them, how to parse a delivery, how its deliveries are signed (the
/// [`hook_sign::Scheme`], whose idempotency-key source says how to deduplicate them), and
/// realistic delivery bodies.
///
/// Each provider crate exports one as `DESCRIPTOR`; a program's registry is the list of
/// those it was built with (`hook_facade::providers()`). Adding a provider is a crate with
/// a descriptor and one line in each registry.
///
/// ```
/// use hook_model::{Capabilities, Descriptor, Error, Paging, Provider, boxed_event};
/// const ACME: Provider = Provider::new("acme");
/// # #[derive(Debug)] struct AcmeEvent(hook_model::EventType);
/// # impl hook_model::DeliveryEvent for AcmeEvent {
/// #     fn kind(&self) -> &hook_model::EventType { &self.0 }
/// #     fn event_id(&self) -> Option<&str> { None }
/// # }
/// fn parse_event(body: &[u8]) -> Result<AcmeEvent, Error> {
///     Err(Error::invalid("body", format!("{} bytes of nothing we know", body.len())))
/// }
/// static DESCRIPTOR: Descriptor = Descriptor::new(
///     "Acme Hooks",
///     Capabilities::new(ACME, Paging::None),
///     |_vars| Err(Error::invalid("HOOK_ACME_URL", "not set")),
///     |body| boxed_event(parse_event(body)),
///     hook_sign::Scheme::generic,
/// )
/// .variables(&[("HOOK_ACME_URL", "the API's base URL (required)")]);
/// assert_eq!(DESCRIPTOR.provider, ACME);
/// assert!(DESCRIPTOR.connect_with(|_| None).is_err());
/// ```
#[non_exhaustive]
pub struct Descriptor {
    /// The provider's name.
    pub provider: Provider,
    /// The name as its owner writes it ("UiPath Orchestrator").
    pub display_name: &'static str,
    /// What its API offers.
    pub capabilities: Capabilities,
    /// Its event types, as documented.
    pub catalog: &'static [CatalogEntry],
    /// Its `HOOK_*` variables with their meaning.
    pub variables: &'static [(&'static str, &'static str)],
    /// Makes a client from the variables.
    pub connect: ConnectFn,
    /// Parses a delivery body.
    pub parse_event: ParseFn,
    /// How its deliveries are signed, and where their idempotency key is.
    pub scheme: fn() -> hook_sign::Scheme,
    /// Realistic delivery bodies, one per event it has an example for.
    pub fixtures: &'static [Fixture],
    /// Body fields a fresh event gets new values for, as JSON pointers
    /// (`/EventId` → [`Fresh::Id`]).
    pub fresh: &'static [(&'static str, Fresh)],
    /// How its sender delivers: timeout, retries, what a failure costs.
    pub delivery: DeliveryPolicy,
}

impl Descriptor {
    /// A descriptor of the provider `capabilities` name: no catalog, variables, fixtures
    /// or fresh fields until the setters add them.
    pub const fn new(
        display_name: &'static str,
        capabilities: Capabilities,
        connect: ConnectFn,
        parse_event: ParseFn,
        scheme: fn() -> hook_sign::Scheme,
    ) -> Self {
        Descriptor {
            provider: capabilities.provider,
            display_name,
            capabilities,
            catalog: &[],
            variables: &[],
            connect,
            parse_event,
            scheme,
            fixtures: &[],
            fresh: &[],
            delivery: DeliveryPolicy::new("not published"),
        }
    }

    /// The same, with its event catalog.
    pub const fn catalog(mut self, catalog: &'static [CatalogEntry]) -> Self {
        self.catalog = catalog;
        self
    }

    /// The same, with its `HOOK_*` variables.
    pub const fn variables(mut self, variables: &'static [(&'static str, &'static str)]) -> Self {
        self.variables = variables;
        self
    }

    /// The same, with realistic delivery bodies.
    pub const fn fixtures(mut self, fixtures: &'static [Fixture]) -> Self {
        self.fixtures = fixtures;
        self
    }

    /// The same, with the body fields a fresh event renews.
    pub const fn fresh(mut self, fresh: &'static [(&'static str, Fresh)]) -> Self {
        self.fresh = fresh;
        self
    }

    /// The same, with its sender's delivery policy.
    pub const fn delivery(mut self, delivery: DeliveryPolicy) -> Self {
        self.delivery = delivery;
        self
    }

    /// A client from variables read through `var`.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] naming the variable that is missing or wrong.
    pub fn connect_with(
        &self,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Box<dyn WebhookApi>, Error> {
        (self.connect)(&var)
    }

    /// Parses a delivery body.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the body is not one of this provider's deliveries.
    pub fn parse(&self, body: &[u8]) -> Result<Box<dyn DeliveryEvent>, Error> {
        (self.parse_event)(body)
    }

    /// The fixture for `event` (any case).
    pub fn fixture(&self, event: &str) -> Option<&'static Fixture> {
        self.fixtures
            .iter()
            .find(|f| f.event.eq_ignore_ascii_case(event))
    }
}

impl fmt::Debug for Descriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Descriptor")
            .field("provider", &self.provider)
            .field("display_name", &self.display_name)
            .field("events", &self.catalog.len())
            .field("variables", &self.variables.len())
            .field("fixtures", &self.fixtures.len())
            .finish_non_exhaustive()
    }
}

/// The fixtures of a provider crate, from `fixtures/<event>.json` under the crate's root,
/// embedded at build time: `fixtures!["job.completed", "job.faulted"]` is a
/// `&'static [Fixture]`.
#[macro_export]
macro_rules! fixtures {
    ($($event:literal),* $(,)?) => {
        &[$($crate::Fixture {
            event: $event,
            json: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/", $event, ".json")),
        }),*]
    };
}
