//! A signature recipe as data, and the presets of the providers hook knows.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::ConfigError;

/// How a MAC is written as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// 64 hexadecimal digits; verifiers accept either case, signers write lower case.
    Hex,
    /// 44 characters of standard, padded base64.
    Base64,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Hex => "hex",
            Encoding::Base64 => "base64",
        })
    }
}

/// What bytes the MAC is computed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Coverage {
    /// The raw body alone.
    Body,
    /// `{timestamp}.{body}`, the timestamp as the text the sender wrote.
    TimestampBody,
    /// `{id}.{timestamp}.{body}` (Standard Webhooks).
    IdTimestampBody,
    /// The values of the headers a [`Layout::HeaderList`] input lists, in its order,
    /// concatenated with no separator (UP42). The body is covered only through a listed
    /// `content-digest`, which the verifier checks against the body.
    Components,
}

impl Coverage {
    /// Whether this payload includes a timestamp.
    pub fn needs_timestamp(self) -> bool {
        matches!(self, Coverage::TimestampBody | Coverage::IdTimestampBody)
    }

    /// Whether this payload includes a message id.
    pub fn needs_id(self) -> bool {
        matches!(self, Coverage::IdTimestampBody)
    }

    pub(crate) fn index(self) -> usize {
        match self {
            Coverage::Body => 0,
            Coverage::TimestampBody => 1,
            Coverage::IdTimestampBody => 2,
            Coverage::Components => 3,
        }
    }

    pub(crate) const ALL: [Coverage; 4] = [
        Coverage::Body,
        Coverage::TimestampBody,
        Coverage::IdTimestampBody,
        Coverage::Components,
    ];
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Coverage::Body => "{body}",
            Coverage::TimestampBody => "{timestamp}.{body}",
            Coverage::IdTimestampBody => "{id}.{timestamp}.{body}",
            Coverage::Components => "{listed header values}",
        })
    }
}

/// One accepted way of writing a signature: its prefix, its encoding and what it signs.
///
/// A scheme lists one or more forms. Signers write the first; verifiers accept any, telling
/// them apart by prefix and then by whether the text decodes in the form's encoding.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Form {
    /// Text before the encoded MAC, such as `sha256=`, `v1,` or `v1=`; may be empty.
    pub prefix: Cow<'static, str>,
    /// How the MAC is written.
    pub encoding: Encoding,
    /// What the MAC covers.
    pub signed: Coverage,
    /// What computes it, when not the scheme's [`Scheme::algorithm`] (Standard Webhooks'
    /// `v1a` is [`Algorithm::Ed25519`] beside `v1`'s HMAC).
    pub algorithm: Option<Algorithm>,
}

impl Form {
    /// A form with a static prefix, computed with the scheme's algorithm.
    pub const fn new(prefix: &'static str, encoding: Encoding, signed: Coverage) -> Self {
        Form {
            prefix: Cow::Borrowed(prefix),
            encoding,
            signed,
            algorithm: None,
        }
    }

    /// An ed25519 form: base64 of the 64-byte signature after `prefix`.
    pub const fn ed25519(prefix: &'static str, signed: Coverage) -> Self {
        Form {
            prefix: Cow::Borrowed(prefix),
            encoding: Encoding::Base64,
            signed,
            algorithm: Some(Algorithm::Ed25519),
        }
    }

    /// The algorithm this form is computed with under `scheme`.
    pub fn algorithm_in(&self, scheme: &Scheme) -> Algorithm {
        self.algorithm.unwrap_or(scheme.algorithm)
    }
}

