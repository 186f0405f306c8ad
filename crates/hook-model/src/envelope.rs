//! Parsing delivery bodies and API answers from raw bytes, with errors that name the
//! JSON path that failed.

use serde::de::DeserializeOwned;

use crate::wire::generic::GenericEvent;
use crate::wire::port::PortEvent;
use crate::wire::uipath::UiPathEvent;
use crate::{Error, EventType, Provider};

/// Decodes `bytes` as JSON into `T`; on failure the error names `what` was decoded and
/// the path that failed (`value[3].Events[0]`).
///
/// serde_json's recursion limit (128 levels) bounds nesting, so deep input is an error,
/// not a stack overflow.
///
/// ```
/// use hook_model::{decode, Error};
/// use hook_model::wire::generic::GenericEvent;
/// let err = decode::<GenericEvent>("generic event", br#"{"id":"evt_1","type":7}"#).unwrap_err();
/// match err {
///     Error::Decode { path, .. } => assert_eq!(path, "type"),
///     other => panic!("{other}"),
/// }
/// ```
pub fn decode<T: DeserializeOwned>(what: &'static str, bytes: &[u8]) -> Result<T, Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| Error::Decode {
        what,
        path: e.path().to_string(),
        source: e.into_inner(),
    })?;
    deserializer.end().map_err(|source| Error::Decode {
        what,
        path: ".".into(),
        source,
    })?;
    Ok(value)
}

/// A delivery body of any provider.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// UiPath Orchestrator.
    UiPath(Box<UiPathEvent>),
    /// Port (seed 001 payload).
    Port(PortEvent),
    /// UP42 (*unconfirmed*: assumed the generic shape).
    Up42(GenericEvent),
    /// The generic service.
    Generic(GenericEvent),
}

impl Event {
    /// Parses a delivery body sent by `provider`.
    ///
    /// ```
    /// use hook_model::{Event, Provider};
    /// let body = br#"{"id":"evt_1","type":"user.created","created_at":"2026-01-15T12:30:00Z","data":{}}"#;
    /// let event = Event::parse(Provider::Generic, body)?;
    /// assert_eq!(event.kind(), "user.created");
    /// # Ok::<(), hook_model::Error>(())
    /// ```
    pub fn parse(provider: Provider, bytes: &[u8]) -> Result<Self, Error> {
        Ok(match provider {
            Provider::UiPath => Event::UiPath(Box::new(decode("UiPath event", bytes)?)),
            Provider::Port => Event::Port(decode("Port event", bytes)?),
            Provider::Up42 => Event::Up42(decode("UP42 event", bytes)?),
            Provider::Generic => Event::Generic(decode("generic event", bytes)?),
        })
    }

    /// Which provider sent it.
    pub fn provider(&self) -> Provider {
        match self {
            Event::UiPath(_) => Provider::UiPath,
            Event::Port(_) => Provider::Port,
            Event::Up42(_) => Provider::Up42,
            Event::Generic(_) => Provider::Generic,
        }
    }

    /// The event type.
    pub fn kind(&self) -> &EventType {
        match self {
            Event::UiPath(e) => &e.kind,
            Event::Port(e) => &e.event,
            Event::Up42(e) | Event::Generic(e) => &e.kind,
        }
    }

    /// The event's id, when the payload has one (Port's seed payload has none).
    pub fn id(&self) -> Option<&str> {
        match self {
            Event::UiPath(e) => Some(&e.event_id),
            Event::Port(_) => None,
            Event::Up42(e) | Event::Generic(e) => Some(&e.id),
        }
    }
}
