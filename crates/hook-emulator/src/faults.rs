//! Fault injection and the request log, as one middleware in front of every provider route.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::app::{App, REQUEST_LOG_CAP, lock};

/// The largest request body the emulator reads. Port's own 1 MiB limit is checked by its
/// routes, so they can answer 413 in Port's error shape.
pub const MAX_BODY: usize = 2 * 1024 * 1024;

/// Which requests a fault applies to.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteMatch {
    /// `GET`, `POST`, …; any when absent.
    pub method: Option<String>,
    /// A path prefix such as `/port/v1/webhooks`; any when absent.
    pub path_prefix: Option<String>,
}

/// What a fault does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer this status (500, 503, …) with a small JSON body.
    Status {
        /// The status code.
        status: u16,
    },
    /// Answer 429 with `Retry-After`.
    RateLimit {
        /// Seconds in `Retry-After`.
        retry_after_secs: u64,
    },
    /// Wait this long, then answer normally.
    Latency {
        /// Added milliseconds.
        millis: u64,
    },
    /// Start the answer, then drop the connection mid-body; the request is not handled.
    Drop,
    /// Handle the request (a create does create), then drop the connection mid-answer:
    /// the client cannot know whether it was applied.
    DropAfter,
    /// Handle the request (a change is applied), then answer 200 with `body` instead of
    /// the real answer: a service whose answer carries less than a client reads (UP42's
    /// SDK reads only `updatedAt` from a PUT answer).
    Answer {
        /// The JSON answered.
        body: serde_json::Value,
    },
}

/// A fault rule: a match, an effect, and how often.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    /// Set by the emulator.
    #[serde(default)]
    pub id: String,
    /// Which requests.
    #[serde(default)]
    pub route: RouteMatch,
    /// What happens.
    pub fault: FaultKind,
    /// For the next N matching requests; unlimited when absent.
    pub count: Option<u32>,
    /// For this share (0 to 1) of matching requests; every one when absent.
    pub rate: Option<f64>,
    /// How many times it fired.
    #[serde(default)]
    pub fired: u64,
}

impl FaultRule {
    /// A rule applying `fault` to every request, until narrowed.
    ///
    /// ```
    /// use hook_emulator::{FaultKind, FaultRule};
    /// let rule = FaultRule::new(FaultKind::Status { status: 503 }).on("GET", "/generic/").times(2);
    /// assert_eq!((rule.count, rule.route.method.as_deref()), (Some(2), Some("GET")));
    /// ```
    pub fn new(fault: FaultKind) -> Self {
        FaultRule {
            id: String::new(),
            route: RouteMatch::default(),
            fault,
            count: None,
            rate: None,
            fired: 0,
        }
    }

    /// Only requests with `method` whose path starts with `path_prefix`.
    pub fn on(mut self, method: &str, path_prefix: &str) -> Self {
        self.route = RouteMatch {
            method: Some(method.to_owned()),
            path_prefix: Some(path_prefix.to_owned()),
        };
        self
    }

    /// Only requests that `route` matches.
    pub fn within(mut self, route: RouteMatch) -> Self {
        self.route = route;
        self
    }

    /// For the next `count` matching requests only.
    pub fn times(mut self, count: u32) -> Self {
        self.count = Some(count);
        self
    }

    /// For this share (0 to 1) of matching requests.
    pub fn rate(mut self, rate: f64) -> Self {
        self.rate = Some(rate);
        self
    }
}

/// A request as it arrived, for wire-shape assertions. Authorization values and secret
/// fields of JSON and form bodies are redacted.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// The method.
    pub method: String,
    /// The path.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// The body: JSON (redacted) when it parses, else text, else omitted.
    pub body: Option<serde_json::Value>,
    /// Whether a fault answered instead of the route.
    #[serde(default)]
    pub faulted: bool,
}

impl RouteMatch {
    fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_prefix
                .as_deref()
                .is_none_or(|p| path.starts_with(p))
    }
}

/// The fault rules and the seeded generator that decides which requests meet them.
#[derive(Debug)]
pub(crate) struct Faults {
    pub rules: Vec<FaultRule>,
    seed: u64,
    state: u64,
}

impl Faults {
    /// No rules, the generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Faults {
            rules: Vec::new(),
            seed,
            state: seed,
        }
    }

    /// The seed the generator started from (or was last reset to).
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Restarts the generator from `seed`: the same requests, in the same order, meet the
    /// same faults again.
    pub fn reseed(&mut self, seed: u64) {
        self.seed = seed;
        self.state = seed;
    }

    fn unit(&mut self) -> f64 {
        unit(&mut self.state)
    }
}