/// How the signature header's value is laid out.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Layout {
    /// The whole value (trimmed) is one signature.
    Single,
    /// Several items split by `separator`: signatures (rotation), and items a verifier
    /// skips because no form's prefix matches them (`v0=…`, `v1a,…`).
    Separated {
        /// The byte between items: `b' '` for Standard Webhooks, `b','` for Stripe.
        separator: u8,
    },
    /// HTTP-message-signature style (UP42): `<input_header>: <label>=("<name>" …);created=<unix>`
    /// lists the headers whose values are signed ([`Coverage::Components`]), and the
    /// signature header holds `<label>=<base64>` (RFC 9421's `:<base64>:` is accepted too).
    ///
    /// Names may be bare or quoted and compare case-insensitively; further `;key=value`
    /// parameters are tolerated; other labels in either header are skipped. At most
    /// [`MAX_COMPONENTS`](crate::MAX_COMPONENTS) names are read. `created` is required and
    /// checked against the scheme's tolerance. A listed `content-digest` (RFC 9530,
    /// `sha-256=:<base64>:`) is checked against the body; a list without it is refused
    /// unless the verifier opts out with
    /// [`Verifier::allow_headers_only`](crate::Verifier::allow_headers_only).
    HeaderList {
        /// The member name in both headers, such as `up42-sig`.
        label: Cow<'static, str>,
        /// The header listing the components, such as `Signature-Input`.
        input_header: Cow<'static, str>,
    },
}

/// Where the timestamp comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimestampSource {
    /// A header of its own, holding unix seconds.
    Header(Cow<'static, str>),
    /// An item of the signature header starting with this prefix (Stripe's `t=`);
    /// needs [`Layout::Separated`].
    Item(Cow<'static, str>),
}

/// What a signature is computed with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC-SHA256 (every preset but `github-sha1`).
    #[default]
    HmacSha256,
    /// HMAC-SHA1: GitHub's legacy `X-Hub-Signature`, and Port's `sha1` ingest check. SHA-1
    /// is broken for collisions, not (yet) as an HMAC; prefer SHA-256 where you choose.
    HmacSha1,
    /// No MAC: the header holds the secret itself (Port's `plain` ingest check). Anyone
    /// who sees one request can forge any other: use it only over TLS, and prefer a MAC.
    PlainSecret,
    /// Ed25519 signatures (Standard Webhooks `v1a`): verified with `whpk_` public keys,
    /// signed with `whsk_` secret keys; needs the `ed25519` feature. Set on a [`Form`].
    Ed25519,
}

impl Algorithm {
    /// The MAC's length in bytes (0 for [`Algorithm::PlainSecret`]).
    pub const fn mac_len(self) -> usize {
        match self {
            Algorithm::HmacSha256 => 32,
            Algorithm::HmacSha1 => 20,
            Algorithm::PlainSecret => 0,
            Algorithm::Ed25519 => 64,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Algorithm::HmacSha256 => "HMAC-SHA256",
            Algorithm::HmacSha1 => "HMAC-SHA1",
            Algorithm::PlainSecret => "the plain secret",
            Algorithm::Ed25519 => "Ed25519",
        })
    }
}

/// How the secret text becomes the HMAC key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyFormat {
    /// The secret's bytes as given (UTF-8 text used as-is; Stripe's `whsec_…` too).
    Raw,
    /// `whsec_` followed by base64 of the key bytes (Standard Webhooks); the prefix is
    /// optional, the base64 is not.
    WhsecBase64,
}

impl KeyFormat {
    /// The secret text holding `key` in this format: the bytes themselves, or `whsec_` and
    /// their base64. What a test or a secret generator writes for a scheme's `key`.
    ///
    /// ```
    /// use hook_sign::KeyFormat;
    /// assert_eq!(KeyFormat::Raw.encode(b"s3cret"), b"s3cret");
    /// assert_eq!(KeyFormat::WhsecBase64.encode(b"s3cret"), b"whsec_czNjcmV0");
    /// ```
    pub fn encode(self, key: &[u8]) -> Vec<u8> {
        use base64::Engine as _;
        match self {
            KeyFormat::Raw => key.to_vec(),
            KeyFormat::WhsecBase64 => {
                let text = base64::engine::general_purpose::STANDARD.encode(key);
                format!("whsec_{text}").into_bytes()
            }
        }
    }
}

