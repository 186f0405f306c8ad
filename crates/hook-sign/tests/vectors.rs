//! Public vectors, and vectors computed with Python's `hmac` module (an independent
//! implementation), for every preset: our signer writes them and our verifier accepts them.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use hook_sign::{Algorithm, Malformed, Message, Scheme, Signer, Verifier, VerifyError};

const GENERIC_BODY: &[u8] = br#"{"id":"evt_abc123","type":"user.created","created_at":"2026-01-15T12:30:00Z","data":{"id":"user_123","name":"John Doe","email":"john@example.com","status":"active"}}"#;
const UIPATH_PING: &[u8] = br#"{"Type":"ping","EventId":"c3319a2d83c44b2f989bdd7eba1f0297","Timestamp":"2018-11-19T14:32:47.6024779Z","TenantId":57,"OrganizationUnitId":null,"UserId":583}"#;
const PORT_BODY: &[u8] =
    br#"{"event":"entity.created","timestamp":"2024-01-15T10:30:00Z","data":{},"organization":"your-org-id","source":"port"}"#;

fn check(
    scheme: Scheme,
    secret: &str,
    message: Message<'_>,
    body: &[u8],
    expected: &[(&str, &str)],
    now: u64,
) {
    let signer = Signer::new(scheme.clone(), secret).unwrap();
    let headers = signer.sign(&message).unwrap();
    for (name, value) in expected {
        assert_eq!(
            headers.get(name),
            Some(*value),
            "{} header {name}",
            scheme.name
        );
    }
    let verifier = Verifier::new(scheme, secret).unwrap();
    verifier.verify_at(expected, body, now).unwrap();
}

#[test]
fn standard_webhooks_public_vector() {
    let body = br#"{"email":"test@example.com","username":"test_user"}"#;
    check(
        Scheme::standard_webhooks(),
        "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
        Message::new(body)
            .id("msg_27UH4WbU6Z5A5EzD8u03UvzRbpk")
            .at(1_649_367_553),
        body,
        &[
            ("webhook-id", "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk"),
            ("webhook-timestamp", "1649367553"),
            (
                "webhook-signature",
                "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
            ),
        ],
        1_649_367_553,
    );
}

/// GitHub's documented example (secret `It's a Secret to Everybody`, body `Hello, World!`)
/// signed by `scheme` into `header: value`.
fn check_github_example(scheme: Scheme, header: &str, value: &str) {
    let body = b"Hello, World!";
    let secret = "It's a Secret to Everybody";
    check(
        scheme,
        secret,
        Message::new(body),
        body,
        &[(header, value)],
        0,
    );
}

