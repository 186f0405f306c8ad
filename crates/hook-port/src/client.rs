//! The native client: Port's `/v1/webhooks` calls in Port's words, checked before sending.

use hook_http::{Auth, Call, ClientConfig, ErrorReply, HttpClient, Method, Request};
use hook_model::Error;
use hook_model::check;

use crate::config::{PortConfig, PortToken};
use crate::wire::{
    Entity, EntityEnvelope, EntityList, ErrorBody, Mapping, Ok as PortOk, PortWebhook, WebhookBody,
    WebhookEnvelope, WebhookList,
};

/// The longest identifier and title.
pub const IDENTIFIER_MAX: usize = 30;
/// The longest title.
pub const TITLE_MAX: usize = 30;
/// The longest description.
pub const DESCRIPTION_MAX: usize = 200;

/// Port's client. Cheap to clone.
///
/// ```no_run
/// # async fn run() -> Result<(), hook_model::Error> {
/// use hook_port::{PortClient, PortConfig, WebhookBody};
/// let port = PortClient::new(PortConfig::new("client-id", "client-secret"))?;
/// for webhook in port.get_webhooks().await? {
///     port.update_webhook(&webhook.identifier, &WebhookBody::patch().enabled(false)).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct PortClient {
    http: HttpClient,
}

/// Port's identifier rule: 1 to 30 characters of letters, digits and `@_.+:\/=-`, and
/// (for a URL path) no `/` or `\`.
///
/// # Errors
///
/// [`hook_model::Error::Invalid`] naming `identifier` when it is empty, longer than 30
/// characters or holds a character Port refuses.
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

/// Whether a body is one Port accepts: limits on identifier, title and description,
/// mappings with a blueprint and an entity identifier, a non-empty secret; with `whole`
/// (create and replace), `title` and `enabled` present.
///
/// # Errors
///
/// [`hook_model::Error::Invalid`] naming the first field Port would refuse (title, description,
/// identifier, a mapping's blueprint or entity identifier; with `whole`, a missing title or
/// enabled).
pub fn check_body(body: &WebhookBody, whole: bool) -> Result<(), Error> {
    if let Some(identifier) = &body.identifier {
        check_identifier(identifier)?;
    }
    match &body.title {
        Some(title) => check::max_chars("title", title, TITLE_MAX)?,
        None if whole => {
            return Err(Error::invalid(
                "title",
                "Port requires a title (at most 30 characters) to create or replace a webhook",
            ));
        }
        None => {}
    }
    if whole && body.enabled.is_none() {
        return Err(Error::invalid(
            "enabled",
            "Port requires enabled (true or false) to create or replace a webhook",
        ));
    }
    if let Some(description) = &body.description {
        check::max_chars("description", description, DESCRIPTION_MAX)?;
    }
    for (index, mapping) in body.mappings.iter().flatten().enumerate() {
        check_mapping(index, mapping)?;
    }
    check::secret(
        "security.secret",
        body.security.as_ref().and_then(|s| s.secret.as_ref()),
    )
}

fn check_mapping(index: usize, mapping: &Mapping) -> Result<(), Error> {
    if mapping.blueprint.trim().is_empty() {
        return Err(Error::invalid(
            format!("mappings[{index}].blueprint"),
            "name the blueprint the entities go into",
        ));
    }
    if mapping.entity.identifier.is_empty() {
        return Err(Error::invalid(
            format!("mappings[{index}].entity.identifier"),
            "give a jq expression for the entity's identifier, such as .body.id",
        ));
    }
    Ok(())
}

/// Reads Port's error body, `{"ok": false, "error": "<code>", "message": "…"}`.
pub fn decode_error(body: &[u8]) -> ErrorReply {
    serde_json::from_slice::<ErrorBody>(body)
        .map(|e| ErrorReply::new(Some(e.error), e.message))
        .unwrap_or_default()
}

impl PortClient {
    /// A client for the Port organization `config` names.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming what is refused: a base or token URL that is not
    /// HTTPS off loopback, a value that is empty or cannot be part of a path.
    pub fn new(config: PortConfig) -> Result<Self, Error> {
        let auth = Auth::token(PortToken::new(&config));
        PortClient::with_config(
            ClientConfig::new(crate::PROVIDER, &config.base_url, auth)?.settings(&config.transport),
        )
    }

    /// A client with a full transport configuration; Port's error decoder is set here.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming what is refused: a base or token URL that is not
    /// HTTPS off loopback, a value that is empty or cannot be part of a path.
    pub fn with_config(config: ClientConfig) -> Result<Self, Error> {
        Ok(PortClient {
            http: HttpClient::new(config.errors(decode_error))?,
        })
    }

    /// The transport.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// `GET /v1/webhooks`: every webhook, in one request (Port documents no paging).
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn get_webhooks(&self) -> Result<Vec<PortWebhook>, Error> {
        let request = Request::get("v1/webhooks").operation("list webhooks");
        let list: WebhookList = self.http.send(request).await?.json("Port webhook list")?;
        Ok(list.webhooks)
    }

