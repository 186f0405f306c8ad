//! One outgoing request with exactly the headers given: what `trigger`, `listen
//! --forward-to` and `replay` send.
//!
//! `http://` targets go over a plain HTTP/1.1 connection (hyper's client connection), so the
//! request carries the given headers, `Host` and `Content-Length`, and nothing else.
//! `https://` targets go through reqwest, which also adds `Accept: */*` when no `Accept` was
//! given; [`Answer::sent`] lists what went out either way.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_util::rt::TokioIo;

/// Checks a URL given on the command line: a usage error (exit 2) unless it is an
/// `http://` or `https://` URL with a host.
pub fn check_url(flag: &str, url: &str) -> Result<(), crate::Fail> {
    let parsed: http::Uri = url
        .parse()
        .map_err(|e| crate::Fail::Usage(format!("{flag} {url:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme_str(), Some("http" | "https")) || parsed.host().is_none() {
        return Err(crate::Fail::Usage(format!(
            "{flag} {url:?}: give an http:// or https:// URL with a host"
        )));
    }
    Ok(())
}

/// The longest `--timeout`: a day.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(86_400);

/// The parser of `--timeout`: seconds (fractions allowed), more than 0 and at most
/// [`MAX_TIMEOUT`]; anything else is clap's usage error (exit 2), NaN and infinity included.
pub fn timeout(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(seconds > 0.0 && seconds <= MAX_TIMEOUT.as_secs_f64()) {
        return Err(format!(
            "give seconds, more than 0 and at most {}",
            MAX_TIMEOUT.as_secs()
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// How much of an answer's body is kept.
pub const MAX_ANSWER: usize = 1024 * 1024;

/// What came back.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// From the first byte sent to the answer's head.
    pub latency: Duration,
    /// Every header sent, in order, lowercase names.
    pub sent: Vec<(String, String)>,
    /// The answer's body, up to [`MAX_ANSWER`] bytes.
    pub body: Bytes,
    /// The answer's `Retry-After`, as a wait (seconds, or an HTTP date from now).
    pub retry_after: Option<Duration>,
}

fn retry_after_of(headers: &http::HeaderMap) -> Option<Duration> {
    hook_facade::transport::retry_after(headers.get(http::header::RETRY_AFTER)?.to_str().ok()?)
}

impl Answer {
    /// Milliseconds, for printing and records.
    pub fn millis(&self) -> f64 {
        self.latency.as_secs_f64() * 1000.0
    }
}

/// Sends `body` to `url` with `method` and `headers` (names any case), within `timeout`.
/// `Err` says why nothing was answered.
pub async fn send(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Bytes,
    timeout: Duration,
) -> Result<Answer, String> {
    let uri: http::Uri = url
        .parse()
        .map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    let method: http::Method = method
        .parse()
        .map_err(|_| format!("{method:?} is not an HTTP method"))?;
    let run = async {
        match uri.scheme_str() {
            Some("http") => plain(method, &uri, headers, body).await,
            Some("https") => tls(method, url, headers, body).await,
            _ => Err(format!(
                "{url}: only http:// and https:// URLs can be sent to"
            )),
        }
    };
    tokio::time::timeout(timeout, run)
        .await
        .map_err(|_| format!("no answer within {} s", timeout.as_secs_f64()))?
}

async fn plain(
    method: http::Method,
    uri: &http::Uri,
    headers: &[(String, String)],
    body: Bytes,
) -> Result<Answer, String> {
    let authority = uri
        .authority()
        .ok_or_else(|| format!("{uri} has no host"))?
        .clone();
    let host = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let port = authority.port_u16().unwrap_or(80);
    let started = Instant::now();
    let stream = tokio::net::TcpStream::connect((host, port))
        .await
        .map_err(|e| format!("cannot connect to {authority}: {e}"))?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("cannot talk HTTP to {authority}: {e}"))?;
    let driver = tokio::spawn(connection);
    let mut sent = vec![("host".to_owned(), authority.to_string())];
    sent.extend(
        headers
            .iter()
            .filter(|(name, _)| {
                !name.eq_ignore_ascii_case("host") && !name.eq_ignore_ascii_case("content-length")
            })
            .map(|(name, value)| (name.to_ascii_lowercase(), value.clone())),
    );
    sent.push(("content-length".to_owned(), body.len().to_string()));
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request = http::Request::builder().method(method).uri(path);
    for (name, value) in &sent {
        request = request.header(name.as_str(), value.as_str());
    }
    let request = request
        .body(Full::new(body))
        .map_err(|e| format!("a header cannot be sent: {e}"))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("{authority} did not answer: {e}"))?;
    let latency = started.elapsed();
    let status = response.status().as_u16();
    let retry_after = retry_after_of(response.headers());
    let body = Limited::new(response.into_body(), MAX_ANSWER)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    driver.abort();
    Ok(Answer {
        status,
        latency,
        sent,
        body,
        retry_after,
    })
}

async fn tls(
    method: http::Method,
    url: &str,
    headers: &[(String, String)],
    body: Bytes,
) -> Result<Answer, String> {
    hook_facade::transport::tls::ensure_provider();
    let client = reqwest::Client::new();
    let mut request = client.request(method, url);
    let mut sent = Vec::new();
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("host") || name.eq_ignore_ascii_case("content-length") {
            continue;
        }
        request = request.header(name.as_str(), value.as_str());
        sent.push((name.to_ascii_lowercase(), value.clone()));
    }
    if !sent.iter().any(|(name, _)| name == "accept") {
        sent.push(("accept".to_owned(), "*/*".to_owned()));
    }
    sent.push(("content-length".to_owned(), body.len().to_string()));
    let started = Instant::now();
    let response = request
        .body(body)
        .send()
        .await
        .map_err(|e| format!("{url} did not answer: {e}"))?;
    let latency = started.elapsed();
    let status = response.status().as_u16();
    let retry_after = retry_after_of(response.headers());
    let body = response.bytes().await.unwrap_or_default();
    Ok(Answer {
        status,
        latency,
        sent,
        body: body.slice(..body.len().min(MAX_ANSWER)),
        retry_after,
    })
}