#[test]
fn github_public_vector() {
    check_github_example(
        Scheme::github(),
        "X-Hub-Signature-256",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
}

#[test]
fn generic_seed_payload_vector() {
    check(
        Scheme::generic(),
        "whsec_abc123",
        Message::new(GENERIC_BODY),
        GENERIC_BODY,
        &[(
            "X-Webhook-Signature",
            "fb13dca6e1a0760fbc45fa7ad34417f19dc0231c4b5cc29fb205355156c71f4d",
        )],
        0,
    );
}

#[test]
fn uipath_writes_base64_of_the_seed_ping() {
    check(
        Scheme::uipath(),
        "1234567890",
        Message::new(UIPATH_PING),
        UIPATH_PING,
        &[(
            "X-UiPath-Signature",
            "UBYJEcDg7uIAqxzqiX+jSnz1i3JnJZya4S9qiwO/860=",
        )],
        0,
    );
}

#[test]
fn uipath_accepts_the_seed_hex_digest_in_either_case() {
    let verifier = Verifier::new(Scheme::uipath(), "1234567890").unwrap();
    let hex = "50160911c0e0eee200ab1cea897fa34a7cf58b7267259c9ae12f6a8b03bff3ad";
    verifier
        .verify(&[("x-uipath-signature", hex)], UIPATH_PING)
        .unwrap();
    verifier
        .verify(&[("x-uipath-signature", hex.to_uppercase())], UIPATH_PING)
        .unwrap();
}

#[test]
fn port_writes_the_real_timestamped_form() {
    check(
        Scheme::port(),
        "webhook-secret",
        Message::new(PORT_BODY).at(1_705_314_600),
        PORT_BODY,
        &[
            ("x-port-timestamp", "1705314600"),
            (
                "x-port-signature",
                "v1,d4ppMEhs4v8sE7fY9VjbN7/HkvsiJ0oHKWJR8tE3g8o=",
            ),
        ],
        1_705_314_600,
    );
}

#[test]
fn port_accepts_the_seed_form_without_a_timestamp() {
    let verifier = Verifier::new(Scheme::port(), "webhook-secret").unwrap();
    let headers = [(
        "X-Port-Signature",
        "sha256=c9dae5c5ff9df8ae69119912d9c0205d2aeb051070ed9a68afe1c4c2e0270e97",
    )];
    let verified = verifier.verify(&headers, PORT_BODY).unwrap();
    assert_eq!((verified.form_index, verified.timestamp), (1, None));
}

#[test]
fn stripe_vector_and_v0_items_are_ignored() {
    let body = br#"{"id":"evt_1","object":"event"}"#;
    let sig = "0c8670ed117751cc551a20e35839447075c42800ea3cf3e8a2fbda99cd1e6edd";
    check(
        Scheme::stripe(),
        "whsec_test_secret",
        Message::new(body).at(1_700_000_000),
        body,
        &[("Stripe-Signature", &format!("t=1700000000,v1={sig}"))],
        1_700_000_100,
    );
    let verifier = Verifier::new(Scheme::stripe(), "whsec_test_secret").unwrap();
    let with_v0 = format!("t=1700000000,v0=deadbeef,v1={sig}");
    verifier
        .verify_at(
            &[("stripe-signature", with_v0.as_str())],
            body,
            1_700_000_000,
        )
        .unwrap();
}

const UP42_BODY: &[u8] = br#"{"event":"job.status","body":{"jobId":"0f0e7a3c-5f5e-4a2b-9d0e-3b1f2c4d5e6f","status":"SUCCEEDED"}}"#;

/// Signs [`UP42_BODY`] as delivery `dlv_0001` at 1 700 000 000 with `scheme`, checks the
/// headers written are exactly `written`, and that the plain UP42 preset verifies them.
fn up42_vector(scheme: Scheme, written: &[(&str, &str)]) {
    let covered = [("content-type", "application/json")];
    let message = Message::new(UP42_BODY)
        .id("dlv_0001")
        .at(1_700_000_000)
        .cover(&covered);
    let headers = Signer::new(scheme, "QWZTFnMEXhqZKNmu")
        .unwrap()
        .sign(&message)
        .unwrap();
    assert_eq!(headers.iter().collect::<Vec<_>>(), written);
    let received: Vec<(&str, &str)> = written.iter().copied().chain(covered).collect();
    Verifier::new(Scheme::up42(), "QWZTFnMEXhqZKNmu")
        .unwrap()
        .verify_at(&received, UP42_BODY, 1_700_000_000)
        .unwrap();
}

/// Computed with Python's `hmac`, `hashlib` and `base64` from UP42's algorithm: the MAC is
/// over the listed headers' values concatenated in order. The preset writes what UP42
/// sends: no delivery id, whatever the message's id.
#[test]
fn up42_header_list_vector() {
    up42_vector(
        Scheme::up42(),
        &[
            (
                "Content-Digest",
                "sha-256=:S5+YQYCXcmRKi8r5sNPIAfgjaYYFBGAh4xNQwyWDJNo=:",
            ),
            (
                "Signature-Input",
                r#"up42-sig=("content-digest" "content-type");created=1700000000"#,
            ),
            (
                "Signature",
                "up42-sig=FAELFeFom2/kb2EmmLgrwSq03gh9+1hY7mfO61MRnQQ=",
            ),
        ],
    );
}

/// The same with an id header asked for (`Scheme::id_header`): the id is written, listed
/// and signed (Python's `hmac` over the three values).
#[test]
fn up42_header_list_vector_with_an_id_header_asked_for() {
    let mut scheme = Scheme::up42();
    scheme.id_header = Some("X-UP42-Delivery-Id".into());
    up42_vector(
        scheme,
        &[
            (
                "Content-Digest",
                "sha-256=:S5+YQYCXcmRKi8r5sNPIAfgjaYYFBGAh4xNQwyWDJNo=:",
            ),
            ("X-UP42-Delivery-Id", "dlv_0001"),
            (
                "Signature-Input",
                r#"up42-sig=("content-digest" "content-type" "x-up42-delivery-id");created=1700000000"#,
            ),
            (
                "Signature",
                "up42-sig=k7achlf9cyS1nBVi246J4yZqJldpey1rwYjxMEXNdg4=",
            ),
        ],
    );
}

#[test]
fn stale_and_future_timestamps_are_rejected_with_the_skew() {
    let body = b"{}";
    let signer = Signer::new(Scheme::stripe(), "k").unwrap();
    let headers = signer.sign(&Message::new(body).at(1_000)).unwrap();
    let verifier = Verifier::new(Scheme::stripe(), "k").unwrap();
    assert!(matches!(
        verifier.verify_at(&headers, body, 1_301),
        Err(VerifyError::OutsideTolerance { skew: 301, .. })
    ));
    assert!(matches!(
        verifier.verify_at(&headers, body, 699),
        Err(VerifyError::OutsideTolerance { skew: -301, .. })
    ));
    verifier.verify_at(&headers, body, 1_300).unwrap();
    verifier.verify_ignoring_timestamp(&headers, body).unwrap();
}

#[test]
fn errors_name_the_header_and_the_problem() {
    let verifier = Verifier::new(
        Scheme::standard_webhooks(),
        "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
    )
    .unwrap();
    let none: [(&str, &str); 0] = [];
    assert_eq!(
        verifier.verify(&none, b"").unwrap_err().to_string(),
        "missing header webhook-signature"
    );
    let err = verifier
        .verify(&[("webhook-signature", "v2,abc")], b"")
        .unwrap_err();
    assert!(matches!(
        err,
        VerifyError::MalformedHeader {
            reason: Malformed::NoKnownPrefix { .. },
            ..
        }
    ));
    let err = verifier
        .verify(
            &[
                ("webhook-signature", "v1,tZ1I4"),
                ("webhook-id", "m"),
                ("webhook-timestamp", "1"),
            ],
            b"",
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed header webhook-signature: the signature is not 44 base64 characters"
    );
    let err = verifier
        .verify(
            &[(
                "webhook-signature",
                "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
            )],
            b"",
        )
        .unwrap_err();
    assert_eq!(err.to_string(), "missing header webhook-timestamp");
}

#[test]
fn oversized_and_repeated_headers_are_refused() {
    let verifier = Verifier::new(Scheme::generic(), "k").unwrap();
    let long = "a".repeat(hook_sign::MAX_HEADER_LEN + 1);
    assert!(matches!(
        verifier.verify(&[("x-webhook-signature", long.as_str())], b""),
        Err(VerifyError::MalformedHeader {
            reason: Malformed::TooLong { .. },
            ..
        })
    ));
    assert!(matches!(
        verifier.verify(
            &[("x-webhook-signature", "a"), ("X-Webhook-Signature", "b")],
            b""
        ),
        Err(VerifyError::MalformedHeader {
            reason: Malformed::Repeated,
            ..
        })
    ));
}

#[test]
fn too_many_signatures_are_refused() {
    let verifier = Verifier::new(
        Scheme::standard_webhooks(),
        "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
    )
    .unwrap();
    let one = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";
    let many = vec![one; hook_sign::MAX_SIGNATURES + 1].join(" ");
    assert!(matches!(
        verifier.verify(&[("webhook-signature", many.as_str())], b""),
        Err(VerifyError::MalformedHeader {
            reason: Malformed::TooManySignatures { .. },
            ..
        })
    ));
}

#[test]
fn verify_pairs_reads_a_one_pass_iterator() {
    let signer = Signer::new(Scheme::port(), "k").unwrap();
    let headers = signer.sign(&Message::new(b"x").at(10)).unwrap();
    let verifier = Verifier::new(Scheme::port(), "k").unwrap();
    let owned: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_uppercase(), v.to_owned()))
        .chain([("Other".to_owned(), "1".to_owned())])
        .collect();
    // verify_pairs checks against the system clock, far from 10: the skew proves the
    // timestamp header was found among the pairs.
    assert!(matches!(
        verifier.verify_pairs(owned, b"x"),
        Err(VerifyError::OutsideTolerance { timestamp: 10, .. })
    ));
}

