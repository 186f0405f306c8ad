//! A `tower::Layer` (feature `tower`) that verifies a delivery before the inner service
//! sees it, for axum, hyper or any tower-based server.
//!
//! The layer reads the body up to a limit (413 above it), verifies it with a [`Verifier`]
//! against the request headers, and answers 401 with the reason (plain text, or JSON with
//! [`VerifyLayer::json_errors`]) when it does not verify. A verified request goes on with
//! its body as [`http_body_util::Full`] of the same bytes, and two extensions: the
//! [`Verified`] value and the [`VerifiedBody`] bytes. The layer runs the inner service for
//! every verified delivery, repeats included: handling each delivery once (claim, complete
//! on success, release on failure) is `hook-receiver`'s layer, placed inside this one. The
//! axum extractors
//! (module `extract`) verify with the same [`Verifier::verify`] and word refusals the same.
//!
//! ```
//! use hook_sign::layer::VerifyLayer;
//! use hook_sign::{Scheme, Verifier};
//! # fn main() -> Result<(), hook_sign::ConfigError> {
//! let layer = VerifyLayer::new(Verifier::new(Scheme::generic(), "s3cret")?).body_limit(1 << 20);
//! // axum: Router::new().route("/hook", post(handler)).layer(layer)
//! // tower: ServiceBuilder::new().layer(layer).service(my_service)
//! # let _ = layer; Ok(()) }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use http_body::Body;
use http_body_util::{BodyExt as _, Full, Limited};
use tower_layer::Layer;
use tower_service::Service;

use crate::verify::refusal;
use crate::{Verified, Verifier};

/// The default body limit: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The verified body's bytes, as a request extension (the same bytes as the body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedBody(pub Bytes);

/// Verifies requests before the inner service; see the module docs.
#[derive(Debug, Clone)]
pub struct VerifyLayer {
    verifier: Arc<Verifier>,
    limit: usize,
    json: bool,
}

impl VerifyLayer {
    /// A layer verifying with `verifier`, bodies up to [`DEFAULT_BODY_LIMIT`], plain-text
    /// refusals.
    pub fn new(verifier: Verifier) -> Self {
        VerifyLayer::shared(Arc::new(verifier))
    }

    /// The same, sharing a verifier (say, with axum extractors).
    pub fn shared(verifier: Arc<Verifier>) -> Self {
        VerifyLayer {
            verifier,
            limit: DEFAULT_BODY_LIMIT,
            json: false,
        }
    }

    /// Refuses bodies over `bytes` with 413, unread beyond the limit.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.limit = bytes;
        self
    }

    /// Answers refusals as `{"error": "<kind>", "message": "<reason>"}` instead of text.
    pub fn json_errors(mut self, json: bool) -> Self {
        self.json = json;
        self
    }
}

impl<S> Layer<S> for VerifyLayer {
    type Service = VerifyService<S>;

    fn layer(&self, inner: S) -> VerifyService<S> {
        VerifyService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`VerifyLayer`] makes.
#[derive(Clone, Debug)]
pub struct VerifyService<S> {
    inner: S,
    layer: VerifyLayer,
}

/// Why the layer refused a request, and how it says so.
fn refuse<B: From<String>>(
    json: bool,
    status: StatusCode,
    kind: &str,
    message: String,
) -> Response<B> {
    let (text, content_type) = if json {
        let body = format!(
            "{{\"error\":{},\"message\":{}}}",
            quote(kind),
            quote(&message)
        );
        (body, "application/json")
    } else {
        (message, "text/plain; charset=utf-8")
    };
    let mut response = Response::new(B::from(text));
    *response.status_mut() = status;
    if let Ok(value) = header::HeaderValue::from_str(content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}

/// A JSON string literal (the layer needs no serde).
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl<S, B, ResBody> Service<Request<B>> for VerifyService<S>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: std::error::Error + Send + Sync + 'static,
    ResBody: From<String>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResBody>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The ready service goes with this call; a fresh clone waits for the next.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let layer = self.layer.clone();
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            let bytes = match Limited::new(body, layer.limit).collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(error) => {
                    let too_large = error.is::<http_body_util::LengthLimitError>();
                    return Ok(if too_large {
                        refuse(
                            layer.json,
                            StatusCode::PAYLOAD_TOO_LARGE,
                            "body_too_large",
                            format!("the body is over {} bytes", layer.limit),
                        )
                    } else {
                        refuse(
                            layer.json,
                            StatusCode::BAD_REQUEST,
                            "body_unreadable",
                            format!("the body could not be read: {error}"),
                        )
                    });
                }
            };
            let verified: Verified = match layer.verifier.verify(&parts.headers, &bytes) {
                Ok(verified) => verified,
                Err(error) => {
                    return Ok(refuse(
                        layer.json,
                        StatusCode::UNAUTHORIZED,
                        "invalid_signature",
                        refusal(&error),
                    ));
                }
            };
            parts.extensions.insert(verified);
            parts.extensions.insert(VerifiedBody(bytes.clone()));
            inner
                .call(Request::from_parts(parts, Full::new(bytes)))
                .await
        })
    }
}