/// Where a delivery's idempotency key is read: what names one delivery across the sender's
/// retries, so a receiver handles it once (`hook-receiver` claims, completes and releases
/// these keys). Each preset names the source its provider supports
/// ([`Scheme::idempotency_key`]); a receiver may choose another.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeySource {
    /// A header the sender sets once per delivery and repeats on every retry
    /// (`webhook-id`, `X-GitHub-Delivery`).
    Header(Cow<'static, str>),
    /// A string or integer in the verified JSON body, by RFC 6901 JSON pointer
    /// (UiPath's `/EventId`, the generic service's and Stripe's `/id`).
    JsonPointer(Cow<'static, str>),
    /// The signature header's value, where nothing else names a delivery (UP42, Port). It
    /// tells an exact repeat (a replay, a proxy's duplicate) from a new delivery; a retry
    /// the sender signs afresh (a new timestamp) carries a new key, so a sender that
    /// re-signs its retries is not deduplicated across them.
    Signature,
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Header(name) => write!(f, "the {name} header"),
            KeySource::JsonPointer(pointer) => write!(f, "the body's {pointer}"),
            KeySource::Signature => f.write_str("the signature"),
        }
    }
}

/// A signature recipe: which headers, what is signed, how it is written, how keys are read,
/// and how old a timestamp may be.
///
/// Fields are public so a preset can be adjusted (say, a different header name for an
/// unconfirmed provider format); [`Signer`](crate::Signer) and
/// [`Verifier`](crate::Verifier) check the recipe with [`Scheme::validate`].
///
/// ```
/// use hook_sign::Scheme;
/// let mut scheme = Scheme::up42();
/// scheme.signature_header = "X-Up42-Signature".into();
/// assert!(scheme.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Scheme {
    /// A short name, used in messages (`generic`, `stripe`, …).
    pub name: Cow<'static, str>,
    /// The header carrying the signature(s).
    pub signature_header: Cow<'static, str>,
    /// Where the timestamp comes from, for forms that sign one.
    pub timestamp: Option<TimestampSource>,
    /// The header carrying the message id, for forms that sign one.
    pub id_header: Option<Cow<'static, str>>,
    /// Where a delivery's idempotency key is read (see [`KeySource`]).
    pub idempotency_key: KeySource,
    /// How the signature header is laid out.
    pub layout: Layout,
    /// Accepted forms; signers write the first.
    pub forms: Cow<'static, [Form]>,
    /// How secrets become keys.
    pub key: KeyFormat,
    /// What the signature is computed with.
    pub algorithm: Algorithm,
    /// How far a timestamp may be from now, either way; `None` checks no time.
    pub tolerance: Option<Duration>,
}

const FIVE_MINUTES: Option<Duration> = Some(Duration::from_secs(300));

const UIPATH_FORMS: &[Form] = &[
    Form::new("", Encoding::Base64, Coverage::Body),
    Form::new("", Encoding::Hex, Coverage::Body),
];
const PORT_FORMS: &[Form] = &[
    Form::new("v1,", Encoding::Base64, Coverage::TimestampBody),
    Form::new("sha256=", Encoding::Hex, Coverage::Body),
];
const COMPONENT_FORMS: &[Form] = &[Form::new("", Encoding::Base64, Coverage::Components)];
const HEX_BODY: &[Form] = &[Form::new("", Encoding::Hex, Coverage::Body)];
#[cfg(not(feature = "ed25519"))]
const STANDARD_FORMS: &[Form] = &[Form::new(
    "v1,",
    Encoding::Base64,
    Coverage::IdTimestampBody,
)];
#[cfg(feature = "ed25519")]
const STANDARD_FORMS: &[Form] = &[
    Form::new("v1,", Encoding::Base64, Coverage::IdTimestampBody),
    Form::ed25519("v1a,", Coverage::IdTimestampBody),
];
const GITHUB_FORMS: &[Form] = &[Form::new("sha256=", Encoding::Hex, Coverage::Body)];
const GITHUB_SHA1_FORMS: &[Form] = &[Form::new("sha1=", Encoding::Hex, Coverage::Body)];
const STRIPE_FORMS: &[Form] = &[Form::new("v1=", Encoding::Hex, Coverage::TimestampBody)];

