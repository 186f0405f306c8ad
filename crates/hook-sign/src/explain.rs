//! Naming the likely mistake behind a failed verification.
//!
//! The usual troubleshooting advice says: check the secret, the payload encoding, that the
//! raw body is used, and the hash algorithm. [`explain`] goes further: it re-computes the
//! MAC under the usual mistakes (a re-serialized or re-indented body, a trailing newline,
//! hex for base64, a missing prefix, a `whsec_` secret used raw or decoded, a payload
//! without the timestamp) and reports the ones that reproduce the signature.

use std::fmt;

use sha2::{Digest as _, Sha256};

use crate::ConfigError;
use crate::codec::{self, MacBytes};
use crate::header_list;
use crate::headers::{Found, Headers};
use crate::key::Key;
use crate::scheme::{Coverage, Encoding, KeyFormat, Scheme, TimestampSource};
use crate::verify::{
    MAX_HEADER_LEN, MAX_SIGNATURES, Verified, Verifier, VerifyError, parse_timestamp, trim,
};
use ctutils::CtEq as _;

/// How a body differs from the bytes that were signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyChange {
    /// A trailing newline was added or removed.
    TrailingNewline,
    /// Line endings changed between `\r\n` and `\n`.
    LineEndings,
    /// The JSON was re-serialized: same content, other whitespace (parsed and written
    /// again, pretty-printed, or compacted).
    Reserialized,
}

/// A likely cause of a failed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mistake {
    /// The scheme's signature header is absent but another scheme's is present.
    OtherScheme {
        /// The other scheme's name.
        scheme: String,
        /// Its header.
        header: String,
    },
    /// The signature is written in one encoding where the scheme expects another.
    WrongEncoding {
        /// What the header holds.
        sent: Encoding,
        /// What the scheme expects.
        expected: Encoding,
    },
    /// The signature lacks the scheme's prefix, or carries another one.
    WrongPrefix {
        /// The prefix the header holds (may be empty).
        sent: String,
        /// The prefix the scheme expects.
        expected: String,
    },
    /// The secret was used as raw text where the scheme base64-decodes it after
    /// `whsec_`, or the other way round.
    SecretFormat {
        /// How the sender turned the secret into a key.
        sent: KeyFormat,
        /// How the scheme does.
        expected: KeyFormat,
    },
    /// The body was changed between sending and verifying: verify the raw bytes.
    BodyChanged(BodyChange),
    /// The sender signed other bytes than the scheme describes (say, the body alone
    /// where `{timestamp}.{body}` is expected).
    SignedOtherPayload {
        /// What the sender signed.
        sent: Coverage,
        /// What the scheme signs.
        expected: Coverage,
    },
    /// The timestamp is too far from this machine's clock.
    ClockSkew {
        /// `now - timestamp`, seconds.
        skew: i64,
    },
    /// The timestamp looks like milliseconds; the scheme wants seconds.
    TimestampInMilliseconds,
    /// A header-list signature is under another label than the scheme reads.
    WrongLabel {
        /// The label the request carries.
        sent: String,
        /// The label the scheme reads.
        expected: String,
    },
    /// A header-list signature lists a header the request does not carry.
    ListedHeaderMissing {
        /// The listed header.
        header: String,
    },
    /// A listed header's value was changed on the way (a proxy adding `; charset=utf-8` to
    /// `Content-Type`, say): the signature matches its usual original value.
    ListedHeaderAltered {
        /// The altered header.
        header: String,
    },
    /// The body does not match its signed `Content-Digest`, in no way tried here.
    DigestMismatch,
    /// Nothing reproduced the signature: the secret is most likely not the one the sender
    /// used, or the body was changed in a way not tried here.
    WrongSecret,
}

