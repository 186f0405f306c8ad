//! Standard Webhooks `v1a` (feature `ed25519`): signatures checked against Python's
//! `cryptography` (an independent ed25519 implementation) on the key of RFC 8032's first
//! test vector; mixed `v1`/`v1a` headers; refusals.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use hook_sign::{ConfigError, Malformed, Message, Scheme, Signer, Verifier, VerifyError};

/// RFC 8032 §7.1 TEST 1's secret key (seed) and public key, as `whsk_`/`whpk_`.
const SECRET_KEY: &str = "whsk_nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
const PUBLIC_KEY: &str = "whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
const HMAC_KEY: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
const ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
const AT: u64 = 1_649_367_553;
/// Python: `Ed25519PrivateKey.from_private_bytes(seed).sign(b"{id}.{at}.{body}")`.
const PYTHON_V1A: &str =
    "v1a,jfp5j4J3Buv9EPOcc9Bqo8rJqAO1H6lrRl0WZQdzVZI6IttNPT8HSLyPvUvY54dJJt2BQGA01di1ePvigCwlCw==";
const HMAC_V1: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

fn headers(signature: &str) -> [(&'static str, String); 3] {
    [
        ("webhook-id", ID.to_owned()),
        ("webhook-timestamp", AT.to_string()),
        ("webhook-signature", signature.to_owned()),
    ]
}

#[test]
fn our_v1a_signature_is_the_independent_implementations() {
    let signed = Signer::new(Scheme::standard_webhooks(), SECRET_KEY)
        .unwrap()
        .sign(&Message::new(BODY).id(ID).at(AT))
        .unwrap();
    assert_eq!(signed.get("webhook-signature"), Some(PYTHON_V1A));
    let verifier = Verifier::new(Scheme::standard_webhooks(), PUBLIC_KEY).unwrap();
    let verified = verifier.verify_at(&headers(PYTHON_V1A), BODY, AT).unwrap();
    assert_eq!(verified.form_index, 1);
}

#[test]
fn mixed_headers_verify_with_either_kind_of_key() {
    let both = format!("{HMAC_V1} {PYTHON_V1A}");
    let hmac = Verifier::new(Scheme::standard_webhooks(), HMAC_KEY).unwrap();
    let ed = Verifier::new(Scheme::standard_webhooks(), PUBLIC_KEY).unwrap();
    assert_eq!(
        hmac.verify_at(&headers(&both), BODY, AT)
            .unwrap()
            .form_index,
        0
    );
    assert_eq!(
        ed.verify_at(&headers(&both), BODY, AT).unwrap().form_index,
        1
    );
    // Rotation from a symmetric secret to a key pair: one verifier holds both.
    let rotating =
        Verifier::with_secrets(Scheme::standard_webhooks(), [HMAC_KEY, PUBLIC_KEY]).unwrap();
    assert_eq!(
        rotating
            .verify_at(&headers(PYTHON_V1A), BODY, AT)
            .unwrap()
            .secret_index,
        1
    );
    // A signer holding both writes one signature of each kind.
    let signer = Signer::with_secrets(Scheme::standard_webhooks(), [HMAC_KEY, SECRET_KEY]).unwrap();
    let written = signer.sign(&Message::new(BODY).id(ID).at(AT)).unwrap();
    assert_eq!(written.get("webhook-signature"), Some(both.as_str()));
}

#[test]
fn refusals() {
    let ed = Verifier::new(Scheme::standard_webhooks(), PUBLIC_KEY).unwrap();
    assert!(matches!(
        ed.verify_at(&headers(PYTHON_V1A), b"{}", AT),
        Err(VerifyError::NoMatch { .. })
    ));
    assert!(matches!(
        ed.verify_at(&headers(HMAC_V1), BODY, AT),
        Err(VerifyError::NoMatch { .. })
    ));
    assert!(matches!(
        ed.verify_at(&headers("v1a,AAAA"), BODY, AT),
        Err(VerifyError::MalformedHeader {
            reason: Malformed::BadEncoding { .. },
            ..
        })
    ));
    assert!(matches!(
        ed.verify_at(&headers(PYTHON_V1A), BODY, AT + 301),
        Err(VerifyError::OutsideTolerance { .. })
    ));
    let other_public = "whpk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    if let Ok(other) = Verifier::new(Scheme::standard_webhooks(), other_public) {
        assert!(other.verify_at(&headers(PYTHON_V1A), BODY, AT).is_err());
    }
    assert!(matches!(
        Signer::new(Scheme::standard_webhooks(), PUBLIC_KEY),
        Err(ConfigError::Scheme { .. })
    ));
    assert!(matches!(
        Verifier::new(Scheme::standard_webhooks(), "whpk_bm90IDMyIGJ5dGVz"),
        Err(ConfigError::Scheme { .. })
    ));
}
