//! The record `hook listen --record FILE` writes and `hook replay FILE` reads: one JSON
//! object a line, one line an exchange.
//!
//! ```json
//! {"time":"2026-12-01T09:00:00.123Z","method":"POST","path":"/hooks",
//!  "headers":[["content-type","application/json"],["x-uipath-signature","…"]],
//!  "body":"{\"Type\":\"job.completed\",…}",
//!  "verification":{"valid":true,"scheme":"uipath","secret":1},
//!  "forward":{"url":"http://127.0.0.1:3000/hooks","status":200,"latency_ms":2.1}}
//! ```
//!
//! The record keeps every header as received, credentials included (an `Authorization`, a
//! plain-secret signature), so a replay is exact: keep the file as you would the deliveries
//! themselves. What `listen --json` prints redacts them.
//!
//! `body` holds the body when it is UTF-8; otherwise `body_base64` holds it, so every byte
//! survives. `forward` is absent when nothing was forwarded (no `--forward-to`, or
//! `dropped` because it did not verify); `forward.error` says why the app did not answer.
//! With `--idempotency`, `idempotency` says what the claim found: `claimed` (forwarded),
//! `done` (acknowledged, not forwarded), `in-flight` (429), `unavailable` (503) or
//! `no-key` (400).

use std::io::{BufRead as _, Write as _};
use std::path::Path;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::Fail;
use crate::signing::Verdict;

/// What the app said to a forwarded delivery.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)] // every field may be missing from a record line read back
pub struct Forward {
    /// Where it was forwarded.
    pub url: String,
    /// The app's status, when it answered.
    pub status: Option<u16>,
    /// How long the app took to answer, in milliseconds.
    pub latency_ms: Option<f64>,
    /// Why the app did not answer.
    pub error: Option<String>,
}

/// One exchange: what arrived, what verification said, what the app answered.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exchange {
    /// When it arrived, RFC 3339.
    pub time: String,
    /// The request method.
    pub method: String,
    /// The path and query it arrived on.
    pub path: String,
    /// Every header as received (lowercase names), hop-by-hop ones included.
    pub headers: Vec<(String, String)>,
    /// The body, when it is UTF-8.
    pub body: Option<String>,
    /// The body in base64, when it is not UTF-8.
    pub body_base64: Option<String>,
    /// What verification said.
    pub verification: Verdict,
    /// Not forwarded because it did not verify.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dropped: bool,
    /// What the idempotency claim found (`listen --idempotency`).
    pub idempotency: Option<String>,
    /// What the app answered, when it was forwarded.
    pub forward: Option<Forward>,
}

impl Exchange {
    /// Stores `body` in `body` or `body_base64`, whichever keeps every byte.
    pub fn set_body(&mut self, body: &[u8]) {
        match std::str::from_utf8(body) {
            Ok(text) => self.body = Some(text.to_owned()),
            Err(_) => {
                self.body_base64 = Some(base64::engine::general_purpose::STANDARD.encode(body));
            }
        }
    }

    /// The body's bytes, exactly as they arrived.
    pub fn body_bytes(&self) -> Result<Vec<u8>, String> {
        match (&self.body, &self.body_base64) {
            (Some(text), _) => Ok(text.as_bytes().to_vec()),
            (None, Some(encoded)) => base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|e| format!("body_base64 is not base64: {e}")),
            (None, None) => Ok(Vec::new()),
        }
    }

    /// Whether the app failed it: answered non-2xx, or never answered (not forwarded
    /// included: the app has not seen it).
    pub fn failed(&self) -> bool {
        !self
            .forward
            .as_ref()
            .and_then(|f| f.status)
            .is_some_and(|status| (200..300).contains(&status))
    }

    /// The exchange as one JSON line.
    pub fn line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Appends `exchange` to `file` and flushes it, so a killed listener loses no line.
pub fn append(file: &mut std::fs::File, exchange: &Exchange) -> std::io::Result<()> {
    let mut line = exchange.line();
    line.push('\n');
    file.write_all(line.as_bytes())?;
    file.flush()
}

/// Every exchange in `path`, in order, with its body's bytes; a line that is not one fails
/// the whole read (exit 2), naming the line, before anything is sent. Blank lines are
/// skipped.
pub fn read(path: &Path) -> Result<Vec<(Exchange, Vec<u8>)>, Fail> {
    let file = std::fs::File::open(path)
        .map_err(|e| Fail::Usage(format!("cannot open {}: {e}", path.display())))?;
    let mut all = Vec::new();
    for (index, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| Fail::Error(format!("cannot read {}: {e}", path.display())))?;
        if line.trim().is_empty() {
            continue;
        }
        let exchange: Exchange = serde_json::from_str(&line).map_err(|e| {
            Fail::Usage(format!(
                "{} line {}: not a `hook listen --record` line: {e}",
                path.display(),
                index + 1
            ))
        })?;
        let body = exchange
            .body_bytes()
            .map_err(|e| Fail::Usage(format!("{} line {}: {e}", path.display(), index + 1)))?;
        all.push((exchange, body));
    }
    Ok(all)
}

/// Now, RFC 3339 with milliseconds.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_millisecond(now.millisecond()).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Milliseconds since the Unix epoch.
pub fn unix_millis() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}
