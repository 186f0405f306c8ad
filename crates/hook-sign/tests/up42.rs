//! UP42's header-list signatures, checked against the algorithm recomputed here with
//! `hmac`, `sha2` and `base64` directly (no hook-sign code), both ways, and the refusals
//! `hook verify --scheme up42` reports.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use hook_sign::{
    BodyChange, Encoding, Malformed, Message, Mistake, Scheme, Signer, Verifier, VerifyError,
    explain,
};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

const SECRET: &str = "QWZTFnMEXhqZKNmu";
const BODY: &[u8] = br#"{"event":"order.status","body":{"orderId":"b1f2","status":"FULFILLED"}}"#;
const AT: u64 = 1_700_000_000;

/// UP42's algorithm, from its description: base64(HMAC-SHA256(UTF-8 secret, the listed
/// headers' values concatenated in order, no separator)).
fn reference_mac(secret: &str, values: &[&str]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    for value in values {
        mac.update(value.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

fn reference_digest(body: &[u8]) -> String {
    format!("sha-256=:{}:", STANDARD.encode(Sha256::digest(body)))
}

/// A delivery built by hand, the way UP42's sender is described.
fn by_hand(body: &[u8], created: u64) -> Vec<(String, String)> {
    let digest = reference_digest(body);
    let signature = reference_mac(SECRET, &[&digest, "application/json", "d-1"]);
    vec![
        ("Content-Type".into(), "application/json".into()),
        ("Content-Digest".into(), digest),
        ("X-UP42-Delivery-Id".into(), "d-1".into()),
        (
            "Signature-Input".into(),
            format!(
                "up42-sig=(\"content-digest\" \"content-type\" \"x-up42-delivery-id\");created={created}"
            ),
        ),
        ("Signature".into(), format!("up42-sig={signature}")),
    ]
}

fn set(headers: &mut [(String, String)], name: &str, value: String) {
    let slot = headers
        .iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .unwrap();
    slot.1 = value;
}

fn verifier() -> Verifier {
    Verifier::new(Scheme::up42(), SECRET).unwrap()
}

#[test]
fn hook_sign_accepts_a_signature_computed_by_hand() {
    let verified = verifier().verify_at(&by_hand(BODY, AT), BODY, AT).unwrap();
    assert_eq!(verified.timestamp, Some(AT));
}

#[test]
fn a_signature_from_hook_sign_recomputes_by_hand() {
    let covered = [("content-type", "application/json")];
    // UP42 sends no delivery id: a message id is not written, listed or signed.
    let headers = Signer::new(Scheme::up42(), SECRET)
        .unwrap()
        .sign(&Message::new(BODY).id("d-9").at(AT).cover(&covered))
        .unwrap();
    let digest = headers.get("content-digest").unwrap();
    assert_eq!(digest, reference_digest(BODY));
    assert_eq!(
        headers.get("signature-input").unwrap(),
        format!("up42-sig=(\"content-digest\" \"content-type\");created={AT}")
    );
    assert!(headers.get("x-up42-delivery-id").is_none());
    let expected = reference_mac(SECRET, &[digest, "application/json"]);
    assert_eq!(
        headers.get("signature").unwrap(),
        format!("up42-sig={expected}")
    );
    // Asked for (an id header set on the scheme), the id is written, listed and signed.
    let mut scheme = Scheme::up42();
    scheme.id_header = Some("X-UP42-Delivery-Id".into());
    let headers = Signer::new(scheme, SECRET)
        .unwrap()
        .sign(&Message::new(BODY).id("d-9").at(AT).cover(&covered))
        .unwrap();
    assert_eq!(headers.get("x-up42-delivery-id"), Some("d-9"));
    let digest = headers.get("content-digest").unwrap();
    let expected = reference_mac(SECRET, &[digest, "application/json", "d-9"]);
    assert_eq!(
        headers.get("signature").unwrap(),
        format!("up42-sig={expected}")
    );
}

#[test]
fn a_tampered_body_fails_the_digest() {
    let tampered = br#"{"event":"order.status","body":{"orderId":"b1f2","status":"FAILED"}}"#;
    assert_eq!(
        verifier().verify_at(&by_hand(BODY, AT), tampered, AT),
        Err(VerifyError::BodyDigestMismatch)
    );
}

#[test]
fn created_older_than_300_seconds_is_refused_and_the_same_skew_ahead_is_allowed() {
    let headers = by_hand(BODY, AT);
    assert!(matches!(
        verifier().verify_at(&headers, BODY, AT + 301),
        Err(VerifyError::OutsideTolerance { skew: 301, .. })
    ));
    verifier().verify_at(&headers, BODY, AT + 300).unwrap();
    verifier().verify_at(&headers, BODY, AT - 300).unwrap();
    assert!(verifier().verify_at(&headers, BODY, AT - 301).is_err());
}

#[test]
fn created_is_checked_but_not_signed() {
    // UP42's MAC covers header values only: a rewritten `created` still matches, which is
    // why rustdoc pairs the time check with a replay guard on the signed delivery id.
    let mut headers = by_hand(BODY, AT);
    set(
        &mut headers,
        "signature-input",
        format!(
            "up42-sig=(\"content-digest\" \"content-type\" \"x-up42-delivery-id\");created={}",
            AT + 100
        ),
    );
    let verified = verifier().verify_at(&headers, BODY, AT + 100).unwrap();
    assert_eq!(verified.timestamp, Some(AT + 100));
}

#[test]
fn a_list_without_a_digest_is_refused_unless_opted_out() {
    let signature = reference_mac(SECRET, &["application/json", "d-1"]);
    let headers = [
        ("Content-Type", "application/json".to_owned()),
        ("X-UP42-Delivery-Id", "d-1".to_owned()),
        (
            "Signature-Input",
            format!("up42-sig=(content-type x-up42-delivery-id);created={AT}"),
        ),
        ("Signature", format!("up42-sig={signature}")),
    ];
    let refused = verifier().verify_at(&headers, BODY, AT).unwrap_err();
    assert!(
        matches!(refused, VerifyError::BodyNotCovered { .. }),
        "{refused}"
    );
    assert!(refused.to_string().contains("allow_headers_only"));
    let lenient = verifier().allow_headers_only();
    lenient.verify_at(&headers, b"any body at all", AT).unwrap();
    assert!(format!("{lenient:?}").contains("headers_only: true"));
}

#[test]
fn the_rfc_9421_byte_sequence_and_other_labels_are_read() {
    let mut headers = by_hand(BODY, AT);
    let signature = reference_mac(
        SECRET,
        &[&reference_digest(BODY), "application/json", "d-1"],
    );
    set(
        &mut headers,
        "signature",
        format!("other=:AAAA:, up42-sig=:{signature}:"),
    );
    set(
        &mut headers,
        "signature-input",
        format!(
            "other=(\"x\");created=1, up42-sig=(content-digest \"Content-Type\" x-up42-delivery-id);created={AT};keyid=\"k\";alg=\"hmac-sha256\""
        ),
    );
    verifier().verify_at(&headers, BODY, AT).unwrap();
}

/// What a case is, the header it changes (removed when the value is empty), and the
/// error expected.
type Refusal = (&'static str, &'static str, String, fn(&VerifyError) -> bool);

#[test]
fn refusals_name_what_is_wrong() {
    let cases: [Refusal; 5] = [
        (
            "a listed header is missing",
            "x-up42-delivery-id",
            String::new(),
            |e| matches!(e, VerifyError::MissingHeader { header } if header == "x-up42-delivery-id"),
        ),
        ("another label", "signature", "UP42-sig=abc".into(), |e| {
            matches!(
                e,
                VerifyError::MalformedHeader {
                    reason: Malformed::NoLabel { .. },
                    ..
                }
            )
        }),
        (
            "no created",
            "signature-input",
            "up42-sig=(content-digest)".into(),
            |e| {
                matches!(
                    e,
                    VerifyError::MalformedHeader {
                        reason: Malformed::NoCreated,
                        ..
                    }
                )
            },
        ),
        (
            "a derived component",
            "signature-input",
            format!("up42-sig=(\"@method\");created={AT}"),
            |e| {
                matches!(
                    e,
                    VerifyError::MalformedHeader {
                        reason: Malformed::BadComponentList,
                        ..
                    }
                )
            },
        ),
        (
            "a digest of another algorithm",
            "content-digest",
            "sha-512=:AAAA:".into(),
            |e| {
                matches!(
                    e,
                    VerifyError::MalformedHeader {
                        reason: Malformed::NoSha256Digest,
                        ..
                    }
                )
            },
        ),
    ];
    for (what, header, value, expected) in cases {
        let mut headers = by_hand(BODY, AT);
        if value.is_empty() {
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case(header));
        } else {
            set(&mut headers, header, value);
        }
        let error = verifier().verify_at(&headers, BODY, AT).unwrap_err();
        assert!(expected(&error), "{what}: {error}");
    }
}

#[test]
fn explain_names_the_usual_mistakes() {
    let explain_with = |headers: &[(String, String)], body: &[u8], now| {
        explain(&Scheme::up42(), SECRET.as_bytes(), headers, body, now).unwrap()
    };
    // A framework re-serialized the JSON before verifying.
    let pretty = b"{\n  \"event\": \"order.status\",\n  \"body\": {\n    \"orderId\": \"b1f2\",\n    \"status\": \"FULFILLED\"\n  }\n}";
    let digest = reference_digest(pretty);
    let signature = reference_mac(SECRET, &[&digest, "application/json", "d-1"]);
    let mut headers = by_hand(pretty, AT);
    set(&mut headers, "signature", format!("up42-sig={signature}"));
    let compact = explain_with(&headers, BODY, AT);
    assert_eq!(compact.result, Err(VerifyError::BodyDigestMismatch));
    assert!(
        compact
            .mistakes
            .contains(&Mistake::BodyChanged(BodyChange::Reserialized)),
        "{compact}"
    );

    // A proxy added a charset to the signed Content-Type.
    let mut headers = by_hand(BODY, AT);
    set(
        &mut headers,
        "content-type",
        "application/json; charset=utf-8".into(),
    );
    let proxied = explain_with(&headers, BODY, AT);
    assert!(
        proxied.mistakes.contains(&Mistake::ListedHeaderAltered {
            header: "content-type".into()
        }),
        "{proxied}"
    );

    // The signature under another label.
    let mut headers = by_hand(BODY, AT);
    let value = headers[4].1.replace("up42-sig", "sig1");
    set(&mut headers, "signature", value);
    let labelled = explain_with(&headers, BODY, AT);
    assert!(
        labelled.mistakes.contains(&Mistake::WrongLabel {
            sent: "sig1".into(),
            expected: "up42-sig".into()
        }),
        "{labelled}"
    );

    // A stale `created`.
    let stale = explain_with(&by_hand(BODY, AT), BODY, AT + 3_600);
    assert!(
        stale.mistakes.contains(&Mistake::ClockSkew { skew: 3_600 }),
        "{stale}"
    );

    // Hex where base64 is expected.
    let mut headers = by_hand(BODY, AT);
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    for value in [reference_digest(BODY).as_str(), "application/json", "d-1"] {
        mac.update(value.as_bytes());
    }
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    set(&mut headers, "signature", format!("up42-sig={hex}"));
    let encoded = explain_with(&headers, BODY, AT);
    assert!(
        encoded.mistakes.contains(&Mistake::WrongEncoding {
            sent: Encoding::Hex,
            expected: Encoding::Base64
        }),
        "{encoded}"
    );
}

/// How a name is written in the list.
#[derive(Debug, Clone, Copy)]
enum Written {
    Bare,
    Quoted,
    Upper,
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// Any order of the listed names, bare or quoted, any case, with extra parameters
    /// before or after `created`: hook-sign agrees with the algorithm computed by hand.
    #[test]
    fn any_listing_verifies_against_the_reference(
        order in Just(vec![0usize, 1, 2, 3]).prop_shuffle(),
        written in proptest::collection::vec(prop_oneof![Just(Written::Bare), Just(Written::Quoted), Just(Written::Upper)], 4),
        extra_before in proptest::option::of("[a-z]{1,8}=\"[a-z0-9 ,;]{0,12}\""),
        extra_after in proptest::option::of("[a-z]{1,8}=[0-9]{1,6}"),
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        id in "[A-Za-z0-9_-]{1,40}",
        custom in "[ -~]{0,40}",
    ) {
        let digest = reference_digest(&body);
        let all = [
            ("content-digest", digest.as_str()),
            ("content-type", "application/json"),
            ("x-up42-delivery-id", id.as_str()),
            ("x-custom", custom.trim_matches(' ')),
        ];
        let names: Vec<String> = order.iter().zip(&written).map(|(&i, how)| match how {
            Written::Bare => all[i].0.to_owned(),
            Written::Quoted => format!("\"{}\"", all[i].0),
            Written::Upper => format!("\"{}\"", all[i].0.to_ascii_uppercase()),
        }).collect();
        let values: Vec<&str> = order.iter().map(|&i| all[i].1).collect();
        let mut input = format!("up42-sig=({})", names.join(" "));
        if let Some(extra) = &extra_before { input.push(';'); input.push_str(extra); }
        input.push_str(&format!(";created={AT}"));
        if let Some(extra) = &extra_after { input.push(';'); input.push_str(extra); }
        let mut headers: Vec<(String, String)> = all.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        headers.push(("Signature-Input".into(), input));
        headers.push(("Signature".into(), format!("up42-sig={}", reference_mac(SECRET, &values))));
        let verified = verifier().verify_at(&headers, &body, AT);
        prop_assert!(verified.is_ok(), "{:?}", verified);
        let mut reordered = values.clone();
        reordered.reverse();
        if reordered != values {
            let last = headers.len() - 1;
            headers[last].1 = format!("up42-sig={}", reference_mac(SECRET, &reordered));
            prop_assert!(verifier().verify_at(&headers, &body, AT).is_err());
        }
    }
}
