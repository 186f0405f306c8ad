//! The native client: Port's `/v1/webhooks` calls in Port's words, checked before sending.

use std::collections::BTreeMap;

use hook_http::{Auth, ClientConfig, ErrorReply, HttpClient, Request};
use hook_model::check::{self, Scheme};
use hook_model::{Context, Error, EventType, Provider, Secret};
use serde::Serialize;

use crate::config::{PortConfig, PortToken};
use crate::wire::{ErrorBody, Ok as PortOk, PortWebhook, Security, WebhookEnvelope, WebhookList};

/// The longest identifier and title.
pub const IDENTIFIER_MAX: usize = 30;
/// The longest title.
pub const TITLE_MAX: usize = 30;
/// The longest description.
pub const DESCRIPTION_MAX: usize = 200;

/// The body of `PATCH /v1/webhooks/{identifier}`; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateWebhook {
    /// A new title (≤ 30).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A new description (≤ 200).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A new icon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// A new URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A new event list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventType>>,
    /// New delivery headers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// Turn the webhook on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// New signing settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<Security>,
}

impl UpdateWebhook {
    /// A change of nothing yet.
    pub fn new() -> Self {
        UpdateWebhook::default()
    }

    hook_model::setters! {
        /// Turns the webhook on or off.
        enabled: some bool;
        /// Sets a new title.
        title: Option<String>;
        /// Sets a new description.
        description: Option<String>;
        /// Sets a new URL.
        url: Option<String>;
    }
}

/// `security` with only a secret set.
pub fn secret_only(secret: Secret) -> Security {
    Security {
        secret: Some(secret),
        ..Security::default()
    }
}

/// Port's client. Cheap to clone.
///
/// ```no_run
/// # async fn run() -> Result<(), hook_model::Error> {
/// use hook_port::{PortClient, PortConfig, UpdateWebhook};
/// let port = PortClient::new(PortConfig::new("client-id", "client-secret"))?;
/// for webhook in port.get_webhooks(Some(1), Some(10)).await? {
///     port.update_webhook(&webhook.identifier, &UpdateWebhook::new().enabled(false)).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct PortClient {
    http: HttpClient,
}

/// The identifier as a path segment, checked.
fn segment<'i>(identifier: &'i str, context: &Context) -> Result<&'i str, Error> {
    check_identifier(identifier).map_err(|e| e.within(context))?;
    Ok(identifier)
}

/// Port's identifier rule: 1 to 30 characters of letters, digits and `@_.+:\/=-`, and
/// (for a URL path) no `/` or `\`.
pub fn check_identifier(identifier: &str) -> Result<(), Error> {
    check::max_chars("identifier", identifier, IDENTIFIER_MAX)?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || "@_.+:\\/=-".contains(c);
    if identifier.is_empty() || !identifier.chars().all(allowed) {
        return Err(Error::invalid(
            "identifier",
            "use letters, digits and @ _ . + : \\ / = - only",
        ));
    }
    if identifier.contains(['/', '\\']) {
        return Err(Error::invalid(
            "identifier",
            "cannot be used in a URL path (contains / or \\)",
        ));
    }
    Ok(())
}

/// An identifier made from `name`: lower case, runs of other characters as `-`, at most
/// 30 characters; `None` when nothing is left.
pub fn identifier_from(name: &str) -> Option<String> {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug
        .trim_end_matches('-')
        .chars()
        .take(IDENTIFIER_MAX)
        .collect();
    let slug = slug.trim_end_matches('-').to_owned();
    (!slug.is_empty()).then_some(slug)
}

/// Checks what a body carries, naming Port's fields.
fn check_fields(
    title: Option<&str>,
    description: Option<&str>,
    url: Option<&str>,
    events: Option<&[EventType]>,
    headers: Option<&BTreeMap<String, String>>,
    security: Option<&Security>,
) -> Result<(), Error> {
    if let Some(title) = title {
        check::max_chars("title", title, TITLE_MAX)?;
    }
    if let Some(description) = description {
        check::max_chars("description", description, DESCRIPTION_MAX)?;
    }
    if let Some(url) = url {
        check::url("url", url, Scheme::HttpOrHttps)?;
    }
    check::event_names("events", events.unwrap_or_default())?;
    if let Some(headers) = headers {
        check::headers("headers", headers)?;
    }
    check::secret("security.secret", security.and_then(|s| s.secret.as_ref()))
}

fn check_webhook(webhook: &PortWebhook) -> Result<(), Error> {
    check_identifier(&webhook.identifier)?;
    check_fields(
        webhook.title.as_deref(),
        webhook.description.as_deref(),
        webhook.url.as_deref(),
        webhook.events.as_deref(),
        webhook.headers.as_ref(),
        webhook.security.as_ref(),
    )
}

/// Reads Port's error body, `{"ok": false, "error": "<code>", "message": "…"}`.
pub fn decode_error(body: &[u8]) -> ErrorReply {
    serde_json::from_slice::<ErrorBody>(body)
        .map(|e| ErrorReply::new(Some(e.error), e.message))
        .unwrap_or_default()
}

fn context(operation: &'static str) -> Context {
    Context::new(Provider::Port, operation)
}

impl PortClient {
    /// A client for the Port organization `config` names.
    pub fn new(config: PortConfig) -> Result<Self, Error> {
        let auth = Auth::token(PortToken::new(&config));
        PortClient::with_config(ClientConfig::new(Provider::Port, &config.base_url, auth)?)
    }