/// The most [`Form`]s a scheme may accept (verification keeps a form's index in a byte).
pub const MAX_FORMS: usize = 16;

/// The names [`Scheme::preset`] knows, in a stable order.
pub const PRESETS: [&str; 8] = [
    "uipath",
    "port",
    "up42",
    "generic",
    "standard-webhooks",
    "github",
    "github-sha1",
    "stripe",
];

impl Scheme {
    /// UiPath Orchestrator: `X-UiPath-Signature` = base64(HMAC-SHA256(secret, body)).
    ///
    /// Signers write base64 (UiPath's documented wire format); verifiers also accept the
    /// 64-digit hex digest that some receivers' samples compare against.
    pub fn uipath() -> Self {
        let key = KeySource::JsonPointer(Cow::Borrowed("/EventId"));
        Scheme::body_hmac("uipath", "X-UiPath-Signature", UIPATH_FORMS, key)
    }

    /// Port's outgoing calls (self-service actions and automations invoking a webhook
    /// backend): `x-port-signature: v1,<base64>` over `{x-port-timestamp}.{body}`, keyed
    /// with the organization's **client secret** (not a per-webhook secret), and a
    /// `sha256=<hex>` over the body, as some integrations send. Signers write `v1,`.
    ///
    /// Port's webhooks themselves are inbound: what Port's ingest URL checks from third
    /// parties is [`Scheme::hex_body`].
    ///
    /// The five-minute tolerance is *unconfirmed*: Port does not document one.
    pub fn port() -> Self {
        Scheme {
            timestamp: Some(TimestampSource::Header("x-port-timestamp".into())),
            layout: Layout::Separated { separator: b' ' },
            tolerance: FIVE_MINUTES,
            ..Scheme::body_hmac("port", "x-port-signature", PORT_FORMS, KeySource::Signature)
        }
    }

    /// UP42, as its sample validator reads deliveries:
    /// `Signature-Input: up42-sig=("<name>" …);created=<unix seconds>` and
    /// `Signature: up42-sig=<base64>`, the MAC being base64(HMAC-SHA256(UTF-8 secret, the
    /// listed headers' values concatenated in order)).
    ///
    /// UP42 documents that a signature is added when a webhook has a secret
    /// (<https://docs.up42.com/developers/webhooks>); *unconfirmed* is which headers it
    /// lists. Only a listed `content-digest` ties the signature to the body, so the verifier
    /// checks it and refuses a list without one unless told otherwise
    /// ([`Verifier::allow_headers_only`](crate::Verifier::allow_headers_only)). Signers
    /// list `content-digest` and the headers given with
    /// [`Message::cover`](crate::Message::cover): what UP42 sends. UP42 sends no delivery
    /// id, so the preset names no id header and the verifier never requires one; a sender
    /// of your own that wants one signed sets [`Scheme::id_header`] (a message id then
    /// goes into that header, listed and signed).
    ///
    /// `created` is refused when more than 300 s old. UP42's sample allows no future skew;
    /// this preset allows the same 300 s ahead that the other timestamped presets allow, for
    /// clock drift. `created` is not itself signed (the MAC covers header values only), so a
    /// replayed delivery can carry a fresh `created`: the idempotency key is the signature
    /// value ([`KeySource::Signature`]), which a replay repeats.
    pub fn up42() -> Self {
        Scheme {
            layout: Layout::HeaderList {
                label: "up42-sig".into(),
                input_header: "Signature-Input".into(),
            },
            tolerance: FIVE_MINUTES,
            ..Scheme::body_hmac("up42", "Signature", COMPONENT_FORMS, KeySource::Signature)
        }
    }

    /// The generic `/v1/webhooks` service: `X-Webhook-Signature` = hex(HMAC-SHA256(secret, body)).
    pub fn generic() -> Self {
        let key = KeySource::JsonPointer(Cow::Borrowed("/id"));
        Scheme::body_hmac("generic", "X-Webhook-Signature", HEX_BODY, key)
    }

