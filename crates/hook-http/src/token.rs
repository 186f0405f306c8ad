//! Where bearer tokens come from: a provider plugs in a [`TokenSource`]; OAuth 2's
//! form-encoded grants ([`OAuth2`], RFC 6749 §4.3 and §4.4) are built in.

use std::fmt;
use std::time::Duration;

use hook_model::{Error, Secret};
use serde::{Deserialize, Serialize};

/// A token and how long it lasts.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Token {
    /// The bearer token.
    pub access_token: Secret,
    /// How long it lasts, when the answer said.
    pub expires_in: Option<Duration>,
}

impl Token {
    /// A token lasting `expires_in` (unknown when `None`).
    pub fn new(access_token: Secret, expires_in: Option<Duration>) -> Self {
        Token {
            access_token,
            expires_in,
        }
    }
}

/// The body of a token request. Every value is a [`Secret`], so none prints.
#[derive(Clone)]
#[non_exhaustive]
pub enum TokenBody {
    /// `application/x-www-form-urlencoded` pairs.
    Form(Vec<(&'static str, Secret)>),
    /// A JSON document, already encoded.
    Json(Secret),
}

impl fmt::Debug for TokenBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenBody::Form(pairs) => f
                .debug_list()
                .entries(pairs.iter().map(|(name, _)| name))
                .finish(),
            TokenBody::Json(_) => f.write_str("Json(<redacted>)"),
        }
    }
}

/// A token endpoint: what to POST where, and how to read the answer. The transport sends
/// it, retries it like an idempotent call (connection errors, timeouts, 429, 5xx), caches
/// the token and refreshes it before it expires and once on a 401.
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// The endpoint's URL.
    fn token_url(&self) -> &str;

    /// The request body.
    fn body(&self) -> TokenBody;

    /// Reads a 2xx answer. The default reads OAuth 2's `access_token` and `expires_in`.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the answer is not an OAuth 2 token answer.
    fn parse(&self, body: &[u8]) -> Result<Token, Error> {
        let answer: OAuthToken = hook_model::decode("token answer", body)?;
        Ok(Token::new(
            answer.access_token,
            answer.expires_in.map(Duration::from_secs),
        ))
    }
}

/// Reads a token lifetime in seconds as servers write it: a number (a fraction rounds
/// down, a negative one is 0) or a string of digits. Anything else, or a number too large
/// for `u64`, reads as unknown (`None`) rather than failing the whole token answer: the
/// transport then refreshes the token on its first 401.
///
/// # Errors
///
/// The deserializer's error when the value is neither a number nor a string of digits.
pub fn seconds<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(deserializer)?;
    Ok(match value {
        Some(serde_json::Value::Number(n)) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f < u64::MAX as f64)
                .map(|f| f.max(0.0) as u64)
        }),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// An OAuth 2 token answer (RFC 6749 §5.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OAuthToken {
    /// The bearer token.
    pub access_token: Secret,
    /// Seconds until it expires (read leniently: see [`seconds`]).
    #[serde(
        default,
        deserialize_with = "seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_in: Option<u64>,
    /// Usually `Bearer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Fields not named here (`scope`, `refresh_token`, …), kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// An OAuth 2 grant, form-encoded.
#[derive(Debug, Clone)]
enum Grant {
    ClientCredentials { client_secret: Secret },
    Password { username: String, password: Secret },
}

/// OAuth 2's client-credentials or password grant at a token endpoint.
///
/// ```
/// use hook_http::{OAuth2, TokenSource};
/// let source = OAuth2::client_credentials("https://id.example/connect/token", "app", "s3cret")
///     .scope("OR.Webhooks");
/// assert_eq!(source.token_url(), "https://id.example/connect/token");
/// assert!(!format!("{source:?} {:?}", source.body()).contains("s3cret"));
/// ```
#[derive(Debug, Clone)]
pub struct OAuth2 {
    token_url: String,
    client_id: String,
    grant: Grant,
    scope: Option<String>,
}

impl OAuth2 {
    /// `grant_type=client_credentials` with `client_id` and `client_secret`.
    pub fn client_credentials(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        let client_secret = client_secret.into();
        OAuth2::with_grant(
            token_url.into(),
            client_id.into(),
            Grant::ClientCredentials { client_secret },
        )
    }

    /// `grant_type=password` with `username`, `password` and `client_id`.
    pub fn password(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        username: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Self {
        let (username, password) = (username.into(), password.into());
        OAuth2::with_grant(
            token_url.into(),
            client_id.into(),
            Grant::Password { username, password },
        )
    }

    fn with_grant(token_url: String, client_id: String, grant: Grant) -> Self {
        OAuth2 {
            token_url,
            client_id,
            grant,
            scope: None,
        }
    }

    /// Asks for `scope`.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }
}

impl TokenSource for OAuth2 {
    fn token_url(&self) -> &str {
        &self.token_url
    }

    fn body(&self) -> TokenBody {
        let mut form = match &self.grant {
            Grant::ClientCredentials { client_secret } => vec![
                ("grant_type", Secret::new("client_credentials")),
                ("client_id", Secret::new(self.client_id.clone())),
                ("client_secret", client_secret.clone()),
            ],
            Grant::Password { username, password } => vec![
                ("grant_type", Secret::new("password")),
                ("username", Secret::new(username.clone())),
                ("password", password.clone()),
                ("client_id", Secret::new(self.client_id.clone())),
            ],
        };
        if let Some(scope) = &self.scope {
            form.push(("scope", Secret::new(scope.clone())));
        }
        TokenBody::Form(form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_parser_reads_oauth_answers_and_keeps_extras() {
        let source = OAuth2::password("https://x", "up42-sdk", "me", "pw");
        let token = source
            .parse(br#"{"access_token":"t","expires_in":300,"scope":"openid"}"#)
            .unwrap();
        assert_eq!(token.access_token.expose(), "t");
        assert_eq!(token.expires_in, Some(Duration::from_secs(300)));
        assert!(source.parse(br#"{"expires_in":300}"#).is_err());
        let answer: OAuthToken =
            serde_json::from_str(r#"{"access_token":"t","scope":"openid"}"#).unwrap();
        assert_eq!(answer.extra["scope"], "openid");
    }

    #[test]
    fn forms_carry_the_grant_and_print_no_secret() {
        let source = OAuth2::password("https://x", "up42-sdk", "me", "pw").scope("openid");
        let TokenBody::Form(form) = source.body() else {
            panic!("a form")
        };
        let names: Vec<&str> = form.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            ["grant_type", "username", "password", "client_id", "scope"]
        );
        assert!(!format!("{source:?} {:?}", source.body()).contains("pw"));
    }
}
