//! Verification: parse the headers, check the time, compare MACs in constant time.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ctutils::CtEq as _;
use sha2::{Digest as _, Sha256};

use crate::ConfigError;
use crate::codec::{self, MacBytes};
use crate::header_list::{self, MAX_COMPONENTS};
use crate::headers::{Found, Gathered, Headers};
use crate::key::{self, Key};
use crate::scheme::{Algorithm, Coverage, Encoding, Layout, Scheme, TimestampSource};

/// The longest header value read, in bytes; longer values are refused unread.
pub const MAX_HEADER_LEN: usize = 8 * 1024;

/// The most signatures read from one header (key rotation rarely needs more than two).
pub const MAX_SIGNATURES: usize = 16;

/// Checks signatures of one [`Scheme`] against one or more secrets.
///
/// Several secrets let a receiver accept both sides of a key rotation. A verify call
/// allocates nothing on the heap for the preset schemes.
///
/// ```
/// use hook_sign::{Message, Scheme, Signer, Verifier};
/// let signer = Signer::new(Scheme::generic(), "s3cret")?;
/// let headers = signer.sign(&Message::new(b"{\"id\":1}"))?;
/// let verifier = Verifier::new(Scheme::generic(), "s3cret")?;
/// verifier.verify(&headers, b"{\"id\":1}")?;
/// assert!(verifier.verify(&headers, b"{\"id\":2}").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    scheme: Scheme,
    keys: Vec<Key>,
    headers_only: bool,
}

/// What a successful verification established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// Which secret matched, counting from 0 in the order they were given.
    pub secret_index: usize,
    /// Which of the scheme's forms matched.
    pub form_index: usize,
    /// The signed timestamp, in unix seconds, when the matching form signs one.
    pub timestamp: Option<u64>,
}

/// Why a header could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// The value is longer than [`MAX_HEADER_LEN`].
    TooLong {
        /// The value's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The header appears more than once.
    Repeated,
    /// The value is empty.
    Empty,
    /// More signatures than [`MAX_SIGNATURES`].
    TooManySignatures {
        /// The limit.
        max: usize,
    },
    /// No item starts with any of the scheme's prefixes.
    NoKnownPrefix {
        /// The accepted prefixes, quoted and joined.
        expected: String,
    },
    /// The text after the prefix is not a MAC in an accepted encoding.
    BadEncoding {
        /// What was expected, such as `64 hex digits or 44 base64 characters`.
        expected: String,
    },
    /// The timestamp is not unix seconds as a plain non-negative integer.
    BadTimestamp,
    /// Stripe-style headers carried no timestamp item.
    NoTimestampItem {
        /// The item prefix, such as `t=`.
        prefix: String,
    },
    /// A header-list scheme's header has no member with the scheme's label.
    NoLabel {
        /// The label looked for.
        label: String,
    },
    /// A `Signature-Input` member is not a non-empty list of header names.
    BadComponentList,
    /// A `Signature-Input` lists more names than [`MAX_COMPONENTS`].
    TooManyComponents {
        /// The limit.
        max: usize,
    },
    /// A `Signature-Input` member has no `created` parameter.
    NoCreated,
    /// A `Content-Digest` holds no SHA-256 digest.
    NoSha256Digest,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Malformed::TooLong { len, max } => {
                write!(f, "it is {len} bytes long, over the {max}-byte limit")
            }
            Malformed::Repeated => f.write_str("it appears more than once"),
            Malformed::Empty => f.write_str("it is empty"),
            Malformed::TooManySignatures { max } => {
                write!(f, "it holds more than {max} signatures")
            }
            Malformed::NoKnownPrefix { expected } => {
                write!(f, "no signature starts with {expected}")
            }
            Malformed::BadEncoding { expected } => write!(f, "the signature is not {expected}"),
            Malformed::BadTimestamp => f.write_str(
                "the timestamp is not a non-negative whole number of seconds that fits in 64 bits",
            ),
            Malformed::NoTimestampItem { prefix } => {
                write!(f, "it has no {prefix}<timestamp> item")
            }
            Malformed::NoLabel { label } => {
                write!(f, "it has no {label}= member (the label this scheme reads)")
            }
            Malformed::BadComponentList => f.write_str(
                "its component list is not a non-empty parenthesised list of header names",
            ),
            Malformed::TooManyComponents { max } => {
                write!(f, "it lists more than {max} components")
            }
            Malformed::NoCreated => f.write_str("it has no ;created=<unix seconds> parameter"),
            Malformed::NoSha256Digest => f.write_str("it holds no sha-256=:<base64>: digest"),
        }
    }
}

