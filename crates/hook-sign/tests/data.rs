//! The language-neutral vectors in `vectors/signatures.json`: each valid case verifies and
//! each invalid one is refused with the kind of error it names. Other implementations can
//! load the same file.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use hook_sign::{Scheme, Verifier, VerifyError};

fn kind(error: &VerifyError) -> &'static str {
    match error {
        VerifyError::NoMatch { .. } => "no_match",
        VerifyError::MissingHeader { .. } => "missing_header",
        VerifyError::MalformedHeader { .. } => "malformed_header",
        VerifyError::OutsideTolerance { .. } => "outside_tolerance",
        VerifyError::BodyDigestMismatch => "body_digest_mismatch",
        VerifyError::BodyNotCovered { .. } => "body_not_covered",
        _ => "other",
    }
}

#[test]
fn every_vector_in_the_data_file_holds() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/signatures.json");
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = data["cases"].as_array().unwrap();
    let mut kinds = std::collections::BTreeSet::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let scheme: Scheme = case["scheme"].as_str().unwrap().parse().unwrap();
        if !cfg!(feature = "sha1") && scheme.algorithm == hook_sign::Algorithm::HmacSha1 {
            continue; // data only without the feature (vectors.rs checks the refusal)
        }
        let verifier = Verifier::new(scheme, case["secret"].as_str().unwrap()).unwrap();
        let headers: Vec<(String, String)> = case["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let body = case["body"].as_str().unwrap().as_bytes();
        let now = case["now"].as_u64().unwrap();
        let result = verifier.verify_at(&headers, body, now);
        if case["valid"].as_bool().unwrap() {
            result.unwrap_or_else(|e| panic!("{name}: {e}"));
        } else {
            let error = result.expect_err(name);
            assert_eq!(
                kind(&error),
                case["error"].as_str().unwrap(),
                "{name}: {error}"
            );
            kinds.insert(kind(&error));
        }
    }
    assert!(cases.len() >= 14);
    assert_eq!(
        kinds.len(),
        6,
        "one negative case per error kind: {kinds:?}"
    );
}