    /// A client with a full transport configuration; Port's error decoder is set here.
    pub fn with_config(config: ClientConfig) -> Result<Self, Error> {
        Ok(PortClient {
            http: HttpClient::new(config.errors(decode_error))?,
        })
    }

    /// The transport.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// `GET /v1/webhooks?page=&per_page=`.
    pub async fn get_webhooks(
        &self,
        page: Option<u32>,
        per_page: Option<u32>,
    ) -> Result<Vec<PortWebhook>, Error> {
        let mut request = Request::get("v1/webhooks").operation("list webhooks");
        if let Some(page) = page {
            request = request.query("page", page);
        }
        if let Some(per_page) = per_page {
            request = request.query("per_page", per_page);
        }
        let list: WebhookList = self.http.send(request).await?.json("Port webhook list")?;
        Ok(list.webhooks)
    }

    /// `GET /v1/webhooks/{identifier}`.
    pub async fn get_webhook(&self, identifier: &str) -> Result<PortWebhook, Error> {
        let context = context("get webhook").webhook(identifier);
        let path = format!("v1/webhooks/{}", segment(identifier, &context)?);
        let request = Request::get(path)
            .operation("get webhook")
            .webhook(identifier);
        let one: WebhookEnvelope = self.http.send(request).await?.json("Port webhook")?;
        Ok(one.webhook)
    }

    /// `POST /v1/webhooks`, checked first.
    pub async fn create_webhook(&self, webhook: &PortWebhook) -> Result<PortWebhook, Error> {
        let context = context("create webhook").webhook(&webhook.identifier);
        check_webhook(webhook).map_err(|e| e.within(&context))?;
        let request = Request::post("v1/webhooks")
            .operation("create webhook")
            .webhook(&webhook.identifier)
            .json(webhook)?;
        let one: WebhookEnvelope = self.http.send(request).await?.json("Port webhook")?;
        Ok(one.webhook)
    }

    /// `PATCH /v1/webhooks/{identifier}`: changes the fields `update` sets, checked first.
    pub async fn update_webhook(
        &self,
        identifier: &str,
        update: &UpdateWebhook,
    ) -> Result<PortWebhook, Error> {
        let context = context("update webhook").webhook(identifier);
        check_fields(
            update.title.as_deref(),
            update.description.as_deref(),
            update.url.as_deref(),
            update.events.as_deref(),
            update.headers.as_ref(),
            update.security.as_ref(),
        )
        .map_err(|e| e.within(&context))?;
        let path = format!("v1/webhooks/{}", segment(identifier, &context)?);
        let request = Request::patch(path)
            .operation("update webhook")
            .webhook(identifier)
            .json(update)?;
        let one: WebhookEnvelope = self.http.send(request).await?.json("Port webhook")?;
        Ok(one.webhook)
    }

    /// `PUT /v1/webhooks/{identifier}`: replaces the whole webhook, checked first.
    pub async fn replace_webhook(
        &self,
        identifier: &str,
        webhook: &PortWebhook,
    ) -> Result<PortWebhook, Error> {
        let context = context("replace webhook").webhook(identifier);
        check_webhook(webhook).map_err(|e| e.within(&context))?;
        let path = format!("v1/webhooks/{}", segment(identifier, &context)?);
        let request = Request::put(path)
            .operation("replace webhook")
            .webhook(identifier)
            .json(webhook)?;
        let one: WebhookEnvelope = self.http.send(request).await?.json("Port webhook")?;
        Ok(one.webhook)
    }

    /// `DELETE /v1/webhooks/{identifier}`: whether Port said it worked.
    pub async fn delete_webhook(&self, identifier: &str) -> Result<bool, Error> {
        let context = context("delete webhook").webhook(identifier);
        let path = format!("v1/webhooks/{}", segment(identifier, &context)?);
        let request = Request::delete(path)
            .operation("delete webhook")
            .webhook(identifier);
        let response = self.http.send(request).await?;
        if response.body.is_empty() {
            return Ok(true);
        }
        Ok(response.json::<PortOk>("Port delete answer")?.ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_name_ports_fields() {
        assert_eq!(
            check_identifier(&"x".repeat(31)).unwrap_err().field(),
            Some("identifier")
        );
        assert_eq!(
            check_identifier("has space").unwrap_err().field(),
            Some("identifier")
        );
        assert_eq!(
            check_identifier("a/b").unwrap_err().field(),
            Some("identifier")
        );
        let long_title = PortWebhook {
            identifier: "ok".into(),
            title: Some("t".repeat(31)),
            ..PortWebhook::default()
        };
        assert_eq!(
            check_webhook(&long_title).unwrap_err().field(),
            Some("title")
        );
        let long_description = PortWebhook {
            identifier: "ok".into(),
            description: Some("d".repeat(201)),
            ..PortWebhook::default()
        };
        assert_eq!(
            check_webhook(&long_description).unwrap_err().field(),
            Some("description")
        );
    }

    #[test]
    fn identifiers_derive_from_names() {
        assert_eq!(
            identifier_from("Entity Updated — Notifications!").as_deref(),
            Some("entity-updated-notifications")
        );
        assert_eq!(identifier_from(&"A".repeat(40)).map(|s| s.len()), Some(30));
        assert_eq!(identifier_from("!!!"), None);
    }

    #[test]
    fn error_bodies_keep_ports_code() {
        let said =
            decode_error(br#"{"ok":false,"error":"not_found","message":"Webhook not found"}"#);
        assert_eq!(said.code.as_deref(), Some("not_found"));
        assert_eq!(decode_error(b"{}"), ErrorReply::default());
    }
}
