//! Header parsing and verification on hostile input: the input is split into a scheme
//! choice, four header values and a body; every verify path and `explain` must return,
//! never panic, whatever the bytes. For a header-list scheme (UP42) the second value is its
//! `Signature-Input` and the fourth a `Content-Digest`, so the component-list, label and
//! digest parsers see the bytes too.
#![no_main]

use hook_sign::{Scheme, Verifier, explain};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let presets = Scheme::presets();
    let scheme = presets[usize::from(choice) % presets.len()].clone();
    // Values are separated by 0xFF bytes; missing parts are empty.
    let mut parts = rest.splitn(5, |b| *b == 0xFF);
    let signature = parts.next().unwrap_or_default();
    let timestamp = parts.next().unwrap_or_default();
    let id = parts.next().unwrap_or_default();
    let digest = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let secret = scheme.key.encode(b"fuzz-secret");
    let headers = [
        (scheme.signature_header.to_string(), signature.to_vec()),
        (
            scheme
                .timestamp_header()
                .or(scheme.header_list().map(|(_, input)| input))
                .unwrap_or("x-ts")
                .to_owned(),
            timestamp.to_vec(),
        ),
        (
            scheme.id_header.as_deref().unwrap_or("x-id").to_owned(),
            id.to_vec(),
        ),
        ("content-digest".to_owned(), digest.to_vec()),
    ];
    let Ok(verifier) = Verifier::new(scheme.clone(), &secret) else {
        return;
    };
    let now = u64::from_le_bytes(*body.first_chunk::<8>().unwrap_or(&[0; 8]));
    let _ = verifier.verify_at(&headers, body, now);
    let _ = verifier.verify_ignoring_timestamp(&headers, body);
    let _ = verifier.verify_pairs(
        headers.iter().map(|(k, v)| (k.as_str(), v.as_slice())),
        body,
    );
    if body.len() < 4096 {
        let _ = explain(&scheme, &secret, &headers, body, now);
    }
});