impl std::error::Error for Malformed {}

/// Why a delivery did not verify. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// A header the scheme needs is absent.
    MissingHeader {
        /// The header's name.
        header: Cow<'static, str>,
    },
    /// A header is present but cannot be read.
    MalformedHeader {
        /// The header's name.
        header: Cow<'static, str>,
        /// What is wrong with it.
        reason: Malformed,
    },
    /// The signed timestamp is too far from now.
    OutsideTolerance {
        /// The signed timestamp, unix seconds.
        timestamp: u64,
        /// `now - timestamp` in seconds: positive when the message is old.
        skew: i64,
        /// The allowed distance.
        tolerance: Duration,
    },
    /// The signatures are well-formed but none matches any secret.
    NoMatch {
        /// How many signatures the header held.
        signatures: usize,
        /// How many secrets were tried.
        secrets: usize,
    },
    /// A header-list signature lists no `content-digest`, so nothing ties it to the body.
    BodyNotCovered {
        /// The header listing the components.
        header: Cow<'static, str>,
    },
    /// The signature is valid but the body does not match its signed `Content-Digest`.
    BodyDigestMismatch,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::MissingHeader { header } => write!(f, "missing header {header}"),
            VerifyError::MalformedHeader { header, reason } => {
                write!(f, "malformed header {header}: {reason}")
            }
            VerifyError::OutsideTolerance {
                timestamp,
                skew,
                tolerance,
            } => write!(
                f,
                "timestamp {timestamp} is {} seconds {} now, outside the {} second tolerance",
                skew.unsigned_abs(),
                if *skew < 0 { "ahead of" } else { "behind" },
                tolerance.as_secs()
            ),
            VerifyError::NoMatch {
                signatures,
                secrets,
            } => write!(
                f,
                "no signature matched ({signatures} signature(s) against {secrets} secret(s))"
            ),
            VerifyError::BodyNotCovered { header } => write!(
                f,
                "the signature covers no body digest ({header} lists no content-digest), so \
                 the body is unauthenticated: anyone holding one delivery could send any body \
                 with its headers. Have the sender list content-digest; where it cannot (UP42's \
                 own sample validator checks no digest), accept the risk explicitly with \
                 Verifier::allow_headers_only (hook verify/listen --allow-headers-only) and \
                 treat the body as untrusted input"
            ),
            VerifyError::BodyDigestMismatch => f.write_str(
                "the body does not match its signed Content-Digest: it changed after signing; \
                 verify the raw bytes as received",
            ),
        }
    }
}

impl std::error::Error for VerifyError {}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("scheme", &self.scheme.name)
            .field("secrets", &format_args!("{} (redacted)", self.keys.len()))
            .field("headers_only", &self.headers_only)
            .finish()
    }
}

impl Verifier {
    /// A verifier for `scheme` with one secret.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] when the scheme is invalid or the secret is empty or malformed for it.
    pub fn new(scheme: Scheme, secret: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        Verifier::with_secrets(scheme, [secret])
    }

    /// A verifier for `scheme` accepting any of `secrets` (at least one).
    ///
    /// # Errors
    ///
    /// [`ConfigError`] when the scheme is invalid, no secret is given, or one is empty or
    /// malformed for it.
    pub fn with_secrets<S: AsRef<[u8]>>(
        scheme: Scheme,
        secrets: impl IntoIterator<Item = S>,
    ) -> Result<Self, ConfigError> {
        let keys = key::keys_for(&scheme, secrets)?;
        Ok(Verifier {
            scheme,
            keys,
            headers_only: false,
        })
    }

    /// Accepts header-list signatures ([`Layout::HeaderList`]) that list no
    /// `content-digest`, verifying the listed headers alone.
    ///
    /// The body of such a delivery is **not authenticated**: anyone who captured one
    /// delivery can send any body with its headers. Use this only for a sender that cannot
    /// list a digest, and treat the body as untrusted input. A listed digest is still
    /// checked.
    pub fn allow_headers_only(mut self) -> Self {
        self.headers_only = true;
        self
    }

