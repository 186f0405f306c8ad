//! What a provider supports, so callers can ask before they call.

use crate::{Error, Paging, Provider, WebhookPatch, WebhookSpec};

/// Which way a provider's webhooks carry requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Direction {
    /// The provider sends deliveries to a URL the webhook names (UiPath, UP42, the generic
    /// service): a spec carries the destination URL and the events.
    Outbound,
    /// The provider receives: it assigns each webhook a URL that third parties send to
    /// (Port's ingest URL, in [`crate::Webhook::url`]), so a spec carries no URL and no
    /// events. Build one with [`crate::WebhookSpec::inbound`].
    Inbound,
}

/// What a provider supports. Each provider crate says what its own API offers; build one
/// with [`Capabilities::new`] and the setters.
///
/// ```
/// use hook_model::{Capabilities, Paging, Provider};
/// let caps = Capabilities::new(Provider::new("acme"), Paging::Offset).test(true).server_filters(true);
/// assert!(caps.test && !caps.delivery_log);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// Whose capabilities these are.
    pub provider: Provider,
    /// `test` sends a test or ping delivery.
    pub test: bool,
    /// `event_types` lists the event types: from the provider's API, or from its
    /// documented catalog where the API has no such call.
    pub event_types: bool,
    /// A per-webhook delivery log is readable.
    pub delivery_log: bool,
    /// `list` filters server-side by enabled, event type and URL.
    pub server_filters: bool,
    /// How lists page.
    pub paging: Paging,
    /// Delivery URLs must be HTTPS.
    pub https_only: bool,
    /// Which way the webhooks carry requests.
    pub direction: Direction,
    // What one provider's webhooks take beyond these (Port's caller-chosen identifier,
    // UiPath's subscription to every event and insecure TLS) is its crate's
    // `ProviderOption`, not a flag here.
    /// Webhooks carry a name (UiPath `Name`, Port `title`, UP42 `name`).
    pub names: bool,
    /// Webhooks carry a description.
    pub descriptions: bool,
}

impl Capabilities {
    /// `provider`'s lists page by `paging`; event types are listed; nothing else is offered
    /// yet.
    pub const fn new(provider: Provider, paging: Paging) -> Self {
        Capabilities {
            provider,
            test: false,
            event_types: true,
            delivery_log: false,
            server_filters: false,
            paging,
            https_only: false,
            direction: Direction::Outbound,
            names: false,
            descriptions: false,
        }
    }

    crate::setters! {
        /// Whether webhooks carry a name.
        names: const bool;
        /// Whether webhooks carry a description.
        descriptions: const bool;
        /// Which way the webhooks carry requests (outbound unless set).
        direction: const Direction;
        /// Whether `test` sends a test or ping delivery.
        test: const bool;
        /// Whether a per-webhook delivery log is readable.
        delivery_log: const bool;
        /// Whether `list` filters server-side.
        server_filters: const bool;
        /// Whether delivery URLs must be HTTPS.
        https_only: const bool;
    }

    /// Refuses, before anything is sent, a spec that sets a field these webhooks cannot
    /// carry, so nothing the caller set is dropped without a word.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`] naming the first field set that the provider does not offer,
    /// or an option of another provider.
    pub fn check_spec(&self, spec: &WebhookSpec) -> Result<(), Error> {
        let set = [
            ("name", spec.name.is_some() && !self.names),
            (
                "description",
                spec.description.is_some() && !self.descriptions,
            ),
        ];
        refuse(self.provider, "create webhook", &set)?;
        match spec.options.iter().find(|o| o.provider() != self.provider) {
            Some(other) => Err(Error::unsupported(
                self.provider,
                other.name(),
                format!(
                    "{} is an option of {} webhooks, not {}: leave it out",
                    other.name(),
                    other.provider(),
                    self.provider
                ),
            )
            .in_call("create webhook")),
            None => Ok(()),
        }
    }

    /// The same for a patch.
    ///
    /// # Errors
    ///
    /// [`Error::Unsupported`] naming the first field set that the provider does not offer.
    pub fn check_patch(&self, patch: &WebhookPatch) -> Result<(), Error> {
        let set = [
            ("name", patch.name.is_some() && !self.names),
            (
                "description",
                patch.description.is_some() && !self.descriptions,
            ),
        ];
        refuse(self.provider, "update webhook", &set)
    }

    /// Whether the webhooks receive (the provider assigns their URL) rather than send.
    pub const fn is_inbound(&self) -> bool {
        matches!(self.direction, Direction::Inbound)
    }
}

fn refuse(
    provider: Provider,
    operation: &'static str,
    set: &[(&'static str, bool)],
) -> Result<(), Error> {
    match set.iter().find(|(_, refused)| *refused) {
        Some((field, _)) => Err(Error::unsupported(
            provider,
            field,
            format!("{provider} webhooks have no {field}: leave it unset, or it would be dropped"),
        )
        .in_call(operation)),
        None => Ok(()),
    }
}