    /// Standard Webhooks (Svix): `webhook-signature: v1,<base64> …` over
    /// `{webhook-id}.{webhook-timestamp}.{body}`, key `whsec_` + base64, five minutes. With
    /// the `ed25519` feature, `v1a,<base64>` ed25519 signatures too: verifiers take `whpk_`
    /// public keys beside `whsec_` secrets, signers `whsk_` secret keys, and one header may
    /// mix both kinds.
    pub fn standard_webhooks() -> Self {
        let key = KeySource::Header(Cow::Borrowed("webhook-id"));
        Scheme {
            timestamp: Some(TimestampSource::Header("webhook-timestamp".into())),
            id_header: Some("webhook-id".into()),
            layout: Layout::Separated { separator: b' ' },
            key: KeyFormat::WhsecBase64,
            tolerance: FIVE_MINUTES,
            ..Scheme::body_hmac(
                "standard-webhooks",
                "webhook-signature",
                STANDARD_FORMS,
                key,
            )
        }
    }

    /// GitHub: `X-Hub-Signature-256: sha256=<hex>` over the body; `X-GitHub-Delivery`
    /// names the delivery (not signed; the idempotency key).
    pub fn github() -> Self {
        let key = KeySource::Header(Cow::Borrowed("X-GitHub-Delivery"));
        Scheme {
            id_header: Some("X-GitHub-Delivery".into()),
            ..Scheme::body_hmac("github", "X-Hub-Signature-256", GITHUB_FORMS, key)
        }
    }

    /// GitHub's legacy header: `X-Hub-Signature: sha1=<hex>`, HMAC-SHA1 over the body.
    pub fn github_sha1() -> Self {
        Scheme {
            name: "github-sha1".into(),
            signature_header: "X-Hub-Signature".into(),
            forms: Cow::Borrowed(GITHUB_SHA1_FORMS),
            algorithm: Algorithm::HmacSha1,
            ..Scheme::github()
        }
    }