/// A uniform number in [0, 1) from a generator's `state`: SplitMix64, 53 bits of it.
pub(crate) fn unit(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// A seed from the OS's randomness (through UUID v4's random bits).
pub(crate) fn random_seed() -> u64 {
    uuid::Uuid::new_v4().as_u128() as u64
}

/// Picks the fault for this request, counting it down.
fn take_fault(app: &App, method: &str, path: &str) -> Option<FaultKind> {
    let mut faults = lock(&app.faults);
    // Draw once for each matching rule with a rate, in order, so a seed replays exactly.
    let mut chosen = None;
    for index in 0..faults.rules.len() {
        let rule = &faults.rules[index];
        if !(rule.route.matches(method, path) && rule.count.is_none_or(|n| n > 0)) {
            continue;
        }
        let hit = match rule.rate {
            None => true,
            Some(p) => faults.unit() < p,
        };
        if hit {
            chosen = Some(index);
            break;
        }
    }
    let rule = &mut faults.rules[chosen?];
    if let Some(n) = rule.count.as_mut() {
        *n -= 1;
    }
    rule.fired += 1;
    Some(rule.fault.clone())
}

/// Records the request, then applies a matching fault or passes it on.
pub(crate) async fn middleware(
    State(app): State<Arc<App>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                axum::Json(serde_json::json!({"message": "request body over 2 MiB"})),
            )
                .into_response();
        }
    };
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let fault = if path.starts_with("/_admin") {
        None
    } else {
        take_fault(&app, &method, &path)
    };
    record(
        &app,
        &parts,
        &bytes,
        fault
            .as_ref()
            .is_some_and(|f| !matches!(f, FaultKind::Latency { .. })),
    );

    let request = Request::from_parts(parts, Body::from(bytes));
    match fault {
        None => next.run(request).await,
        Some(FaultKind::Latency { millis }) => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            next.run(request).await
        }
        Some(FaultKind::Status { status }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, axum::Json(serde_json::json!({"message": "fault injected by the emulator", "injected": true})))
                .into_response()
        }
        Some(FaultKind::RateLimit { retry_after_secs }) => {
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                axum::Json(serde_json::json!({"message": "rate limited by the emulator", "injected": true})),
            )
                .into_response();
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(retry_after_secs));
            response
        }
        Some(FaultKind::Drop) => dropped(),
        Some(FaultKind::DropAfter) => {
            let _ = next.run(request).await;
            dropped()
        }
        Some(FaultKind::Answer { body }) => {
            let _ = next.run(request).await;
            (StatusCode::OK, axum::Json(body)).into_response()
        }
    }
}

/// An answer that declares a length its body never reaches: the connection closes mid-answer.
fn dropped() -> Response {
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from_static(b"{\"partial\":")),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "fault: connection dropped",
        )),
    ];
    let mut response = Response::new(Body::from_stream(futures_util::stream::iter(chunks)));
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    response
        .headers_mut()
        .insert("content-length", HeaderValue::from_static("1000"));
    response
}

fn record(app: &App, parts: &axum::http::request::Parts, bytes: &[u8], faulted: bool) {
    if parts.uri.path().starts_with("/_admin") {
        return;
    }
    let headers = crate::header_pairs(&parts.headers)
        .into_iter()
        .map(|(name, value)| {
            if name == axum::http::header::AUTHORIZATION.as_str() {
                let scheme = value.split_whitespace().next().unwrap_or("");
                let shown = format!("{scheme} <redacted>");
                (name, shown)
            } else {
                (name, value)
            }
        })
        .collect();
    let body = if bytes.is_empty() {
        None
    } else if let Ok(json) = serde_json::from_slice::<serde_json::Value>(bytes) {
        Some(hook_model::redact_json(&json))
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        Some(serde_json::Value::String(redact_form(text)))
    } else {
        None
    };
    let recorded = RecordedRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers,
        body,
        faulted,
    };
    let mut log = lock(&app.requests);
    if log.len() == REQUEST_LOG_CAP {
        log.pop_front();
    }
    log.push_back(recorded);
}

/// `a=1&client_secret=x` → `a=1&client_secret=<redacted>`.
fn redact_form(text: &str) -> String {
    if !text.contains('=') || text.contains(['{', '\n']) {
        return text.to_owned();
    }
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _))
                if hook_model::SECRET_KEYS
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(key)) =>
            {
                format!("{key}=<redacted>")
            }
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_secrets_are_redacted() {
        assert_eq!(
            redact_form("grant_type=password&username=u&password=p&client_secret=s"),
            "grant_type=password&username=u&password=<redacted>&client_secret=<redacted>"
        );
    }

    #[test]
    fn routes_match_by_method_and_prefix() {
        let route = RouteMatch {
            method: Some("get".into()),
            path_prefix: Some("/port/".into()),
        };
        assert!(route.matches("GET", "/port/v1/webhooks"));
        assert!(!route.matches("POST", "/port/v1/webhooks"));
        assert!(!route.matches("GET", "/up42/x"));
        assert!(RouteMatch::default().matches("DELETE", "/anything"));
    }

    #[test]
    fn a_seed_replays_and_units_spread_over_the_whole_range() {
        let mut faults = Faults::new(42);
        let samples: Vec<f64> = (0..4000).map(|_| faults.unit()).collect();
        faults.reseed(42);
        assert_eq!(faults.unit(), samples[0]);
        assert_eq!(faults.seed(), 42);
        assert!(samples.iter().all(|x| (0.0..1.0).contains(x)));
        let below =
            |p: f64| samples.iter().filter(|x| **x < p).count() as f64 / samples.len() as f64;
        // Generous bounds: a binomial with n = 4000 strays well under these.
        assert!((0.07..0.13).contains(&below(0.1)), "{}", below(0.1));
        assert!((0.45..0.55).contains(&below(0.5)), "{}", below(0.5));
        assert!((0.87..0.93).contains(&below(0.9)), "{}", below(0.9));
    }
}
