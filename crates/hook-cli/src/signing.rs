//! `hook sign`, `hook verify` and `hook listen`: hook-sign on the command line.

use std::io::Read as _;
use std::process::ExitCode;
use std::sync::Arc;

use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse as _, Response};
use hook_sign::extract::{Rejection, SignedBody};
use hook_sign::{Message, Scheme, Signer, Verifier, explain, unix_now};

/// The largest body read from standard input.
pub const MAX_STDIN: u64 = 64 * 1024 * 1024;

fn parse_scheme(name: &str) -> Result<Scheme, String> {
    name.parse::<Scheme>().map_err(|e| e.to_string())
}

fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("{text:?} is not 'Name: value'"))?;
    Ok((name.trim().to_owned(), value.trim().to_owned()))
}

/// `hook sign`.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// uipath, port, up42, generic, standard-webhooks, github, github-sha1 or stripe.
    #[arg(long, value_parser = parse_scheme)]
    scheme: Scheme,
    /// The signing secret (or set HOOK_SECRET).
    #[arg(long, env = "HOOK_SECRET", hide_env_values = true)]
    secret: String,
    /// The message id, for schemes that sign one.
    #[arg(long, default_value = "msg_hook_cli")]
    id: String,
    /// Unix seconds to sign as of (default: now).
    #[arg(long)]
    timestamp: Option<u64>,
    /// A header the request will carry, 'Name: value' (repeat), for header-list schemes
    /// (up42) to list and sign besides Content-Digest and the id; not printed: send it as given.
    #[arg(short = 'H', long = "header", value_parser = parse_header)]
    headers: Vec<(String, String)>,
}

/// `hook verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The scheme to verify with.
    #[arg(long, value_parser = parse_scheme)]
    scheme: Scheme,
    /// The secret (or set HOOK_SECRET).
    #[arg(long, env = "HOOK_SECRET", hide_env_values = true)]
    secret: String,
    /// A received header, 'Name: value' (repeat).
    #[arg(short = 'H', long = "header", value_parser = parse_header)]
    headers: Vec<(String, String)>,
    /// On failure, name the likely mistake.
    #[arg(long)]
    explain: bool,
    /// Unix seconds to verify as of (default: now).
    #[arg(long)]
    now: Option<u64>,
}

/// `hook listen`.
#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    /// The scheme deliveries are signed with.
    #[arg(long, value_parser = parse_scheme)]
    scheme: Scheme,
    /// The secret (or set HOOK_SECRET).
    #[arg(long, env = "HOOK_SECRET", hide_env_values = true)]
    secret: String,
    /// Loopback port to listen on.
    #[arg(long, default_value_t = 8080)]
    port: u16,
}

fn stdin() -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    std::io::stdin()
        .take(MAX_STDIN + 1)
        .read_to_end(&mut body)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if body.len() as u64 > MAX_STDIN {
        return Err(format!(
            "the body on standard input is over {MAX_STDIN} bytes"
        ));
    }
    Ok(body)
}

pub fn sign(args: SignArgs) -> Result<ExitCode, String> {
    let body = stdin()?;
    let signer = Signer::new(args.scheme, &args.secret).map_err(|e| e.to_string())?;
    let covered: Vec<(&str, &str)> = args
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let mut message = Message::new(&body).id(&args.id).cover(&covered);
    if let Some(timestamp) = args.timestamp {
        message = message.at(timestamp);
    }
    let headers = signer.sign(&message).map_err(|e| e.to_string())?;
    for (name, value) in headers.iter() {
        println!("{name}: {value}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn verify(args: VerifyArgs) -> Result<ExitCode, String> {
    let body = stdin()?;
    let now = args.now.unwrap_or_else(unix_now);
    if args.explain {
        let explanation = explain(
            &args.scheme,
            args.secret.as_bytes(),
            &args.headers,
            &body,
            now,
        )
        .map_err(|e| e.to_string())?;
        println!("{explanation}");
        return Ok(if explanation.is_valid() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let verifier = Verifier::new(args.scheme, &args.secret).map_err(|e| e.to_string())?;
    match verifier.verify_at(&args.headers, &body, now) {
        Ok(_) => {
            println!("valid");
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            println!("invalid: {error}");
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn receive(uri: Uri, delivery: Result<SignedBody, Rejection>) -> Response {
    match delivery {
        Ok(SignedBody { body, .. }) => {
            let kind = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| {
                    ["type", "Type", "event"]
                        .iter()
                        .find_map(|k| v.get(k).and_then(|t| t.as_str()).map(str::to_owned))
                })
                .unwrap_or_else(|| "-".into());
            println!("valid    POST {uri}  {} bytes  {kind}", body.len());
            StatusCode::OK.into_response()
        }
        Err(rejection) => {
            let reason = match &rejection {
                Rejection::Signature(error) => error.to_string(),
                Rejection::Body(message) | Rejection::Json(message) => message.clone(),
                _ => "refused".to_owned(),
            };
            println!("INVALID  POST {uri}: {reason}");
            rejection.into_response()
        }
    }
}

pub async fn listen(args: ListenArgs) -> Result<ExitCode, String> {
    let scheme_name = args.scheme.name.to_string();
    let verifier = Arc::new(Verifier::new(args.scheme, &args.secret).map_err(|e| e.to_string())?);
    let app = axum::Router::new()
        .fallback(axum::routing::post(receive))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("listening on http://{addr}/ for {scheme_name} deliveries; Ctrl-C to stop");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}