#[test]
fn several_secrets_report_which_one_matched() {
    let headers = Signer::new(Scheme::generic(), "new")
        .unwrap()
        .sign(&Message::new(b"b"))
        .unwrap();
    let verifier = Verifier::with_secrets(Scheme::generic(), ["old", "new"]).unwrap();
    assert_eq!(verifier.verify(&headers, b"b").unwrap().secret_index, 1);
}

#[test]
fn every_timestamped_scheme_rejects_replays_outside_its_tolerance() {
    for scheme in Scheme::presets().into_iter().filter(Scheme::uses_timestamp) {
        let tolerance = scheme
            .tolerance
            .expect("timestamped presets have a tolerance")
            .as_secs();
        let secret = scheme.key.encode(b"k");
        let at = 1_700_000_000;
        let headers = Signer::new(scheme.clone(), &secret)
            .unwrap()
            .sign(&Message::new(b"{}").id("msg_1").at(at))
            .unwrap();
        let verifier = Verifier::new(scheme.clone(), &secret).unwrap();
        for now in [at + tolerance + 1, at - tolerance - 1] {
            assert!(
                matches!(
                    verifier.verify_at(&headers, b"{}", now),
                    Err(VerifyError::OutsideTolerance { .. })
                ),
                "{} at {now}",
                scheme.name
            );
        }
        for now in [at + tolerance, at - tolerance] {
            verifier.verify_at(&headers, b"{}", now).unwrap();
        }
    }
}

