//! Ready webhook configurations, as Port's own guides set them up.

use hook_model::Secret;

use crate::wire::{
    EntityMapping, IntegrationType, Mapping, Security, SignatureAlgorithm, WebhookBody,
};

/// GitHub pull requests into a `pullRequest` blueprint, as Port's custom-integration guide
/// configures them: the identifier `github-prs`; a mapping of `pull_request` events (author,
/// URL, and the repository as a relation); GitHub's `x-hub-signature-256` checked with
/// `secret`; GitHub's delivery id as the request id, so a redelivery is dropped. Change what
/// differs with the body's setters.
///
/// ```
/// let body = hook_port::recipes::github_pull_requests("github-secret").title("Our PRs");
/// assert_eq!(body.identifier.as_deref(), Some("github-prs"));
/// assert_eq!(body.mappings.as_ref().map(Vec::len), Some(1));
/// ```
pub fn github_pull_requests(secret: impl Into<Secret>) -> WebhookBody {
    let pull_request = EntityMapping::new(".body.pull_request.id | tostring")
        .title(".body.pull_request.title")
        .property("author", ".body.pull_request.user.login")
        .property("url", ".body.pull_request.html_url")
        .relation("repository", ".body.repository.full_name");
    let security = Security::hmac(
        SignatureAlgorithm::Sha256,
        secret,
        "x-hub-signature-256",
        "sha256=",
    );
    WebhookBody::new("GitHub pull requests")
        .identifier("github-prs")
        .description("Pull requests from GitHub")
        .icon("Github")
        .mapping(
            Mapping::new("pullRequest", pull_request)
                .filter(".headers.\"x-github-event\" == \"pull_request\""),
        )
        .security(security.request_identifier_path(".headers.\"x-github-delivery\""))
        .integration_type(IntegrationType::Custom)
}