impl fmt::Display for Mistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mistake::OtherScheme { scheme, header } => write!(
                f,
                "the request carries {header}, a header of the {scheme} scheme: verify with --scheme {scheme}"
            ),
            Mistake::WrongEncoding { sent, expected } => {
                write!(f, "the signature is written in {sent} but this scheme expects {expected}")
            }
            Mistake::WrongPrefix { sent, expected } if sent.is_empty() => {
                write!(f, "the signature is missing its {expected:?} prefix")
            }
            Mistake::WrongPrefix { sent, expected } => {
                write!(f, "the signature starts with {sent:?} but this scheme expects {expected:?}")
            }
            Mistake::SecretFormat { sent: KeyFormat::Raw, .. } => f.write_str(
                "the sender used the whsec_… secret text as the key; this scheme base64-decodes what follows whsec_",
            ),
            Mistake::SecretFormat { .. } => f.write_str(
                "the sender base64-decoded the whsec_… secret; this scheme uses the secret text as-is",
            ),
            Mistake::BodyChanged(BodyChange::TrailingNewline) => {
                f.write_str("the body gained or lost a trailing newline: verify the raw bytes as received")
            }
            Mistake::BodyChanged(BodyChange::LineEndings) => {
                f.write_str("the body's line endings changed (\\r\\n vs \\n): verify the raw bytes as received")
            }
            Mistake::BodyChanged(BodyChange::Reserialized) => f.write_str(
                "the body was re-serialized (same JSON, other whitespace): verify the raw bytes, not parsed-and-rewritten JSON",
            ),
            Mistake::SignedOtherPayload { sent, expected } => {
                write!(f, "the sender signed {sent} but this scheme signs {expected}")
            }
            Mistake::ClockSkew { skew } => write!(
                f,
                "the timestamp is {} seconds {} this machine's clock: check both clocks (NTP) or the delivery's age",
                skew.unsigned_abs(),
                if *skew < 0 { "ahead of" } else { "behind" }
            ),
            Mistake::TimestampInMilliseconds => {
                f.write_str("the timestamp looks like milliseconds; the scheme wants unix seconds")
            }
            Mistake::WrongLabel { sent, expected } => write!(
                f,
                "the signature is labelled {sent:?} but this scheme reads {expected:?}: use the sender's label"
            ),
            Mistake::ListedHeaderMissing { header } => write!(
                f,
                "the signature lists {header} but the request lacks it: a proxy may have dropped it; forward it unchanged"
            ),
            Mistake::ListedHeaderAltered { header } => write!(
                f,
                "{header} was altered after signing (a proxy rewrote it?): forward listed headers unchanged"
            ),
            Mistake::DigestMismatch => f.write_str(
                "the body is not the one whose digest was signed: verify the raw bytes as received, before any proxy or framework changes them",
            ),
            Mistake::WrongSecret => f.write_str(
                "no variant reproduced the signature: the secret is most likely not the sender's (or the body was altered)",
            ),
        }
    }
}

/// The outcome of [`explain`]: the verification result and the likely mistakes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Explanation {
    /// What verification said.
    pub result: Result<Verified, VerifyError>,
    /// Likely causes, most specific first; empty when verification passed.
    pub mistakes: Vec<Mistake>,
}

impl Explanation {
    /// Whether the delivery verified.
    pub fn is_valid(&self) -> bool {
        self.result.is_ok()
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.result {
            Ok(_) => f.write_str("valid"),
            Err(error) => {
                write!(f, "invalid: {error}")?;
                for mistake in &self.mistakes {
                    write!(f, "\n  likely: {mistake}")?;
                }
                Ok(())
            }
        }
    }
}

/// Verifies as [`Verifier::verify_at`] does and, on failure, names the likely mistake.
///
/// Diagnosis re-computes up to a few hundred MACs over variants of the body, so use it
/// when debugging, not on every request.
///
/// ```
/// use hook_sign::{explain, Message, Mistake, BodyChange, Scheme, Signer};
/// let sent = b"{\"id\": 1, \"ok\": true}";
/// let headers = Signer::new(Scheme::generic(), "s")?.sign(&Message::new(sent))?;
/// // A framework parsed the JSON and wrote it back compact before verifying:
/// let explanation = explain(&Scheme::generic(), b"s", &headers, b"{\"id\":1,\"ok\":true}", 0)?;
/// assert!(explanation.mistakes.contains(&Mistake::BodyChanged(BodyChange::Reserialized)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`ConfigError`] when `scheme` or `secret` could not make a verifier at all (the explanation
/// needs one).
pub fn explain<H: Headers + ?Sized>(
    scheme: &Scheme,
    secret: &[u8],
    headers: &H,
    body: &[u8],
    now: u64,
) -> Result<Explanation, ConfigError> {
    let verifier = Verifier::new(scheme.clone(), secret)?;
    let result = verifier.verify_at(headers, body, now);
    let mut mistakes = Vec::new();
    match &result {
        Ok(_) => {}
        Err(VerifyError::MissingHeader { header }) => {
            let input = scheme.header_list().map(|(_, input)| input);
            if header.eq_ignore_ascii_case(&scheme.signature_header) {
                mistakes.extend(other_schemes(scheme, headers));
            } else if input.is_some_and(|input| !header.eq_ignore_ascii_case(input)) {
                mistakes.push(Mistake::ListedHeaderMissing {
                    header: header.to_string(),
                });
            }
        }
        Err(VerifyError::OutsideTolerance {
            timestamp, skew, ..
        }) => {
            if *timestamp > 100_000_000_000 {
                mistakes.push(Mistake::TimestampInMilliseconds);
            }
            mistakes.push(Mistake::ClockSkew { skew: *skew });
            if verifier.verify_ignoring_timestamp(headers, body).is_err() {
                mistakes.extend(reproduce(scheme, secret, headers, body));
            }
        }
        Err(_) => mistakes.extend(reproduce(scheme, secret, headers, body)),
    }
    Ok(Explanation { result, mistakes })
}

