//! `explain` names the mistake behind a failed verification.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use hook_sign::{
    BodyChange, Coverage, Encoding, Headers, KeyFormat, Message, Mistake, Scheme, Signer, explain,
};

/// What `explain` names, in order.
fn mistakes<H: Headers + ?Sized>(
    scheme: &Scheme,
    secret: &[u8],
    headers: &H,
    body: &[u8],
    now: u64,
) -> Vec<Mistake> {
    explain(scheme, secret, headers, body, now)
        .unwrap()
        .mistakes
}

const BODY: &[u8] = br#"{"id": "evt_1", "type": "user.created", "data": {"n": [1, 2]}}"#;

fn signed(scheme: Scheme, secret: &str, at: u64) -> Vec<(String, String)> {
    Signer::new(scheme, secret)
        .unwrap()
        .sign(&Message::new(BODY).id("msg_1").at(at))
        .unwrap()
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[test]
fn a_valid_delivery_has_no_mistakes() {
    let headers = signed(Scheme::generic(), "s", 0);
    let explanation = explain(&Scheme::generic(), b"s", &headers, BODY, 0).unwrap();
    assert!(explanation.is_valid());
    assert!(explanation.mistakes.is_empty());
    assert_eq!(explanation.to_string(), "valid");
}

#[test]
fn a_compacted_body_is_named_reserialized() {
    let headers = signed(Scheme::generic(), "s", 0);
    let compact = br#"{"id":"evt_1","type":"user.created","data":{"n":[1,2]}}"#;
    assert_eq!(
        mistakes(&Scheme::generic(), b"s", &headers, compact, 0),
        vec![Mistake::BodyChanged(BodyChange::Reserialized)]
    );
}

#[test]
fn a_trailing_newline_is_named() {
    let headers = signed(Scheme::github(), "s", 0);
    let body = [BODY, b"\n"].concat();
    assert_eq!(
        mistakes(&Scheme::github(), b"s", &headers, &body, 0),
        vec![Mistake::BodyChanged(BodyChange::TrailingNewline)]
    );
}

#[test]
fn hex_over_the_body_with_a_raw_whsec_key_names_all_three_mistakes() {
    // A sender that hand-rolled "Standard Webhooks": hex, over the body alone, keyed with
    // the whsec_ text itself.
    let secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let hex = signed(Scheme::generic(), secret, 0)[0].1.clone();
    let headers = [
        ("webhook-signature", format!("v1,{hex}")),
        ("webhook-id", "msg_1".to_owned()),
        ("webhook-timestamp", "5".to_owned()),
    ];
    let explanation = explain(
        &Scheme::standard_webhooks(),
        secret.as_bytes(),
        &headers,
        BODY,
        5,
    )
    .unwrap();
    assert_eq!(
        explanation.mistakes,
        vec![
            Mistake::WrongEncoding {
                sent: Encoding::Hex,
                expected: Encoding::Base64
            },
            Mistake::SecretFormat {
                sent: KeyFormat::Raw,
                expected: KeyFormat::WhsecBase64
            },
            Mistake::SignedOtherPayload {
                sent: Coverage::Body,
                expected: Coverage::IdTimestampBody
            },
        ],
        "{explanation}"
    );
}

#[test]
fn a_port_signature_with_the_wrong_prefix_is_named() {
    let hex = signed(Scheme::generic(), "s", 0)[0].1.clone();
    let port = [("x-port-signature", format!("v1,{hex}"))];
    let explanation = explain(&Scheme::port(), b"s", &port, BODY, 5).unwrap();
    assert_eq!(
        explanation.mistakes,
        vec![Mistake::WrongPrefix {
            sent: "v1,".into(),
            expected: "sha256=".into()
        }],
        "{explanation}"
    );
}

#[test]
fn a_missing_prefix_is_named() {
    let headers = signed(Scheme::github(), "s", 0);
    let bare = headers[0].1.trim_start_matches("sha256=").to_owned();
    let explanation = explain(
        &Scheme::github(),
        b"s",
        &[("X-Hub-Signature-256", bare)],
        BODY,
        0,
    )
    .unwrap();
    assert_eq!(
        explanation.mistakes,
        vec![Mistake::WrongPrefix {
            sent: String::new(),
            expected: "sha256=".into()
        }]
    );
    assert!(
        explanation
            .to_string()
            .contains("missing its \"sha256=\" prefix")
    );
}

#[test]
fn a_whsec_secret_used_raw_is_named() {
    let secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    let mut raw = Scheme::standard_webhooks();
    raw.key = KeyFormat::Raw;
    let headers = signed(raw, secret, 100);
    let explanation = explain(
        &Scheme::standard_webhooks(),
        secret.as_bytes(),
        &headers,
        BODY,
        100,
    )
    .unwrap();
    assert_eq!(
        explanation.mistakes,
        vec![Mistake::SecretFormat {
            sent: KeyFormat::Raw,
            expected: KeyFormat::WhsecBase64
        }]
    );
}

#[test]
fn a_wrong_secret_is_named() {
    let headers = signed(Scheme::generic(), "right", 0);
    assert_eq!(
        mistakes(&Scheme::generic(), b"wrong", &headers, BODY, 0),
        vec![Mistake::WrongSecret]
    );
}

#[test]
fn clock_skew_and_milliseconds_are_named() {
    let headers = signed(Scheme::stripe(), "s", 1_000);
    let explanation = explain(&Scheme::stripe(), b"s", &headers, BODY, 2_000).unwrap();
    assert_eq!(
        explanation.mistakes,
        vec![Mistake::ClockSkew { skew: 1_000 }]
    );

    let ms = 1_700_000_000_000;
    let headers = signed(Scheme::stripe(), "s", ms);
    assert_eq!(
        mistakes(&Scheme::stripe(), b"s", &headers, BODY, ms / 1000)[0],
        Mistake::TimestampInMilliseconds
    );
}

#[test]
fn another_schemes_headers_are_named() {
    let headers = signed(Scheme::github(), "s", 0);
    assert_eq!(
        mistakes(&Scheme::generic(), b"s", &headers, BODY, 0),
        vec![Mistake::OtherScheme {
            scheme: "github".into(),
            header: "X-Hub-Signature-256".into()
        }]
    );
}