    /// The scheme this verifier follows.
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// Verifies `body` against `headers` now (the system clock).
    ///
    /// # Errors
    ///
    /// [`VerifyError`] saying why the delivery is refused: a missing or repeated header, a
    /// malformed or stale signature or timestamp, or no signature matching any secret.
    pub fn verify<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<Verified, VerifyError> {
        self.verify_at(headers, body, unix_now())
    }

    /// Verifies `body` against `headers` as if the time were `now` (unix seconds).
    ///
    /// # Errors
    ///
    /// [`VerifyError`] saying why the delivery is refused, as [`Verifier::verify`].
    pub fn verify_at<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: u64,
    ) -> Result<Verified, VerifyError> {
        self.run(headers, body, Some(now))
    }

    /// Verifies the signature but not the timestamp's age.
    ///
    /// Only for replaying stored deliveries or tests: a receiver that skips the time check
    /// accepts replays of any captured delivery forever.
    ///
    /// # Errors
    ///
    /// [`VerifyError`] saying why the delivery is refused, as [`Verifier::verify`], the
    /// timestamp's age aside.
    pub fn verify_ignoring_timestamp<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<Verified, VerifyError> {
        self.run(headers, body, None)
    }

    /// Verifies against a one-pass iterator of `(name, value)` pairs, now.
    ///
    /// Only the scheme's own headers are kept while reading, so any number of pairs is fine;
    /// a header-list scheme names its headers in one of them, so for it the pairs are
    /// collected first.
    ///
    /// # Errors
    ///
    /// [`VerifyError`] saying why the delivery is refused, as [`Verifier::verify`].
    pub fn verify_pairs<K, V>(
        &self,
        pairs: impl IntoIterator<Item = (K, V)>,
        body: &[u8],
    ) -> Result<Verified, VerifyError>
    where
        K: AsRef<str>,
        V: AsRef<[u8]>,
    {
        if self.scheme.header_list().is_some() {
            let pairs: Vec<(K, V)> = pairs.into_iter().collect();
            return self.verify(&pairs, body);
        }
        let names = [
            Some(self.scheme.signature_header.as_ref()),
            self.scheme.timestamp_header(),
            self.scheme.id_header.as_deref(),
        ];
        self.verify(&Gathered::new(names, pairs), body)
    }

    fn run<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: Option<u64>,
    ) -> Result<Verified, VerifyError> {
        let mut parsed = Parsed::empty();
        parsed.read(&self.scheme, headers)?;
        let timestamp = parsed.check_time(&self.scheme, now)?;
        if let Some(list) = &parsed.list {
            return self.run_list(&parsed, list, body, timestamp);
        }
        for (secret_index, key) in self.keys.iter().enumerate() {
            for signed in Coverage::ALL {
                if !parsed.needs(signed) {
                    continue;
                }
                let ed25519 = key.is_ed25519();
                let mac = key.mac(signed, parsed.id, parsed.timestamp_text, body);
                for candidate in parsed.candidates() {
                    let form = &self.scheme.forms[usize::from(candidate.form)];
                    let matched = form.signed == signed
                        && match (ed25519, candidate.ed25519) {
                            (false, false) => candidate.hmac_matches(&mac),
                            (true, true) => {
                                let (parts, len) =
                                    message_parts(signed, parsed.id, parsed.timestamp_text, body);
                                key.verifies(&parts[..len], &candidate.mac)
                            }
                            _ => false,
                        };
                    if matched {
                        return Ok(Verified {
                            secret_index,
                            form_index: usize::from(candidate.form),
                            timestamp: timestamp.filter(|_| signed.needs_timestamp()),
                        });
                    }
                }
            }
        }
        Err(VerifyError::NoMatch {
            signatures: parsed.len,
            secrets: self.keys.len(),
        })
    }
}

