//! `hook sign` and `hook verify`: hook-sign on the command line, and the scheme and secret
//! arguments every command shares.

use std::io::Read as _;
use std::process::ExitCode;

use hook_sign::{Message, PRESETS, Scheme, Signer, Verifier, explain, unix_now};

use crate::Fail;

/// The largest body read from standard input.
pub const MAX_STDIN: u64 = 64 * 1024 * 1024;

/// The parser of `--scheme`: one of the presets, listed in `--help`.
pub fn scheme_parser() -> impl clap::builder::TypedValueParser<Value = Scheme> {
    use clap::builder::{PossibleValue, TypedValueParser as _};
    // Each name also answers to its spelling with `_` (`standard_webhooks`, as earlier
    // versions and scripts write it); help lists the `-` spelling alone.
    let names = PRESETS.iter().map(|name| {
        let value = PossibleValue::new(*name);
        match *name {
            "standard-webhooks" => value.alias("standard_webhooks"),
            "github-sha1" => value.alias("github_sha1"),
            _ => value,
        }
    });
    clap::builder::PossibleValuesParser::new(names)
        .try_map(|name: String| Scheme::preset(&name).ok_or_else(|| format!("no scheme {name:?}")))
}

pub fn parse_header(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| format!("{text:?} is not 'Name: value'"))?;
    Ok((name.trim().to_owned(), value.trim().to_owned()))
}

/// `--secret`, repeatable: for key rotation, every secret signs (separated layouts carry one
/// signature each) or any one verifies; the output names the one that matched, counting
/// from 1. A secret that starts with `-` is taken as a value.
#[derive(Clone, clap::Args)]
pub struct Secrets {
    /// The secret (repeat for rotation; or set HOOK_SECRET).
    #[arg(
        long = "secret",
        env = "HOOK_SECRET",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    pub secrets: Vec<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} redacted)", self.secrets.len())
    }
}

impl Secrets {
    /// The secrets given, or a usage error saying how to give one.
    pub fn required(&self) -> Result<&[String], Fail> {
        if self.secrets.is_empty() {
            return Err(Fail::Usage(
                "give the signing secret with --secret (or HOOK_SECRET)".into(),
            ));
        }
        Ok(&self.secrets)
    }
}

/// A verifier for `scheme` holding every secret; a malformed secret is a usage error.
pub fn verifier(scheme: Scheme, secrets: &[String]) -> Result<Verifier, Fail> {
    let name = scheme.name.to_string();
    Verifier::with_secrets(scheme, secrets)
        .map_err(|e| Fail::Usage(format!("--secret for {name}: {e}")))
}

/// A signer for `scheme` holding every secret; a malformed secret is a usage error.
pub fn signer(scheme: Scheme, secrets: &[String]) -> Result<Signer, Fail> {
    let name = scheme.name.to_string();
    Signer::with_secrets(scheme, secrets)
        .map_err(|e| Fail::Usage(format!("--secret for {name}: {e}")))
}

/// `hook sign`.
#[derive(Debug, clap::Args)]
pub struct SignArgs {
    /// The signature scheme.
    #[arg(long, value_parser = scheme_parser())]
    scheme: Scheme,
    #[command(flatten)]
    secrets: Secrets,
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
    /// Print the headers as a JSON object.
    #[arg(long)]
    json: bool,
}

/// `hook verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The signature scheme.
    #[arg(long, value_parser = scheme_parser())]
    scheme: Scheme,
    #[command(flatten)]
    secrets: Secrets,
    /// A received header, 'Name: value' (repeat).
    #[arg(short = 'H', long = "header", value_parser = parse_header)]
    headers: Vec<(String, String)>,
    /// On failure, name the likely mistake.
    #[arg(long)]
    explain: bool,
    /// Accept header-list signatures (up42) that list no content-digest, verifying the
    /// listed headers alone. The body is then NOT authenticated: anyone holding one
    /// delivery can send any body with its headers. UP42 publishes no list of the headers
    /// it signs, so a real UP42 delivery may need this.
    #[arg(long)]
    allow_headers_only: bool,
    /// Unix seconds to verify as of (default: now).
    #[arg(long)]
    now: Option<u64>,
    /// Print the verdict as JSON.
    #[arg(long)]
    json: bool,
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