fn other_schemes<H: Headers + ?Sized>(scheme: &Scheme, headers: &H) -> Vec<Mistake> {
    Scheme::presets()
        .into_iter()
        .filter(|other| {
            !other
                .signature_header
                .eq_ignore_ascii_case(&scheme.signature_header)
        })
        .filter(|other| !matches!(headers.find(&other.signature_header), Found::Missing))
        .fold(Vec::new(), |mut found, other| {
            // up42 and generic share a header: name the first only.
            push_once(
                &mut found,
                Mistake::OtherScheme {
                    scheme: other.name.to_string(),
                    header: other.signature_header.to_string(),
                },
            );
            found
        })
}

/// A token from the signature header, decoded loosely: any known prefix, either encoding.
struct Token {
    prefix: &'static str,
    encoding: Encoding,
    mac: MacBytes,
}

const LOOSE_PREFIXES: [&str; 6] = ["sha256=", "v1,", "v1=", "sha256:", "v1:", ""];

fn tokens(value: &[u8]) -> Vec<Token> {
    let mut found = Vec::new();
    // `v1,<sig>` keeps its comma; Stripe's `t=…,v1=…` splits on it.
    let items = value
        .split(|b| matches!(b, b' ' | b';'))
        .flat_map(|item| {
            let keep = item.starts_with(b"v1,") || !item.contains(&b',');
            let split: Box<dyn Iterator<Item = &[u8]>> = if keep {
                Box::new(std::iter::once(item))
            } else {
                Box::new(item.split(|b| *b == b','))
            };
            split
        })
        .map(trim)
        .filter(|i| !i.is_empty())
        .take(MAX_SIGNATURES * 2);
    for item in items {
        for prefix in LOOSE_PREFIXES {
            let Some(text) = item.strip_prefix(prefix.as_bytes()) else {
                continue;
            };
            if let Some(mac) = codec::decode_hex(text) {
                found.push(Token {
                    prefix,
                    encoding: Encoding::Hex,
                    mac,
                });
            } else if let Some(mac) = codec::decode_base64(text) {
                found.push(Token {
                    prefix,
                    encoding: Encoding::Base64,
                    mac,
                });
            } else {
                continue;
            }
            break;
        }
    }
    found
}

fn header<'h, H: Headers + ?Sized>(headers: &'h H, name: &str) -> Option<&'h [u8]> {
    match headers.find(name) {
        Found::One(value) if value.len() <= MAX_HEADER_LEN => Some(trim(value)),
        _ => None,
    }
}