impl Verifier {
    /// A header list: the MAC over the listed values, then the body against its digest.
    fn run_list(
        &self,
        parsed: &Parsed<'_>,
        list: &Listed<'_>,
        body: &[u8],
        timestamp: Option<u64>,
    ) -> Result<Verified, VerifyError> {
        if list.digest.is_none() && !self.headers_only {
            let header = self
                .scheme
                .header_list()
                .map_or(Cow::Borrowed("Signature-Input"), |(_, input)| {
                    Cow::Owned(input.to_owned())
                });
            return Err(VerifyError::BodyNotCovered { header });
        }
        for (secret_index, key) in self.keys.iter().enumerate() {
            let mac = key.mac_parts(list.values());
            for candidate in parsed.candidates() {
                if candidate.hmac_matches(&mac) {
                    if let Some(digest) = &list.digest {
                        let actual: MacBytes = Sha256::digest(body).into();
                        if !bool::from(actual.ct_eq(digest)) {
                            return Err(VerifyError::BodyDigestMismatch);
                        }
                    }
                    return Ok(Verified {
                        secret_index,
                        form_index: usize::from(candidate.form),
                        timestamp,
                    });
                }
            }
        }
        Err(VerifyError::NoMatch {
            signatures: parsed.len,
            secrets: self.keys.len(),
        })
    }
}

/// How a failed verification is worded to a sender (the axum extractors and the `tower`
/// layer alike).
#[cfg(any(feature = "axum", feature = "tower"))]
pub(crate) fn refusal(error: &VerifyError) -> String {
    format!("invalid signature: {error}")
}

/// The parts of the message `signed` describes, in order, on the stack: `parts[..len]`.
/// `{id}.{timestamp}.{body}` and its shorter forms are written here once, for HMACs and
/// ed25519 signatures alike. `Coverage::Components` is never passed: its parts are the
/// listed header values.
pub(crate) fn message_parts<'a>(
    signed: Coverage,
    id: &'a [u8],
    timestamp: &'a [u8],
    body: &'a [u8],
) -> ([&'a [u8]; 5], usize) {
    let mut parts: [&[u8]; 5] = [b""; 5];
    let mut len = 0;
    if signed.needs_id() {
        parts[0] = id;
        parts[1] = b".";
        len = 2;
    }
    if signed.needs_timestamp() {
        parts[len] = timestamp;
        parts[len + 1] = b".";
        len += 2;
    }
    parts[len] = body;
    (parts, len + 1)
}

/// `item` less `prefix`, compared byte by byte in line: prefixes are a few bytes or none,
/// where a call to `memcmp` costs more than the comparison.
fn strip_prefix<'a>(item: &'a [u8], prefix: &[u8]) -> Option<&'a [u8]> {
    if item.len() < prefix.len() || item.iter().zip(prefix).any(|(a, b)| a != b) {
        return None;
    }
    Some(&item[prefix.len()..])
}

/// The current unix time in seconds (0 if the clock is before 1970).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[derive(Clone, Copy)]
pub(crate) struct Candidate {
    /// The index of the form in the scheme (at most [`crate::scheme::MAX_FORMS`]).
    pub(crate) form: u8,
    /// The signature as sent: an HMAC in the first 32 (or 20) bytes, or 64 ed25519 bytes.
    pub(crate) mac: codec::SigBytes,
    /// Whether the form is an ed25519 one.
    pub(crate) ed25519: bool,
}

impl Default for Candidate {
    fn default() -> Self {
        Candidate {
            form: 0,
            mac: [0; codec::SIG_LEN],
            ed25519: false,
        }
    }
}

impl Candidate {
    /// The HMAC part, compared in constant time with a computed MAC.
    pub(crate) fn hmac_matches(&self, mac: &MacBytes) -> bool {
        !self.ed25519 && bool::from(self.mac[..codec::MAC_LEN].ct_eq(&mac[..]))
    }
}

/// A scheme's headers, read and bounded, with the signatures decoded on the stack.
pub(crate) struct Parsed<'h> {
    items: [Candidate; MAX_SIGNATURES],
    len: usize,
    needed: [bool; 4],
    pub(crate) timestamp_text: &'h [u8],
    pub(crate) id: &'h [u8],
    pub(crate) list: Option<Listed<'h>>,
}

/// A header list's signed values, in the listed order, and its body digest if listed.
pub(crate) struct Listed<'h> {
    values: [&'h [u8]; MAX_COMPONENTS],
    len: usize,
    pub(crate) digest: Option<MacBytes>,
}