pub fn sign(args: SignArgs) -> Result<ExitCode, Fail> {
    let body = stdin()?;
    let signer = signer(args.scheme, args.secrets.required()?)?;
    let covered: Vec<(&str, &str)> = args
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let mut message = Message::new(&body).id(&args.id).cover(&covered);
    if let Some(timestamp) = args.timestamp {
        message = message.at(timestamp);
    }
    let headers = signer
        .sign(&message)
        .map_err(|e| Fail::Usage(e.to_string()))?;
    if args.json {
        let object: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .map(|(name, value)| (name.to_owned(), value.into()))
            .collect();
        println!("{}", serde_json::Value::Object(object));
    } else {
        for (name, value) in headers.iter() {
            println!("{name}: {value}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What verification said of one delivery: in `hook verify --json`, `hook listen` and its
/// records.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)] // every field may be missing from a record line read back
pub struct Verdict {
    /// Whether a scheme and secret verified it.
    pub valid: bool,
    /// The scheme that verified it or, when none did, the one whose reason is given.
    pub scheme: Option<String>,
    /// Which `--secret` matched, counting from 1.
    pub secret: Option<usize>,
    /// Why it did not verify.
    pub reason: Option<String>,
    /// `explain`'s likely mistakes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub likely: Vec<String>,
}

impl Verdict {
    /// `verifier` accepted it with `verified`'s secret.
    fn accepted(verifier: &Verifier, verified: &hook_sign::Verified) -> Verdict {
        Verdict {
            valid: true,
            scheme: Some(verifier.scheme().name.to_string()),
            secret: Some(verified.secret_index + 1),
            ..Verdict::default()
        }
    }

    /// Verifies `body` with each verifier in turn; the first that accepts wins. When none
    /// does, the reason comes from `explain` under the scheme whose signature header the
    /// delivery carries (else the first), with the first secret.
    pub fn of(
        verifiers: &[Verifier],
        secrets: &[String],
        headers: &[(String, String)],
        body: &[u8],
        now: u64,
    ) -> Verdict {
        for verifier in verifiers {
            if let Ok(verified) = verifier.verify_at(headers, body, now) {
                return Verdict::accepted(verifier, &verified);
            }
        }
        let carries = |v: &&Verifier| {
            headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case(&v.scheme().signature_header))
        };
        let Some(chosen) = verifiers.iter().find(carries).or(verifiers.first()) else {
            return Verdict::default();
        };
        let secret = secrets.first().map_or(&b""[..], |s| s.as_bytes());
        let scheme = Some(chosen.scheme().name.to_string());
        match explain(chosen.scheme(), secret, headers, body, now) {
            Ok(explanation) => Verdict {
                valid: false,
                scheme,
                secret: None,
                reason: explanation.result.err().map(|e| e.to_string()),
                likely: explanation
                    .mistakes
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            },
            Err(e) => Verdict {
                reason: Some(e.to_string()),
                scheme,
                ..Verdict::default()
            },
        }
    }

    /// One line: `valid (scheme, secret N)` or `INVALID (scheme): reason; likely: …`.
    pub fn line(&self) -> String {
        let scheme = self.scheme.as_deref().unwrap_or("-");
        if self.valid {
            return format!("valid ({scheme}, secret {})", self.secret.unwrap_or(1));
        }
        let mut line = format!(
            "INVALID ({scheme}): {}",
            self.reason.as_deref().unwrap_or("refused")
        );
        for likely in &self.likely {
            line.push_str("; likely: ");
            line.push_str(likely);
        }
        line
    }
}

pub fn verify(args: VerifyArgs) -> Result<ExitCode, Fail> {
    let body = stdin()?;
    let now = args.now.unwrap_or_else(unix_now);
    let secrets = args.secrets.required()?;
    let mut verifier = verifier(args.scheme, secrets)?;
    if args.allow_headers_only {
        verifier = verifier.allow_headers_only();
    }
    let verdict = if args.explain {
        Verdict::of(
            std::slice::from_ref(&verifier),
            secrets,
            &args.headers,
            &body,
            now,
        )
    } else {
        match verifier.verify_at(&args.headers, &body, now) {
            Ok(verified) => Verdict::accepted(&verifier, &verified),
            Err(error) => Verdict {
                scheme: Some(verifier.scheme().name.to_string()),
                reason: Some(error.to_string()),
                ..Verdict::default()
            },
        }
    };
    if args.json {
        println!("{}", serde_json::to_string(&verdict).unwrap_or_default());
    } else if verdict.valid && secrets.len() == 1 {
        println!("valid");
    } else if verdict.valid {
        println!(
            "valid (secret {} of {})",
            verdict.secret.unwrap_or(1),
            secrets.len()
        );
    } else {
        println!(
            "invalid: {}",
            verdict.reason.as_deref().unwrap_or("refused")
        );
        for likely in &verdict.likely {
            println!("  likely: {likely}");
        }
    }
    Ok(if verdict.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