    /// `GET /v1/webhooks/{identifier}`.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn get_webhook(&self, identifier: &str) -> Result<PortWebhook, Error> {
        let call = self.webhook_call(Method::GET, "get webhook", identifier)?;
        let one: WebhookEnvelope = call.send().await?.json("Port webhook")?;
        Ok(one.webhook)
    }

    /// `POST /v1/webhooks`, checked first ([`check_body`]: `title` and `enabled` required).
    /// The answer carries the ingest URL Port assigned (`url`, `webhookKey`).
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn create_webhook(&self, body: &WebhookBody) -> Result<PortWebhook, Error> {
        let mut request = Request::post("v1/webhooks").operation("create webhook");
        if let Some(identifier) = &body.identifier {
            request = request.webhook(identifier.as_str());
        }
        let call = self.http.call(request);
        call.check(check_body(body, true))?;
        let one: WebhookEnvelope = call.json(body)?.send().await?.json("Port webhook")?;
        Ok(one.webhook)
    }

    /// `PATCH /v1/webhooks/{identifier}`: changes the properties `body` sets, checked first.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn update_webhook(
        &self,
        identifier: &str,
        body: &WebhookBody,
    ) -> Result<PortWebhook, Error> {
        self.change(identifier, body, false).await
    }

    /// `PUT /v1/webhooks/{identifier}`: replaces the whole webhook, checked first
    /// (`title` and `enabled` required). `WebhookBody::from(&answer)` keeps what is set.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn replace_webhook(
        &self,
        identifier: &str,
        body: &WebhookBody,
    ) -> Result<PortWebhook, Error> {
        self.change(identifier, body, true).await
    }

    async fn change(
        &self,
        identifier: &str,
        body: &WebhookBody,
        whole: bool,
    ) -> Result<PortWebhook, Error> {
        let operation = if whole {
            "replace webhook"
        } else {
            "update webhook"
        };
        let method = if whole { Method::PUT } else { Method::PATCH };
        let call = self.webhook_call(method, operation, identifier)?;
        call.check(check_body(body, whole))?;
        let one: WebhookEnvelope = call.json(body)?.send().await?.json("Port webhook")?;
        Ok(one.webhook)
    }

    /// `GET /v1/blueprints/{blueprint}/entities`: what mappings (and anything else) put
    /// into `blueprint`.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn get_entities(&self, blueprint: &str) -> Result<Vec<Entity>, Error> {
        let call = self.http.call(
            Request::get(format!("v1/blueprints/{blueprint}/entities")).operation("list entities"),
        );
        call.check(check::path_segment("blueprint", blueprint))?;
        let list: EntityList = call.send().await?.json("Port entity list")?;
        Ok(list.entities)
    }

    /// `GET /v1/blueprints/{blueprint}/entities/{identifier}`.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn get_entity(&self, blueprint: &str, identifier: &str) -> Result<Entity, Error> {
        let call = self.http.call(
            Request::get(format!("v1/blueprints/{blueprint}/entities/{identifier}"))
                .operation("get entity"),
        );
        call.check(check::path_segment("blueprint", blueprint))?;
        call.check(check::path_segment("identifier", identifier))?;
        let one: EntityEnvelope = call.send().await?.json("Port entity")?;
        Ok(one.entity)
    }

    /// `DELETE /v1/webhooks/{identifier}`: whether Port said it worked.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn delete_webhook(&self, identifier: &str) -> Result<bool, Error> {
        let call = self.webhook_call(Method::DELETE, "delete webhook", identifier)?;
        let response = call.send().await?;
        if response.body.is_empty() {
            return Ok(true);
        }
        Ok(response.json::<PortOk>("Port delete answer")?.ok)
    }
}

impl PortClient {
    /// A call of `operation` to `v1/webhooks/{identifier}`, the identifier checked first.
    fn webhook_call(
        &self,
        method: Method,
        operation: &'static str,
        identifier: &str,
    ) -> Result<Call<'_>, Error> {
        let call = (self.http).call_about(method, "v1/webhooks/{id}", operation, identifier)?;
        call.check(check_identifier(identifier))?;
        Ok(call)
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
        let long_title = WebhookBody::new("t".repeat(31));
        assert_eq!(
            check_body(&long_title, true).unwrap_err().field(),
            Some("title")
        );
        let long_description = WebhookBody::new("ok").description("d".repeat(201));
        assert_eq!(
            check_body(&long_description, true).unwrap_err().field(),
            Some("description")
        );
    }

    #[test]
    fn title_and_enabled_are_required_to_create_not_to_patch() {
        let mut untitled = WebhookBody::patch().enabled(true);
        assert_eq!(
            check_body(&untitled, true).unwrap_err().field(),
            Some("title")
        );
        check_body(&untitled, false).unwrap();
        untitled = WebhookBody::patch().title("t");
        assert_eq!(
            check_body(&untitled, true).unwrap_err().field(),
            Some("enabled")
        );
        let mapping = Mapping::new("", crate::EntityMapping::new(".body.id"));
        assert_eq!(
            check_body(&WebhookBody::new("t").mapping(mapping), true)
                .unwrap_err()
                .field(),
            Some("mappings[0].blueprint")
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