impl<'h> Listed<'h> {
    pub(crate) fn values(&self) -> &[&'h [u8]] {
        &self.values[..self.len]
    }
}

impl<'h> Parsed<'h> {
    /// Nothing read yet. Verification builds one on its stack and [`Parsed::read`]s into
    /// it: returning the 1.6 KiB struct by value would copy it, a measurable part of a
    /// small delivery's verification.
    pub(crate) fn empty() -> Self {
        Parsed {
            items: [Candidate::default(); MAX_SIGNATURES],
            len: 0,
            needed: [false; 4],
            timestamp_text: b"",
            id: b"",
            list: None,
        }
    }

    pub(crate) fn read<H: Headers + ?Sized>(
        &mut self,
        scheme: &Scheme,
        headers: &'h H,
    ) -> Result<(), VerifyError> {
        let value = required(headers, &scheme.signature_header)?;
        let parsed = self;
        let mut timestamp_item = None;
        let malformed = |reason| malformed(&scheme.signature_header, reason);
        match &scheme.layout {
            Layout::HeaderList {
                label,
                input_header,
            } => {
                parsed.read_list(scheme, headers, value, label, input_header)?;
                return Ok(());
            }
            Layout::Single => parsed.push(scheme, trim(value)).map_err(malformed)?,
            Layout::Separated { separator } => {
                let item_prefix = match &scheme.timestamp {
                    Some(TimestampSource::Item(prefix)) => Some(prefix.as_bytes()),
                    _ => None,
                };
                for item in value
                    .split(|b| b == separator)
                    .map(trim)
                    .filter(|i| !i.is_empty())
                {
                    if let Some(text) = item_prefix.and_then(|p| item.strip_prefix(p)) {
                        if timestamp_item.replace(text).is_some() {
                            return Err(malformed(Malformed::Repeated));
                        }
                        continue;
                    }
                    // Items of other versions (`v0=`, `v1a,`) are skipped, as the schemes ask.
                    if scheme
                        .forms
                        .iter()
                        .any(|f| item.starts_with(f.prefix.as_bytes()))
                    {
                        parsed.push(scheme, item).map_err(malformed)?;
                    }
                }
                if parsed.len == 0 {
                    return Err(malformed(Malformed::NoKnownPrefix {
                        expected: prefixes(scheme),
                    }));
                }
            }
        }
        if parsed.needed[1] || parsed.needed[2] {
            parsed.timestamp_text = match &scheme.timestamp {
                Some(TimestampSource::Header(name)) => trim(required(headers, name)?),
                Some(TimestampSource::Item(prefix)) => {
                    timestamp_item.map(trim).ok_or_else(|| {
                        malformed(Malformed::NoTimestampItem {
                            prefix: prefix.to_string(),
                        })
                    })?
                }
                None => b"",
            };
        }
        if parsed.needed[2]
            && let Some(name) = &scheme.id_header
        {
            parsed.id = trim(required(headers, name)?);
        }
        Ok(())
    }

    /// Reads the labelled members of both headers, then each listed header's value.
    #[allow(clippy::ptr_arg)] // as `required`
    fn read_list<H: Headers + ?Sized>(
        &mut self,
        scheme: &Scheme,
        headers: &'h H,
        signature: &'h [u8],
        label: &str,
        input_header: &Cow<'static, str>,
    ) -> Result<(), VerifyError> {
        let labelled = |header: &Cow<'static, str>, value: &'h [u8]| {
            header_list::member(value, label)
                .and_then(|member| {
                    member.ok_or_else(|| Malformed::NoLabel {
                        label: label.to_owned(),
                    })
                })
                .map_err(|reason| malformed(header, reason))
        };
        let text = header_list::signature_text(labelled(&scheme.signature_header, signature)?);
        self.push(scheme, text)
            .map_err(|reason| malformed(&scheme.signature_header, reason))?;
        let input_value = required(headers, input_header)?;
        let input = header_list::parse_input(labelled(input_header, input_value)?)
            .map_err(|reason| malformed(input_header, reason))?;
        self.timestamp_text = input
            .created
            .ok_or_else(|| malformed(input_header, Malformed::NoCreated))?;
        let mut list = Listed {
            values: [b""; MAX_COMPONENTS],
            len: 0,
            digest: None,
        };
        for name in input.names() {
            // Names are HTTP token bytes, checked by the parser: ASCII, so UTF-8.
            let name = std::str::from_utf8(name).unwrap_or_default();
            let value = match lookup(headers, name) {
                Ok(value) => trim(value),
                Err(None) => {
                    return Err(VerifyError::MissingHeader {
                        header: Cow::Owned(name.to_owned()),
                    });
                }
                Err(Some(reason)) => return Err(malformed(&Cow::Owned(name.to_owned()), reason)),
            };
            if name.eq_ignore_ascii_case("content-digest") {
                list.digest = Some(
                    header_list::sha256_digest(value)
                        .map_err(|reason| malformed(&Cow::Borrowed("Content-Digest"), reason))?,
                );
            }
            list.values[list.len] = value;
            list.len += 1;
        }
        self.list = Some(list);
        Ok(())
    }