fn reproduce<H: Headers + ?Sized>(
    scheme: &Scheme,
    secret: &[u8],
    headers: &H,
    body: &[u8],
) -> Vec<Mistake> {
    let Some(value) = header(headers, &scheme.signature_header) else {
        return other_schemes(scheme, headers);
    };
    if let Some((label, input)) = scheme.header_list() {
        return reproduce_list(scheme, secret, headers, body, value, label, input);
    }
    let tokens = tokens(value);
    let timestamp: Option<&[u8]> = match &scheme.timestamp {
        Some(TimestampSource::Header(name)) => header(headers, name),
        Some(TimestampSource::Item(prefix)) => value
            .split(|b| *b == b',' || *b == b' ')
            .map(trim)
            .find_map(|item| item.strip_prefix(prefix.as_bytes())),
        None => None,
    };
    let id = scheme
        .id_header
        .as_deref()
        .and_then(|name| header(headers, name));
    let mut mistakes = format_mistakes(scheme, &tokens);

    let bodies = body_variants(body);
    for (format, key) in &key_variants(scheme, secret) {
        for signed in Coverage::ALL {
            if signed == Coverage::Components {
                continue;
            }
            let ts = match (signed.needs_timestamp(), timestamp) {
                (true, None) => continue,
                (true, Some(ts)) if parse_timestamp(ts).is_none() => continue,
                (_, ts) => ts.unwrap_or_default(),
            };
            let id = match (signed.needs_id(), id) {
                (true, None) => continue,
                (_, id) => id.unwrap_or_default(),
            };
            for (change, variant) in &bodies {
                let mac = key.mac(signed, id, ts, variant);
                if tokens.iter().any(|t| bool::from(t.mac.ct_eq(&mac))) {
                    if format != &scheme.key {
                        mistakes.push(Mistake::SecretFormat {
                            sent: *format,
                            expected: scheme.key,
                        });
                    }
                    if let Some(change) = change {
                        mistakes.push(Mistake::BodyChanged(*change));
                    }
                    if !scheme.forms.iter().any(|f| f.signed == signed)
                        && let Some(form) = scheme.primary_form()
                    {
                        mistakes.push(Mistake::SignedOtherPayload {
                            sent: signed,
                            expected: form.signed,
                        });
                    }
                    return mistakes;
                }
            }
        }
    }
    mistakes.push(Mistake::WrongSecret);
    mistakes
}

/// The labelled member of a header-list header, or the mistake of a wrong label.
fn labelled<'v>(value: &'v [u8], label: &str) -> Result<&'v [u8], Vec<Mistake>> {
    match header_list::member(value, label) {
        Ok(Some(member)) => Ok(member),
        _ => Err(header_list::labels(value)
            .find(|sent| *sent != label.as_bytes())
            .map(|sent| Mistake::WrongLabel {
                sent: String::from_utf8_lossy(sent).into_owned(),
                expected: label.to_owned(),
            })
            .into_iter()
            .collect()),
    }
}

/// Header-list diagnosis: label, encoding, missing or altered headers, the body digest.
fn reproduce_list<H: Headers + ?Sized>(
    scheme: &Scheme,
    secret: &[u8],
    headers: &H,
    body: &[u8],
    signature: &[u8],
    label: &str,
    input_header: &str,
) -> Vec<Mistake> {
    let member = match labelled(signature, label) {
        Ok(member) => member,
        Err(mistakes) => return mistakes,
    };
    let tokens = tokens(header_list::signature_text(member));
    let mut mistakes = format_mistakes(scheme, &tokens);
    let Some(input_value) = header(headers, input_header) else {
        return mistakes;
    };
    let input = match labelled(input_value, label) {
        Ok(member) => member,
        Err(wrong) => return wrong,
    };
    let Ok(input) = header_list::parse_input(input) else {
        return mistakes;
    };
    let mut listed: Vec<(&[u8], Vec<u8>)> = Vec::new();
    for name in input.names() {
        let text = String::from_utf8_lossy(name);
        let Some(value) = header(headers, &text) else {
            mistakes.push(Mistake::ListedHeaderMissing {
                header: text.into_owned(),
            });
            return mistakes;
        };
        if name.eq_ignore_ascii_case(b"content-digest")
            && let Ok(digest) = header_list::sha256_digest(value)
            && Sha256::digest(body).as_slice() != digest
        {
            let change = body_variants(body)
                .into_iter()
                .find(|(_, variant)| Sha256::digest(variant).as_slice() == digest)
                .and_then(|(change, _)| change);
            mistakes.push(change.map_or(Mistake::DigestMismatch, Mistake::BodyChanged));
        }
        listed.push((name, value.to_vec()));
    }
    for (format, key) in key_variants(scheme, secret) {
        // The values as received, then each header under its usual proxy rewrites.
        let mut tries: Vec<Try<'_>> = vec![(None, listed.iter().map(|(_, v)| v.clone()).collect())];
        for (index, (name, value)) in listed.iter().enumerate() {
            for variant in header_variants(value) {
                let mut values: Vec<Vec<u8>> = listed.iter().map(|(_, v)| v.clone()).collect();
                values[index] = variant;
                tries.push((Some(name), values));
            }
        }
        for (altered, values) in tries {
            let parts: Vec<&[u8]> = values.iter().map(Vec::as_slice).collect();
            let mac = key.mac_parts(&parts);
            if tokens.iter().any(|t| bool::from(t.mac.ct_eq(&mac))) {
                if format != scheme.key {
                    mistakes.push(Mistake::SecretFormat {
                        sent: format,
                        expected: scheme.key,
                    });
                }
                if let Some(name) = altered {
                    mistakes.push(Mistake::ListedHeaderAltered {
                        header: String::from_utf8_lossy(name).into_owned(),
                    });
                }
                return mistakes;
            }
        }
    }
    if !mistakes
        .iter()
        .any(|m| matches!(m, Mistake::BodyChanged(_) | Mistake::DigestMismatch))
    {
        mistakes.push(Mistake::WrongSecret);
    }
    mistakes
}