    /// A body signature in a header of your choosing: `header: <prefix><hex>`, the hex
    /// HMAC of the raw body under `algorithm` (or, with [`Algorithm::PlainSecret`], the
    /// secret itself after the prefix). This is what Port's ingest URL checks when a
    /// webhook's `security` names a header, a prefix and `sha256`, `sha1` or `plain`, so it
    /// signs test traffic for one. Named `custom`; check it with [`Scheme::validate`].
    ///
    /// ```
    /// use hook_sign::{Algorithm, Message, Scheme, Signer, Verifier};
    /// let scheme = Scheme::hex_body("x-hub-signature-256", "sha256=", Algorithm::HmacSha256);
    /// let headers = Signer::new(scheme.clone(), "s")?.sign(&Message::new(b"{}"))?;
    /// Verifier::new(scheme, "s")?.verify(&headers, b"{}")?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn hex_body(
        header: impl Into<Cow<'static, str>>,
        prefix: impl Into<Cow<'static, str>>,
        algorithm: Algorithm,
    ) -> Self {
        let forms = Cow::Owned(vec![Form {
            prefix: prefix.into(),
            encoding: Encoding::Hex,
            signed: Coverage::Body,
            algorithm: None,
        }]);
        Scheme {
            algorithm,
            ..Scheme::body_hmac("custom", header, forms, KeySource::Signature)
        }
    }

    /// Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]` over `{t}.{body}`; the
    /// `whsec_…` string is the key as-is; `v0` items are ignored; five minutes.
    pub fn stripe() -> Self {
        let key = KeySource::JsonPointer(Cow::Borrowed("/id"));
        Scheme {
            timestamp: Some(TimestampSource::Item("t=".into())),
            layout: Layout::Separated { separator: b',' },
            tolerance: FIVE_MINUTES,
            ..Scheme::body_hmac("stripe", "Stripe-Signature", STRIPE_FORMS, key)
        }
    }

    /// What most presets start from: one HMAC-SHA256 signature in `header`, in one of
    /// `forms`, under the secret as given; no timestamp, no delivery id header, no
    /// tolerance; keys from `idempotency_key`.
    fn body_hmac(
        name: &'static str,
        header: impl Into<Cow<'static, str>>,
        forms: impl Into<Cow<'static, [Form]>>,
        idempotency_key: KeySource,
    ) -> Self {
        Scheme {
            name: name.into(),
            signature_header: header.into(),
            timestamp: None,
            id_header: None,
            idempotency_key,
            layout: Layout::Single,
            forms: forms.into(),
            key: KeyFormat::Raw,
            algorithm: Algorithm::HmacSha256,
            tolerance: None,
        }
    }

    /// A preset by name (case-insensitive; `_` and `-` alike): one of [`PRESETS`].
    pub fn preset(name: &str) -> Option<Self> {
        let normal = name.trim().to_ascii_lowercase().replace('_', "-");
        Some(match normal.as_str() {
            "uipath" => Scheme::uipath(),
            "port" => Scheme::port(),
            "up42" => Scheme::up42(),
            "generic" => Scheme::generic(),
            "standard-webhooks" | "standardwebhooks" | "svix" => Scheme::standard_webhooks(),
            "github" => Scheme::github(),
            "github-sha1" => Scheme::github_sha1(),
            "stripe" => Scheme::stripe(),
            _ => return None,
        })
    }

    /// Every preset, in the order of [`PRESETS`].
    pub fn presets() -> Vec<Scheme> {
        PRESETS
            .iter()
            .filter_map(|name| Scheme::preset(name))
            .collect()
    }

    /// Whether this build can sign and verify with the scheme: false for HMAC-SHA1 schemes
    /// (`github-sha1`, Port's `sha1` ingest check) without the `sha1` feature, whose
    /// signers and verifiers are [`ConfigError::FeatureMissing`].
    pub fn is_available(&self) -> bool {
        self.algorithm != Algorithm::HmacSha1 || cfg!(feature = "sha1")
    }

    /// The form signers write.
    pub fn primary_form(&self) -> Option<&Form> {
        self.forms.first()
    }

    /// Checks that the recipe can be followed: at least one form, a timestamp source and
    /// an id header where a form signs them, header names that are HTTP tokens, and
    /// timestamp items only in separated layouts.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming what is wrong with the scheme: no signature form, a bad header
    /// name, a key source that cannot be read.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |reason: String| Err(ConfigError::Scheme { reason });
        if self.forms.len() > MAX_FORMS {
            return Err(ConfigError::Scheme {
                reason: format!("a scheme has at most {MAX_FORMS} forms"),
            });
        }
        if self.forms.is_empty() {
            return bad("the scheme lists no signature form".into());
        }
        check_header_name(&self.signature_header)?;
        if let Some(id) = &self.id_header {
            check_header_name(id)?;
        }
        match &self.idempotency_key {
            KeySource::Header(name) => check_header_name(name)?,
            KeySource::JsonPointer(pointer) if !pointer.starts_with('/') => {
                return bad(format!(
                    "the idempotency key's JSON pointer {pointer:?} must start with `/` (RFC 6901)"
                ));
            }
            KeySource::JsonPointer(_) | KeySource::Signature => {}
        }
        match (&self.timestamp, &self.layout) {
            (Some(_), Layout::HeaderList { .. }) => {
                return bad(
                    "a header-list layout takes its timestamp from `created`: set no timestamp source"
                        .into(),
                );
            }
            (Some(TimestampSource::Header(name)), _) => check_header_name(name)?,
            (Some(TimestampSource::Item(prefix)), Layout::Separated { .. })
                if !prefix.is_empty() => {}
            (Some(TimestampSource::Item(_)), _) => {
                return bad(
                    "a timestamp item needs a non-empty prefix and a separated layout".into(),
                );
            }
            (None, _) => {}
        }
        let header_list = matches!(self.layout, Layout::HeaderList { .. });
        if self.algorithm == Algorithm::PlainSecret
            && (self.layout != Layout::Single
                || self.key != KeyFormat::Raw
                || self.forms.iter().any(|f| f.signed != Coverage::Body))
        {
            return bad(
                "the plain secret is one header value: a single layout, raw key, body form".into(),
            );
        }
        if let Layout::HeaderList {
            label,
            input_header,
        } = &self.layout
        {
            check_header_name(input_header)?;
            if !is_label(label) {
                return bad(format!(
                    "label {label:?} must start with a lower-case letter or `*` and hold only lower-case letters, digits, `_`, `-`, `.` or `*`"
                ));
            }
        }
        for form in self.forms.iter() {
            if form.algorithm_in(self) == Algorithm::Ed25519 {
                if !cfg!(feature = "ed25519") {
                    return bad("ed25519 forms need hook-sign's ed25519 feature".into());
                }
                if form.encoding != Encoding::Base64 {
                    return bad("ed25519 forms are written in base64".into());
                }
            }
            if (form.signed == Coverage::Components) != header_list {
                return bad(format!(
                    "form {:?}: listed components are signed exactly in a header-list layout",
                    form.prefix
                ));
            }
            if form.signed.needs_timestamp() && self.timestamp.is_none() {
                return bad(format!(
                    "form {:?} signs a timestamp but the scheme has no timestamp source",
                    form.prefix
                ));
            }
            if form.signed.needs_id() && self.id_header.is_none() {
                return bad(format!(
                    "form {:?} signs an id but the scheme has no id header",
                    form.prefix
                ));
            }
            if let Layout::Separated { separator } = &self.layout
                && form.prefix.as_bytes().contains(separator)
            {
                return bad(format!(
                    "form prefix {:?} contains the separator",
                    form.prefix
                ));
            }
        }
        if let Layout::Separated { separator } = &self.layout
            && (!separator.is_ascii()
                || separator.is_ascii_alphanumeric()
                || matches!(*separator, b'+' | b'/' | b'='))
        {
            return bad(
                "the separator must be ASCII punctuation or space, outside the base64 alphabet"
                    .into(),
            );
        }
        Ok(())
    }

    /// Whether deliveries carry a timestamp that is checked: a form signs one, or the
    /// layout is a header list (its `created`).
    pub fn uses_timestamp(&self) -> bool {
        self.header_list().is_some() || self.forms.iter().any(|f| f.signed.needs_timestamp())
    }

    /// The label and input header of a [`Layout::HeaderList`].
    pub fn header_list(&self) -> Option<(&str, &str)> {
        match &self.layout {
            Layout::HeaderList {
                label,
                input_header,
            } => Some((label, input_header)),
            _ => None,
        }
    }

    /// Whether any form signs a message id.
    pub fn uses_id(&self) -> bool {
        self.forms.iter().any(|f| f.signed.needs_id())
    }

    /// The timestamp header's name, when the timestamp has a header of its own.
    pub fn timestamp_header(&self) -> Option<&str> {
        match &self.timestamp {
            Some(TimestampSource::Header(name)) => Some(name),
            _ => None,
        }
    }
}

