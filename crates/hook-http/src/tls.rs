//! The TLS crypto provider every HTTPS connection of hook uses, chosen by feature: `ring`
//! (the default: it builds in a fraction of the time of `aws-lc-rs`, which compiles AWS-LC
//! from C) or `aws-lc-rs`.
//!
//! rustls needs one process-wide provider. [`ensure_provider`] installs the chosen one
//! unless the application installed its own first (`CryptoProvider::install_default`,
//! which then wins); hook calls it before building any client or TLS server, so a user never
//! has to.

#[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
compile_error!(
    "hook-http needs a TLS crypto provider: enable its `ring` feature (the default) or \
     `aws-lc-rs` (through the provider crate, hook-facade or hook-emulator of the same name)"
);

/// Installs the feature's crypto provider as rustls's process default, unless one is
/// installed already. With both features on, `aws-lc-rs` is installed: turning it on is
/// the explicit choice. Cheap after the first call; safe from many threads at once.
pub fn ensure_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_some() {
        return;
    }
    #[cfg(feature = "aws-lc-rs")]
    let provider = rustls::crypto::aws_lc_rs::default_provider();
    #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
    let provider = rustls::crypto::ring::default_provider();
    // Another thread may have installed one in between: theirs stands, which is as good.
    let _ = provider.install_default();
}
