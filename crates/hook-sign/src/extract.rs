//! Axum extractors (feature `axum`): verify a delivery before the handler runs.
//!
//! An extractor runs before the handler and never sees its answer, so it cannot tell a
//! handled delivery from a failed one: it verifies every delivery, repeats included. To
//! run the handler once per delivery (a repeat of a handled one answered 200, a retry of
//! a failed one run again), wrap the route with `hook_receiver::layer(verifier, store)`,
//! which completes a delivery's key only on the handler's 2xx.
//!
//! ```no_run
//! use std::sync::Arc;
//! use axum::{Router, routing::post};
//! use hook_sign::{Scheme, Verifier, extract::Signed};
//!
//! #[derive(serde::Deserialize)]
//! struct Event { id: String, r#type: String }
//!
//! async fn handle(Signed { event, .. }: Signed<Event>) -> &'static str {
//!     println!("{} {}", event.id, event.r#type);
//!     "ok"
//! }
//!
//! # fn app() -> Result<Router, hook_sign::ConfigError> {
//! let verifier = Arc::new(Verifier::new(Scheme::generic(), "s3cret")?);
//! let app: Router = Router::new().route("/hook", post(handle)).with_state(verifier);
//! # Ok(app) }
//! ```

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::verify::refusal;
use crate::{Verified, Verifier, VerifyError};

/// A verified delivery, decoded from JSON: the event, what verification established, and
/// the raw body. Rejects with 401 and the reason when the signature fails, 400 when the
/// body is not the expected JSON. The state must provide an `Arc<Verifier>` (`FromRef`).
#[derive(Debug)]
pub struct Signed<T> {
    /// The decoded event.
    pub event: T,
    /// Which secret and form matched, and the signed timestamp.
    pub verified: Verified,
    /// The raw body as received.
    pub body: Bytes,
}

/// A verified delivery's raw body, for non-JSON payloads.
#[derive(Debug)]
pub struct SignedBody {
    /// What verification established.
    pub verified: Verified,
    /// The raw body.
    pub body: Bytes,
}

/// Why a delivery was refused.
#[derive(Debug)]
#[non_exhaustive]
pub enum Rejection {
    /// The body could not be read (too large, connection lost).
    Body(String),
    /// The signature did not verify: answered 401 with the reason.
    Signature(VerifyError),
    /// The body is not the expected JSON: answered 400.
    Json(String),
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Rejection::Body(message) => (StatusCode::BAD_REQUEST, message).into_response(),
            Rejection::Signature(error) => {
                (StatusCode::UNAUTHORIZED, refusal(&error)).into_response()
            }
            Rejection::Json(message) => {
                (StatusCode::BAD_REQUEST, format!("invalid JSON: {message}")).into_response()
            }
        }
    }
}

async fn verified_body<S>(request: Request, state: &S) -> Result<SignedBody, Rejection>
where
    S: Send + Sync,
    Arc<Verifier>: FromRef<S>,
{
    let verifier = Arc::<Verifier>::from_ref(state);
    let (parts, body) = request.into_parts();
    let body = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
        .await
        .map_err(|e| Rejection::Body(e.body_text()))?;
    let verified = verifier
        .verify(&parts.headers, &body)
        .map_err(Rejection::Signature)?;
    Ok(SignedBody { verified, body })
}

impl<S> FromRequest<S> for SignedBody
where
    S: Send + Sync,
    Arc<Verifier>: FromRef<S>,
{
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        verified_body(request, state).await
    }
}

impl<S, T> FromRequest<S> for Signed<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
    Arc<Verifier>: FromRef<S>,
{
    type Rejection = Rejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let SignedBody { verified, body } = verified_body(request, state).await?;
        let event = serde_json::from_slice(&body).map_err(|e| Rejection::Json(e.to_string()))?;
        Ok(Signed {
            event,
            verified,
            body,
        })
    }
}