/// An RFC 8941 key: `lcalpha` or `*` first, then `lcalpha`, digits, `_-.*`.
fn is_label(label: &str) -> bool {
    let mut bytes = label.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b == b'*')
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.*".contains(&b))
}

fn check_header_name(name: &str) -> Result<(), ConfigError> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(ConfigError::Scheme {
            reason: format!("{name:?} is not a valid header name"),
        });
    }
    Ok(())
}

impl FromStr for Scheme {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scheme::preset(s).ok_or_else(|| ConfigError::UnknownScheme { name: s.to_owned() })
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where each provider puts what names a delivery (docs/providers.md): UP42 sends no
    /// delivery id, and neither do Port's invocations, so their signature is the key.
    #[test]
    fn each_preset_names_its_idempotency_key_source() {
        let expected = [
            ("uipath", KeySource::JsonPointer("/EventId".into())),
            ("port", KeySource::Signature),
            ("up42", KeySource::Signature),
            ("generic", KeySource::JsonPointer("/id".into())),
            ("standard-webhooks", KeySource::Header("webhook-id".into())),
            ("github", KeySource::Header("X-GitHub-Delivery".into())),
            ("github-sha1", KeySource::Header("X-GitHub-Delivery".into())),
            ("stripe", KeySource::JsonPointer("/id".into())),
        ];
        for (name, source) in expected {
            assert_eq!(
                Scheme::preset(name).unwrap().idempotency_key,
                source,
                "{name}"
            );
        }
        let mut scheme = Scheme::generic();
        scheme.idempotency_key = KeySource::JsonPointer("id".into());
        assert!(
            matches!(scheme.validate(), Err(ConfigError::Scheme { reason }) if reason.contains("RFC 6901"))
        );
        scheme.idempotency_key = KeySource::Header("bad header".into());
        assert!(scheme.validate().is_err());
    }