    fn push(&mut self, scheme: &Scheme, item: &[u8]) -> Result<(), Malformed> {
        if item.is_empty() {
            return Err(Malformed::Empty);
        }
        if self.len == MAX_SIGNATURES {
            return Err(Malformed::TooManySignatures {
                max: MAX_SIGNATURES,
            });
        }
        let mut prefix_seen = false;
        for (index, form) in (0..=u8::MAX).zip(scheme.forms.iter()) {
            let Some(text) = strip_prefix(item, form.prefix.as_bytes()) else {
                continue;
            };
            prefix_seen = true;
            let algorithm = form.algorithm_in(scheme);
            let len = algorithm.mac_len();
            let mac = match (algorithm, form.encoding) {
                // The sent secret is hashed so the comparison is of equal-length digests.
                (Algorithm::PlainSecret, _) => {
                    let mut sig = [0u8; codec::SIG_LEN];
                    sig[..codec::MAC_LEN].copy_from_slice(&Sha256::digest(text));
                    Some(sig)
                }
                (_, Encoding::Hex) => codec::decode_hex_len(text, len),
                (_, Encoding::Base64) => codec::decode_base64_len(text, len),
            };
            if let Some(mac) = mac {
                self.items[self.len] = Candidate {
                    form: index,
                    mac,
                    ed25519: algorithm == Algorithm::Ed25519,
                };
                self.len += 1;
                self.needed[form.signed.index()] = true;
                return Ok(());
            }
        }
        Err(if prefix_seen {
            Malformed::BadEncoding {
                expected: encodings(scheme),
            }
        } else {
            Malformed::NoKnownPrefix {
                expected: prefixes(scheme),
            }
        })
    }

    pub(crate) fn candidates(&self) -> &[Candidate] {
        &self.items[..self.len]
    }

    pub(crate) fn needs(&self, signed: Coverage) -> bool {
        self.needed[signed.index()]
    }

    /// Parses the timestamp when a candidate signs one, and checks it against `now`.
    pub(crate) fn check_time(
        &self,
        scheme: &Scheme,
        now: Option<u64>,
    ) -> Result<Option<u64>, VerifyError> {
        if !(self.needs(Coverage::TimestampBody)
            || self.needs(Coverage::IdTimestampBody)
            || self.list.is_some())
        {
            return Ok(None);
        }
        let timestamp = parse_timestamp(self.timestamp_text).ok_or_else(|| {
            let header = match (&scheme.timestamp, &scheme.layout) {
                (Some(TimestampSource::Header(name)), _) => name.clone(),
                (_, Layout::HeaderList { input_header, .. }) => input_header.clone(),
                _ => scheme.signature_header.clone(),
            };
            malformed(&header, Malformed::BadTimestamp)
        })?;
        if let (Some(now), Some(tolerance)) = (now, scheme.tolerance) {
            let skew = i128::from(now) - i128::from(timestamp);
            if skew.unsigned_abs() > u128::from(tolerance.as_secs()) {
                return Err(VerifyError::OutsideTolerance {
                    timestamp,
                    skew: i64::try_from(skew).unwrap_or(if skew < 0 { i64::MIN } else { i64::MAX }),
                    tolerance,
                });
            }
        }
        Ok(Some(timestamp))
    }
}

