//! A real loopback receiver for tests and demos: an axum server that verifies every
//! delivery with a `hook-sign` [`Verifier`] and hands it over on a channel.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hook_sign::{Verified, Verifier, VerifyError};
use tokio::sync::mpsc;

/// One delivery as the receiver saw it.
#[derive(Debug)]
pub struct Received {
    /// The request headers.
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Bytes,
    /// What the verifier said (`Err(NoMatch)`-like errors when no verifier was given).
    pub verified: Result<Verified, VerifyError>,
}

/// A receiver on `127.0.0.1` answering `POST /hook`.
#[derive(Debug)]
pub struct Receiver {
    url: String,
    status: Arc<AtomicU16>,
    script: Arc<Mutex<VecDeque<u16>>>,
    deliveries: mpsc::UnboundedReceiver<Received>,
    server: tokio::task::JoinHandle<()>,
}

struct Shared {
    verifier: Verifier,
    status: Arc<AtomicU16>,
    script: Arc<Mutex<VecDeque<u16>>>,
    sender: mpsc::UnboundedSender<Received>,
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let verified = shared.verifier.verify(&headers, &body);
    let scripted = shared
        .script
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .pop_front();
    let status = scripted.unwrap_or_else(|| shared.status.load(Ordering::SeqCst));
    let _ = shared.sender.send(Received {
        headers,
        body,
        verified,
    });
    StatusCode::from_u16(status).unwrap_or(StatusCode::OK)
}

/// A TCP listener that completes a TLS handshake before handing a connection to axum.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            // A client that refuses our certificate fails the handshake: wait for the next.
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// A receiver's TLS certificate: self-signed for `127.0.0.1` and `localhost`.
#[derive(Debug, Clone)]
pub struct Certificate {
    /// PEM, to trust with [`crate::EmulatorBuilder::trust_root_pem`] or a client.
    pub pem: String,
}

impl Receiver {
    /// Starts a receiver that verifies with `verifier` and answers 200.
    ///
    /// # Errors
    ///
    /// The I/O error when no loopback port can be bound.
    pub async fn start(verifier: Verifier) -> std::io::Result<Receiver> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/hook", listener.local_addr()?);
        Receiver::serve(verifier, url, listener).await
    }

    /// Starts an HTTPS receiver with a fresh self-signed certificate, returned so the
    /// emulator can be told to trust it (UP42 requires HTTPS).
    ///
    /// # Errors
    ///
    /// The I/O error when no loopback port can be bound, or `InvalidInput` when the certificate
    /// cannot be made.
    pub async fn start_tls(verifier: Verifier) -> std::io::Result<(Receiver, Certificate)> {
        use tokio_rustls::rustls::ServerConfig;
        use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        let invalid = |e: &dyn std::fmt::Display| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string())
        };
        hook_http::tls::ensure_provider();
        let certified = rcgen::generate_simple_self_signed(vec![
            "127.0.0.1".to_owned(),
            "localhost".to_owned(),
        ])
        .map_err(|e| invalid(&e))?;
        let pem = certified.cert.pem();
        let chain = vec![CertificateDer::from(certified.cert.der().to_vec())];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            certified.signing_key.serialize_der(),
        ));
        let config = ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| invalid(&e))?;
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("https://{}/hook", tcp.local_addr()?);
        let listener = TlsListener {
            tcp,
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        };
        Ok((
            Receiver::serve(verifier, url, listener).await?,
            Certificate { pem },
        ))
    }

    async fn serve<L>(verifier: Verifier, url: String, listener: L) -> std::io::Result<Receiver>
    where
        L: axum::serve::Listener,
        L::Addr: std::fmt::Debug,
    {
        let (sender, deliveries) = mpsc::unbounded_channel();
        let status = Arc::new(AtomicU16::new(200));
        let script = Arc::new(Mutex::new(VecDeque::new()));
        let shared = Arc::new(Shared {
            verifier,
            status: status.clone(),
            script: script.clone(),
            sender,
        });
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(shared);
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "receiver stopped");
            }
        });
        Ok(Receiver {
            url,
            status,
            script,
            deliveries,
            server,
        })
    }

    /// A receiver verifying `provider`'s deliveries signed with `secret`: HTTPS with a
    /// self-signed certificate where the provider delivers to HTTPS only (its capabilities
    /// say `https_only`: UP42; trust the returned certificate with
    /// [`crate::EmulatorBuilder::trust_root_pem`]), plain HTTP otherwise. An
    /// `InvalidInput` error for a provider the emulator does not emulate.
    ///
    /// # Errors
    ///
    /// `InvalidInput` when the emulator does not emulate `provider` or `secret` is refused by
    /// its scheme; otherwise as [`Receiver::start`].
    pub async fn for_provider(
        provider: hook_model::Provider,
        secret: &str,
    ) -> std::io::Result<(Receiver, Option<Certificate>)> {
        let invalid =
            |message: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, message);
        let plugin = crate::plugin::plugin(provider)
            .ok_or_else(|| invalid(format!("the emulator does not emulate {provider}")))?;
        let descriptor = plugin.descriptor();
        let verifier =
            Verifier::new((descriptor.scheme)(), secret).map_err(|e| invalid(e.to_string()))?;
        if descriptor.capabilities.https_only {
            let (receiver, certificate) = Receiver::start_tls(verifier).await?;
            Ok((receiver, Some(certificate)))
        } else {
            Ok((Receiver::start(verifier).await?, None))
        }
    }

    /// The URL to register as a webhook.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Answer `status` from now on (say 500, to make deliveries fail).
    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// Answer the next deliveries with `statuses`, one each in order, then go back to the
    /// status [`Receiver::answer`] set: a scripted outage that does not race the sender
    /// the way changing the answer between two attempts would.
    pub fn script(&self, statuses: impl IntoIterator<Item = u16>) {
        self.script
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(statuses);
    }

    /// The next delivery, waiting at most `timeout`.
    pub async fn next(&mut self, timeout: Duration) -> Option<Received> {
        tokio::time::timeout(timeout, self.deliveries.recv())
            .await
            .ok()
            .flatten()
    }

    /// A delivery that already arrived, without waiting.
    pub fn try_next(&mut self) -> Option<Received> {
        self.deliveries.try_recv().ok()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}
