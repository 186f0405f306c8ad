//! What Port's ingest URL checks, as a hook-sign scheme: to sign test traffic for a
//! webhook, or to check it the way Port does.

use hook_model::Error;
use hook_sign::{Algorithm, Scheme};

use crate::wire::{Security, SignatureAlgorithm};

/// The scheme Port's ingest URL applies for `security`: `header: <prefix><hex HMAC of the
/// raw body>` with `sha256` or `sha1`, or `header: <prefix><secret>` with `plain`.
/// `Ok(None)` when no secret is set: Port then checks nothing. A secret without an
/// algorithm or a header name is an error naming the missing field.
///
/// ```
/// use hook_port::{Security, SignatureAlgorithm, ingest_scheme};
/// use hook_sign::{Message, Signer};
/// let security = Security::hmac(SignatureAlgorithm::Sha256, "s3cret", "x-hub-signature-256", "sha256=");
/// let scheme = ingest_scheme(&security)?.expect("a secret is set");
/// let headers = Signer::new(scheme, "s3cret").unwrap().sign(&Message::new(b"{}")).unwrap();
/// assert!(headers.get("x-hub-signature-256").unwrap().starts_with("sha256="));
/// # Ok::<(), hook_model::Error>(())
/// ```
///
/// # Errors
///
/// [`hook_model::Error::Invalid`] naming `security.signatureAlgorithm` when Port's algorithm
/// has no hook-sign scheme.
pub fn ingest_scheme(security: &Security) -> Result<Option<Scheme>, Error> {
    if security.secret.as_ref().is_none_or(|s| s.is_empty()) {
        return Ok(None);
    }
    let algorithm = match &security.signature_algorithm {
        Some(SignatureAlgorithm::Sha256) => Algorithm::HmacSha256,
        Some(SignatureAlgorithm::Sha1) => Algorithm::HmacSha1,
        Some(SignatureAlgorithm::Plain) => Algorithm::PlainSecret,
        Some(SignatureAlgorithm::Other(name)) => {
            return Err(Error::invalid(
                "security.signatureAlgorithm",
                format!("{name:?} is not one Port documents: use sha256, sha1 or plain"),
            ));
        }
        None => {
            return Err(Error::invalid(
                "security.signatureAlgorithm",
                "a secret is set: name sha256, sha1 or plain",
            ));
        }
    };
    let header = security
        .signature_header_name
        .clone()
        .filter(|h| !h.trim().is_empty())
        .ok_or_else(|| {
            Error::invalid(
                "security.signatureHeaderName",
                "a secret is set: name the header the signature arrives in",
            )
        })?;
    let scheme = Scheme::hex_body(
        header,
        security.signature_prefix.clone().unwrap_or_default(),
        algorithm,
    );
    scheme
        .validate()
        .map_err(|e| Error::invalid("security.signatureHeaderName", e.to_string()))?;
    Ok(Some(scheme))
}