/// One attempt at reproducing a header list: the header changed (if any) and the values.
type Try<'n> = (Option<&'n [u8]>, Vec<Vec<u8>>);

/// A header value as it was likely sent before a proxy rewrote it.
fn header_variants(value: &[u8]) -> Vec<Vec<u8>> {
    let mut variants = Vec::new();
    if let Some(i) = value.iter().position(|b| *b == b';') {
        variants.push(trim(&value[..i]).to_vec());
    }
    variants.push([value, b"; charset=utf-8"].concat());
    variants.push(value.to_ascii_lowercase());
    variants.retain(|v| v != value);
    variants
}

/// The scheme's key format first, then the other one (a `whsec_` secret misread).
fn key_variants(scheme: &Scheme, secret: &[u8]) -> Vec<(KeyFormat, Key)> {
    let other = match scheme.key {
        KeyFormat::Raw => KeyFormat::WhsecBase64,
        KeyFormat::WhsecBase64 => KeyFormat::Raw,
    };
    [scheme.key, other]
        .into_iter()
        .filter_map(|format| {
            Key::new(secret, format, scheme.algorithm)
                .ok()
                .map(|key| (format, key))
        })
        .collect()
}

/// Prefix and encoding mistakes visible from the header alone.
fn format_mistakes(scheme: &Scheme, tokens: &[Token]) -> Vec<Mistake> {
    let mut mistakes = Vec::new();
    for token in tokens {
        let exact = scheme
            .forms
            .iter()
            .any(|f| f.prefix == token.prefix && f.encoding == token.encoding);
        if exact {
            return Vec::new();
        }
        if let Some(form) = scheme.forms.iter().find(|f| f.encoding == token.encoding) {
            push_once(
                &mut mistakes,
                Mistake::WrongPrefix {
                    sent: token.prefix.to_owned(),
                    expected: form.prefix.to_string(),
                },
            );
        } else if let Some(form) = scheme.primary_form() {
            push_once(
                &mut mistakes,
                Mistake::WrongEncoding {
                    sent: token.encoding,
                    expected: form.encoding,
                },
            );
            if form.prefix != token.prefix {
                push_once(
                    &mut mistakes,
                    Mistake::WrongPrefix {
                        sent: token.prefix.to_owned(),
                        expected: form.prefix.to_string(),
                    },
                );
            }
        }
    }
    mistakes
}

fn push_once(list: &mut Vec<Mistake>, mistake: Mistake) {
    if !list.contains(&mistake) {
        list.push(mistake);
    }
}

/// The body as received, then the usual ways a sender's bytes differ from it.
fn body_variants(body: &[u8]) -> Vec<(Option<BodyChange>, Vec<u8>)> {
    let mut variants: Vec<(Option<BodyChange>, Vec<u8>)> = vec![(None, body.to_vec())];
    let mut add = |change, bytes: Vec<u8>| {
        if !variants.iter().any(|(_, b)| *b == bytes) {
            variants.push((Some(change), bytes));
        }
    };
    if let Some(stripped) = body
        .strip_suffix(b"\r\n")
        .or_else(|| body.strip_suffix(b"\n"))
    {
        add(BodyChange::TrailingNewline, stripped.to_vec());
    }
    add(BodyChange::TrailingNewline, [body, b"\n"].concat());
    if body.contains(&b'\n') {
        if body.windows(2).any(|w| w == b"\r\n") {
            add(BodyChange::LineEndings, replace_crlf(body));
        } else {
            add(
                BodyChange::LineEndings,
                body.iter()
                    .flat_map(|&b| {
                        if b == b'\n' {
                            vec![b'\r', b'\n']
                        } else {
                            vec![b]
                        }
                    })
                    .collect(),
            );
        }
    }
    if let Some(tokens) = json_tokens(body) {
        for style in [
            Style::Compact,
            Style::Spaced,
            Style::Pretty(2),
            Style::Pretty(4),
        ] {
            add(BodyChange::Reserialized, layout_json(&tokens, style));
        }
    }
    variants
}