    #[test]
    fn every_preset_is_valid_and_found_by_name() {
        for name in PRESETS {
            let scheme = Scheme::preset(name).expect(name);
            scheme.validate().expect(name);
            assert_eq!(scheme.name, name);
        }
        assert_eq!(Scheme::presets().len(), PRESETS.len());
    }

    #[test]
    fn preset_names_are_case_and_separator_insensitive() {
        assert_eq!(
            Scheme::preset("Standard_Webhooks"),
            Some(Scheme::standard_webhooks())
        );
        assert_eq!("GitHub".parse::<Scheme>().ok(), Some(Scheme::github()));
        assert!(matches!(
            "nope".parse::<Scheme>(),
            Err(ConfigError::UnknownScheme { .. })
        ));
    }

    #[test]
    fn validate_bounds_the_number_of_forms() {
        let mut scheme = Scheme::generic();
        let form = scheme.forms[0].clone();
        scheme.forms = vec![form.clone(); MAX_FORMS].into();
        assert!(scheme.validate().is_ok());
        scheme.forms = vec![form; MAX_FORMS + 1].into();
        assert!(matches!(scheme.validate(), Err(ConfigError::Scheme { .. })));
    }

    #[test]
    fn validate_rejects_a_timestamp_form_without_a_source() {
        let mut scheme = Scheme::generic();
        scheme.forms = Cow::Owned(vec![Form::new(
            "v1,",
            Encoding::Base64,
            Coverage::TimestampBody,
        )]);
        assert!(matches!(scheme.validate(), Err(ConfigError::Scheme { .. })));
    }

    #[test]
    fn validate_rejects_bad_header_names_and_empty_forms() {
        let mut scheme = Scheme::generic();
        scheme.signature_header = "X Bad".into();
        assert!(scheme.validate().is_err());
        let mut scheme = Scheme::generic();
        scheme.forms = Cow::Owned(Vec::new());
        assert!(scheme.validate().is_err());
    }

    #[test]
    fn validate_rejects_header_lists_mixed_with_other_forms_or_labels() {
        let mut scheme = Scheme::up42();
        scheme.layout = Layout::Single;
        assert!(
            scheme.validate().is_err(),
            "components outside a header list"
        );
        let mut scheme = Scheme::generic();
        scheme.layout = Scheme::up42().layout;
        assert!(scheme.validate().is_err(), "a body form in a header list");
        let mut scheme = Scheme::up42();
        scheme.layout = Layout::HeaderList {
            label: "Up42".into(),
            input_header: "Signature-Input".into(),
        };
        assert!(scheme.validate().is_err(), "an upper-case label");
        let mut scheme = Scheme::up42();
        scheme.timestamp = Some(TimestampSource::Header("x-ts".into()));
        assert!(scheme.validate().is_err(), "a timestamp beside created");
    }

    #[test]
    fn validate_rejects_timestamp_items_in_a_single_layout() {
        let mut scheme = Scheme::stripe();
        scheme.layout = Layout::Single;
        assert!(scheme.validate().is_err());
    }
}
