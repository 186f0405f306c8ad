//! What a provider supports, so callers can ask before they call.

use crate::Paging;

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
/// use hook_model::{Capabilities, Paging};
/// let caps = Capabilities::new(Paging::Offset).test(true).server_filters(true);
/// assert!(caps.test && !caps.delivery_log);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
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
    /// Webhooks can subscribe to every event at once.
    pub all_events: bool,
    /// Webhooks carry custom delivery headers.
    pub delivery_headers: bool,
    /// Which way the webhooks carry requests.
    pub direction: Direction,
}

impl Capabilities {
    /// Lists page by `paging`; event types are listed; nothing else is offered yet.
    pub const fn new(paging: Paging) -> Self {
        Capabilities {
            test: false,
            event_types: true,
            delivery_log: false,
            server_filters: false,
            paging,
            https_only: false,
            all_events: false,
            delivery_headers: false,
            direction: Direction::Outbound,
        }
    }

    /// Which way the webhooks carry requests (outbound unless set).
    pub const fn direction(mut self, direction: Direction) -> Self {
        self.direction = direction;
        self
    }

    /// Whether the webhooks receive (the provider assigns their URL) rather than send.
    pub const fn is_inbound(&self) -> bool {
        matches!(self.direction, Direction::Inbound)
    }

    /// Whether `test` sends a test or ping delivery.
    pub const fn test(mut self, offered: bool) -> Self {
        self.test = offered;
        self
    }

    /// Whether a per-webhook delivery log is readable.
    pub const fn delivery_log(mut self, offered: bool) -> Self {
        self.delivery_log = offered;
        self
    }

    /// Whether `list` filters server-side.
    pub const fn server_filters(mut self, offered: bool) -> Self {
        self.server_filters = offered;
        self
    }

    /// Whether delivery URLs must be HTTPS.
    pub const fn https_only(mut self, required: bool) -> Self {
        self.https_only = required;
        self
    }

    /// Whether webhooks can subscribe to every event at once.
    pub const fn all_events(mut self, offered: bool) -> Self {
        self.all_events = offered;
        self
    }

    /// Whether webhooks carry custom delivery headers.
    pub const fn delivery_headers(mut self, offered: bool) -> Self {
        self.delivery_headers = offered;
        self
    }
}