#[test]
fn thousands_of_signatures_and_nul_bytes_are_typed_errors() {
    let verifier = Verifier::new(
        Scheme::standard_webhooks(),
        "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
    )
    .unwrap();
    let many = vec!["v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="; 5_000].join(" ");
    let headers = [("webhook-signature", many.into_bytes())];
    assert!(matches!(
        verifier.verify(&headers, b""),
        Err(VerifyError::MalformedHeader { .. })
    ));
    let nul = [
        ("webhook-signature", b"v1,\0\0\0".to_vec()),
        ("webhook-id", b"\0".to_vec()),
        ("webhook-timestamp", b"-5".to_vec()),
    ];
    assert!(matches!(
        verifier.verify(&nul, b"\0"),
        Err(VerifyError::MalformedHeader { .. })
    ));
    let overflow = [
        (
            "webhook-signature",
            b"v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=".to_vec(),
        ),
        ("webhook-id", b"m".to_vec()),
        ("webhook-timestamp", b"99999999999999999999999".to_vec()),
    ];
    assert!(matches!(
        verifier.verify(&overflow, b""),
        Err(VerifyError::MalformedHeader {
            reason: Malformed::BadTimestamp,
            ..
        })
    ));
}

/// Computed with Python's `hmac.new(key, msg, hashlib.sha1)` on GitHub's documented
/// example secret and body.
#[cfg(feature = "sha1")]
#[test]
fn github_sha1_vector() {
    check_github_example(
        Scheme::github_sha1(),
        "X-Hub-Signature",
        "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59",
    );
}

/// Port's ingest check, as a webhook's `security` describes it: a named header, a prefix,
/// and `sha256`, `sha1` or `plain`.
#[test]
fn hex_body_schemes_follow_ports_ingest_check() {
    let sha256 = Scheme::hex_body("x-hub-signature-256", "sha256=", Algorithm::HmacSha256);
    check_github_example(
        sha256,
        "x-hub-signature-256",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
    );
    let plain = Scheme::hex_body("x-token", "Token ", Algorithm::PlainSecret);
    check(
        plain.clone(),
        "hunter2",
        Message::new(b"{}"),
        b"any body",
        &[("x-token", "Token hunter2")],
        0,
    );
    let verifier = Verifier::new(plain.clone(), "hunter2").unwrap();
    assert!(matches!(
        verifier.verify(&[("x-token", "Token hunter3")], b"{}"),
        Err(VerifyError::NoMatch { .. })
    ));
    assert!(matches!(
        Verifier::new(plain, "has space"),
        Err(hook_sign::ConfigError::Scheme { .. })
    ));
}

/// Port's `sha1` ingest check and GitHub's legacy header (feature `sha1`).
#[cfg(feature = "sha1")]
#[test]
fn sha1_schemes_follow_their_algorithm() {
    let sha1 = Scheme::hex_body("x-sig", "", Algorithm::HmacSha1);
    check_github_example(sha1, "x-sig", "01dc10d0c83e72ed246219cdd91669667fe2ca59");
    // A 64-digit SHA-256 MAC is not a SHA-1 signature, and the error says what is.
    let error = Verifier::new(Scheme::github_sha1(), "k")
        .unwrap()
        .verify(
            &[("X-Hub-Signature", format!("sha1={}", "a".repeat(64)))],
            b"",
        )
        .unwrap_err();
    assert!(error.to_string().contains("40 hex digits"), "{error}");
}

/// Without the `sha1` feature, a SHA-1 scheme is data only: building a verifier or signer
/// says which feature to turn on.
#[cfg(not(feature = "sha1"))]
#[test]
fn sha1_schemes_name_their_feature_when_it_is_off() {
    let error = Verifier::new(Scheme::github_sha1(), "k").unwrap_err();
    assert_eq!(
        error,
        hook_sign::ConfigError::FeatureMissing {
            algorithm: "HMAC-SHA1",
            feature: "sha1"
        }
    );
    assert!(error.to_string().contains("`sha1` feature"), "{error}");
    assert!(hook_sign::Signer::new(Scheme::github_sha1(), "k").is_err());
}
