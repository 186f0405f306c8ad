//! Sign a body with every preset, verify it, then show `explain` naming two mistakes.
//!
//! `cargo run -p hook-sign --example quickstart`

use hook_sign::{Message, Scheme, Signer, Verifier, explain, unix_now};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let body = br#"{"id": "evt_1", "type": "user.created", "data": {"name": "Ada"}}"#;
    let now = unix_now();

    for scheme in Scheme::presets() {
        if !scheme.is_available() {
            // HMAC-SHA1 schemes need the `sha1` feature (`--features sha1`).
            println!(
                "{:<18} skipped: needs hook-sign's `sha1` feature",
                scheme.name
            );
            continue;
        }
        // A secret as the scheme writes one: the text itself, or `whsec_` and base64.
        let secret = scheme.key.encode(b"s3cret");
        let headers =
            Signer::new(scheme.clone(), &secret)?.sign(&Message::new(body).id("msg_1").at(now))?;
        Verifier::new(scheme.clone(), &secret)?.verify(&headers, body)?;
        println!(
            "{:<18} verified  {}",
            scheme.name,
            headers
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("  ")
        );
    }

    // A receiver that parsed the JSON and verified the re-serialized text:
    let headers = Signer::new(Scheme::generic(), "s3cret")?.sign(&Message::new(body))?;
    let reserialized = br#"{"id":"evt_1","type":"user.created","data":{"name":"Ada"}}"#;
    println!(
        "\n{}",
        explain(&Scheme::generic(), b"s3cret", &headers, reserialized, now)?
    );

    // A receiver with the wrong secret:
    println!(
        "{}",
        explain(&Scheme::generic(), b"not-the-secret", &headers, body, now)?
    );
    Ok(())
}
