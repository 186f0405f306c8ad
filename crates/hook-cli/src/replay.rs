//! `hook replay`: send recorded deliveries again, byte for byte, or re-signed with fresh
//! timestamps.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use hook_sign::{Message, Scheme};

use crate::listen::forwarded;
use crate::record::{self, Exchange};
use crate::signing::{Secrets, scheme_parser, signer};
use crate::{Fail, send};

/// `hook replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// A file written by `hook listen --record`.
    file: PathBuf,
    /// Where to send them.
    #[arg(long, value_name = "URL")]
    to: String,
    /// Only those the app answered non-2xx or did not answer (or that were not forwarded).
    #[arg(long)]
    only_failed: bool,
    /// Sign each again now with --secret: timestamped schemes' original signatures are
    /// stale after their tolerance (five minutes for most).
    #[arg(long)]
    re_sign: bool,
    /// The scheme to re-sign with (default: the one that verified it when recorded).
    #[arg(long, value_parser = scheme_parser(), requires = "re_sign")]
    scheme: Option<Scheme>,
    #[command(flatten)]
    secrets: Secrets,
    /// Seconds to wait for each answer.
    #[arg(long, default_value = "10", value_parser = send::timeout)]
    timeout: Duration,
    /// Print one JSON line per delivery.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: ReplayArgs) -> Result<ExitCode, Fail> {
    send::check_url("--to", &args.to)?;
    let exchanges = record::read(&args.file)?;
    let chosen: Vec<(usize, &(Exchange, Vec<u8>))> = exchanges
        .iter()
        .enumerate()
        .filter(|(_, (e, _))| !args.only_failed || e.failed())
        .collect();
    // Every re-signing is prepared before anything is sent: a missing secret or scheme
    // fails the whole replay, not its second half.
    let mut prepared = Vec::with_capacity(chosen.len());
    for (index, (exchange, body)) in chosen {
        // What listen forwards, the record's headers are sent again: hop-by-hop ones left out.
        let mut headers = forwarded(&exchange.headers);
        if args.re_sign {
            headers = re_signed(&args, exchange, headers, body, index + 1)?;
        }
        prepared.push((index + 1, exchange.method.clone(), headers, body.clone()));
    }
    if !args.json {
        println!(
            "replaying {} of {} recorded deliveries to {}",
            prepared.len(),
            exchanges.len(),
            args.to
        );
    }
    let mut failed = 0usize;
    for (line, method, headers, body) in prepared {
        let size = body.len();
        match send::send(&method, &args.to, &headers, body.into(), args.timeout).await {
            Ok(answer) => {
                if !(200..300).contains(&answer.status) {
                    failed += 1;
                }
                if args.json {
                    println!(
                        "{}",
                        serde_json::json!({"line": line, "url": args.to, "status": answer.status,
                            "latency_ms": answer.millis(), "bytes": size})
                    );
                } else {
                    println!(
                        "line {line}: {} in {:.1} ms  {method} {}  {size} B",
                        answer.status,
                        answer.millis(),
                        args.to
                    );
                }
            }
            Err(error) => {
                failed += 1;
                if args.json {
                    println!(
                        "{}",
                        serde_json::json!({"line": line, "url": args.to, "error": error})
                    );
                } else {
                    println!("line {line}: not answered  {method} {}: {error}", args.to);
                }
            }
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// `headers` with the scheme's signature headers replaced by fresh ones.
fn re_signed(
    args: &ReplayArgs,
    exchange: &Exchange,
    headers: Vec<(String, String)>,
    body: &[u8],
    line: usize,
) -> Result<Vec<(String, String)>, Fail> {
    let secrets = args.secrets.required()?;
    re_sign(args.scheme.as_ref(), secrets, exchange, headers, body, line)
}

/// `headers` with the signature headers of `scheme` (else the scheme `exchange` was
/// verified or refused under) replaced by fresh ones signed with `secrets`; `line` names
/// the exchange in errors.
///
/// # Errors
///
/// [`Fail::Usage`] when no scheme is known or it cannot sign.
pub fn re_sign(
    scheme: Option<&Scheme>,
    secrets: &[String],
    exchange: &Exchange,
    headers: Vec<(String, String)>,
    body: &[u8],
    line: usize,
) -> Result<Vec<(String, String)>, Fail> {
    let scheme = match (scheme, &exchange.verification.scheme) {
        (Some(scheme), _) => scheme.clone(),
        (None, Some(name)) => Scheme::preset(name).ok_or_else(|| {
            Fail::Usage(format!(
                "line {line}: recorded scheme {name:?} is unknown; give --scheme"
            ))
        })?,
        (None, None) => {
            return Err(Fail::Usage(format!(
                "line {line}: no scheme was recorded; give --scheme to re-sign"
            )));
        }
    };
    let signer = signer(scheme.clone(), secrets)?;
    // The scheme's own headers go; the id, when the scheme signs one, is kept and re-signed.
    let id = scheme.id_header.as_deref().and_then(|name| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    });
    let mut owned: Vec<String> = vec![scheme.signature_header.to_string()];
    owned.extend(scheme.timestamp_header().map(str::to_owned));
    owned.extend(scheme.id_header.as_deref().map(str::to_owned));
    if let Some((_, input)) = scheme.header_list() {
        owned.push(input.to_owned());
        owned.push("content-digest".to_owned());
    }
    let mut kept: Vec<(String, String)> = headers
        .into_iter()
        .filter(|(name, _)| !owned.iter().any(|o| o.eq_ignore_ascii_case(name)))
        .collect();
    let covered: Vec<(&str, &str)> = kept
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let mut message = Message::new(body).cover(&covered);
    let id = id.unwrap_or_else(|| format!("replay_{}", record::unix_millis()));
    message = message.id(&id);
    let fresh = signer
        .sign(&message)
        .map_err(|e| Fail::Usage(format!("line {line}: cannot re-sign: {e}")))?;
    let fresh: Vec<(String, String)> = fresh
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned()))
        .collect();
    kept.extend(fresh);
    Ok(kept)
}