fn replace_crlf(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'\r' && body.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(body[i]);
        i += 1;
    }
    out
}

#[derive(Clone, Copy)]
pub(crate) enum Style {
    /// `{"a":1,"b":2}` (JavaScript's JSON.stringify, serde_json).
    Compact,
    /// `{"a": 1, "b": 2}` (Python's json.dumps).
    Spaced,
    /// Indented by this many spaces.
    Pretty(usize),
}

/// Splits JSON text into tokens with insignificant whitespace dropped; `None` if the
/// bytes do not look like JSON (strings left open, or no braces at the top).
pub(crate) fn json_tokens(body: &[u8]) -> Option<Vec<&[u8]>> {
    let text = trim(body);
    if !matches!(text.first(), Some(b'{' | b'[')) || body.len() > 4 * 1024 * 1024 {
        return None;
    }
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'{' | b'}' | b'[' | b']' | b',' | b':' => {
                tokens.push(&text[i..=i]);
                i += 1;
            }
            b'"' => {
                let start = i;
                i += 1;
                loop {
                    match text.get(i)? {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                i += 1;
                tokens.push(&text[start..i]);
            }
            _ => {
                let start = i;
                while i < text.len() && !b" \t\r\n{}[],:\"".contains(&text[i]) {
                    i += 1;
                }
                tokens.push(&text[start..i]);
            }
        }
    }
    Some(tokens)
}

pub(crate) fn layout_json(tokens: &[&[u8]], style: Style) -> Vec<u8> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let newline = |out: &mut Vec<u8>, depth: usize, width: usize| {
        out.push(b'\n');
        out.extend(std::iter::repeat_n(b' ', depth * width));
    };
    for (index, token) in tokens.iter().enumerate() {
        let next = tokens.get(index + 1).copied();
        match (style, *token) {
            (Style::Pretty(width), b"{" | b"[") => {
                out.extend_from_slice(token);
                if !matches!(next, Some(b"}" | b"]")) {
                    depth += 1;
                    newline(&mut out, depth, width);
                }
            }
            (Style::Pretty(width), b"}" | b"]") => {
                let empty = index > 0 && matches!(tokens[index - 1], b"{" | b"[");
                if !empty {
                    depth = depth.saturating_sub(1);
                    newline(&mut out, depth, width);
                }
                out.extend_from_slice(token);
            }
            (Style::Pretty(width), b",") => {
                out.push(b',');
                newline(&mut out, depth, width);
            }
            (Style::Pretty(_) | Style::Spaced, b":") => out.extend_from_slice(b": "),
            (Style::Spaced, b",") => out.extend_from_slice(b", "),
            _ => out.extend_from_slice(token),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(text: &str, style: Style) -> String {
        String::from_utf8(layout_json(&json_tokens(text.as_bytes()).unwrap(), style)).unwrap()
    }

    #[test]
    fn json_layouts_match_common_serializers() {
        let text = "{ \"a\" : [1, {}], \"b\":\"x, y: \\\"z\\\"\" }";
        assert_eq!(
            layout(text, Style::Compact),
            r#"{"a":[1,{}],"b":"x, y: \"z\""}"#
        );
        assert_eq!(
            layout(text, Style::Spaced),
            r#"{"a": [1, {}], "b": "x, y: \"z\""}"#
        );
        assert_eq!(
            layout(text, Style::Pretty(2)),
            "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": \"x, y: \\\"z\\\"\"\n}"
        );
    }

    #[test]
    fn unterminated_strings_are_not_json() {
        assert!(json_tokens(b"{\"a").is_none());
        assert!(json_tokens(b"plain text").is_none());
    }
}