// Takes the Cow itself so errors clone it: preset names stay borrowed, unallocated.
#[allow(clippy::ptr_arg)]
fn required<'h, H: Headers + ?Sized>(
    headers: &'h H,
    name: &Cow<'static, str>,
) -> Result<&'h [u8], VerifyError> {
    match lookup(headers, name) {
        Ok(value) if trim(value).is_empty() => Err(malformed(name, Malformed::Empty)),
        Ok(value) => Ok(value),
        Err(None) => Err(VerifyError::MissingHeader {
            header: name.clone(),
        }),
        Err(Some(reason)) => Err(malformed(name, reason)),
    }
}

/// One header's value, bounded; `Err(None)` when absent.
fn lookup<'h, H: Headers + ?Sized>(
    headers: &'h H,
    name: &str,
) -> Result<&'h [u8], Option<Malformed>> {
    match headers.find(name) {
        Found::Missing => Err(None),
        Found::Repeated => Err(Some(Malformed::Repeated)),
        Found::One(value) if value.len() > MAX_HEADER_LEN => Err(Some(Malformed::TooLong {
            len: value.len(),
            max: MAX_HEADER_LEN,
        })),
        Found::One(value) => Ok(value),
    }
}

#[allow(clippy::ptr_arg)] // as `required`
fn malformed(header: &Cow<'static, str>, reason: Malformed) -> VerifyError {
    VerifyError::MalformedHeader {
        header: header.clone(),
        reason,
    }
}

pub(crate) fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// Unix seconds as plain ASCII digits; at most 20 of them so the work is bounded.
pub(crate) fn parse_timestamp(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    text.iter().try_fold(0u64, |acc, &b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        acc.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

fn prefixes(scheme: &Scheme) -> String {
    let mut seen: Vec<String> = Vec::new();
    for form in scheme.forms.iter() {
        let quoted = format!("{:?}", form.prefix);
        if !seen.contains(&quoted) {
            seen.push(quoted);
        }
    }
    seen.join(" or ")
}

fn encodings(scheme: &Scheme) -> String {
    let len = scheme.algorithm.mac_len();
    let mut seen: Vec<String> = Vec::new();
    for form in scheme.forms.iter() {
        let text = match form.encoding {
            Encoding::Hex => format!("{} hex digits", len * 2),
            Encoding::Base64 => format!("{} base64 characters", codec::base64_len(len)),
        };
        if !seen.contains(&text) {
            seen.push(text);
        }
    }
    seen.join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_only_plain_bounded_digits() {
        assert_eq!(parse_timestamp(b"1649367553"), Some(1_649_367_553));
        assert_eq!(parse_timestamp(b"-1"), None);
        assert_eq!(parse_timestamp(b"+1"), None);
        assert_eq!(parse_timestamp(b"18446744073709551616"), None);
        assert_eq!(parse_timestamp(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_timestamp(b""), None);
        assert_eq!(parse_timestamp(&[b'1'; 21]), None);
    }

    #[test]
    fn debug_shows_no_secret() {
        let verifier = Verifier::with_secrets(Scheme::generic(), ["hunter2", "hunter3"]).unwrap();
        let debug = format!("{verifier:?}");
        assert!(!debug.contains("hunter"), "{debug}");
        assert!(debug.contains("2 (redacted)"), "{debug}");
    }

    #[test]
    fn no_secrets_is_a_config_error() {
        let none: [&str; 0] = [];
        assert!(matches!(
            Verifier::with_secrets(Scheme::generic(), none),
            Err(ConfigError::NoSecrets)
        ));
        assert!(matches!(
            Verifier::new(Scheme::generic(), ""),
            Err(ConfigError::EmptySecret)
        ));
        assert!(matches!(
            Verifier::new(Scheme::standard_webhooks(), "whsec_!!!"),
            Err(ConfigError::SecretNotBase64)
        ));
    }

    #[test]
    fn tolerance_error_says_how_far_and_which_way() {
        let err = VerifyError::OutsideTolerance {
            timestamp: 100,
            skew: -400,
            tolerance: Duration::from_secs(300),
        };
        assert_eq!(
            err.to_string(),
            "timestamp 100 is 400 seconds ahead of now, outside the 300 second tolerance"
        );
    }
}
