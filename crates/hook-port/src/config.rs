//! Where Port is, who is calling, Port's token exchange, and the `HOOK_PORT_*` variables.

use std::time::Duration;

use hook_http::{Token, TokenBody, TokenSource};
use hook_model::{Error, Secret};

use crate::wire::{TokenAnswer, TokenRequest};

/// Port's EU API host; also `https://api.port.io`, `https://api.us.getport.io` and
/// `https://api.us.port.io`.
pub const DEFAULT_BASE_URL: &str = "https://api.getport.io";

/// The environment variables [`PortConfig::from_vars`] reads.
pub mod env {
    /// The API host, default [`super::DEFAULT_BASE_URL`].
    pub const URL: &str = "HOOK_PORT_URL";
    /// The organization's `clientId` (required).
    pub const CLIENT_ID: &str = "HOOK_PORT_CLIENT_ID";
    /// The organization's `clientSecret` (required).
    pub const CLIENT_SECRET: &str = "HOOK_PORT_CLIENT_SECRET";
    /// Every variable with what it means, for help texts.
    pub const ALL: [(&str, &str); 3] = [
        (URL, "API host, default https://api.getport.io"),
        (CLIENT_ID, "clientId (required)"),
        (CLIENT_SECRET, "clientSecret (required)"),
    ];
}

/// How to reach Port: the API host and the organization's credentials.
///
/// ```
/// use hook_port::PortConfig;
/// let config = PortConfig::new("client-id", "client-secret");
/// assert_eq!(config.base_url, "https://api.getport.io");
/// assert!(!format!("{config:?}").contains("client-secret"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PortConfig {
    /// The API host.
    pub base_url: String,
    /// `clientId`.
    pub client_id: String,
    /// `clientSecret`.
    pub client_secret: Secret,
    /// Timeout, retries and idle connections of the client's transport.
    pub transport: hook_http::Settings,
}

impl PortConfig {
    /// Port's EU host with these credentials.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        PortConfig {
            base_url: DEFAULT_BASE_URL.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            transport: hook_http::Settings::default(),
        }
    }

    hook_model::setters! {
        /// The same, on another API host.
        base_url: into String;
    }

    /// Reads the [`mod@env`] variables through `var`. A missing one is [`Error::Invalid`]
    /// naming the variable.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the `HOOK_*` variable that is missing or
    /// malformed.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let required = |name: &str| {
            var(name).ok_or_else(|| Error::invalid(name, format!("set {name} to use Port")))
        };
        Ok(PortConfig {
            base_url: var(env::URL).unwrap_or_else(|| DEFAULT_BASE_URL.into()),
            client_id: required(env::CLIENT_ID)?,
            client_secret: Secret::new(required(env::CLIENT_SECRET)?),
            transport: hook_http::Settings::default(),
        })
    }

    /// `{base_url}/v1/auth/access_token`.
    pub fn token_url(&self) -> String {
        format!(
            "{}/v1/auth/access_token",
            self.base_url.trim_end_matches('/')
        )
    }
}

/// Port's token exchange: `POST /v1/auth/access_token` with `{"clientId", "clientSecret"}`,
/// answered `{"accessToken", "expiresIn"}`.
#[derive(Debug, Clone)]
pub struct PortToken {
    token_url: String,
    client_id: String,
    client_secret: Secret,
}

impl PortToken {
    /// The exchange `config` calls for.
    pub fn new(config: &PortConfig) -> Self {
        PortToken {
            token_url: config.token_url(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
        }
    }
}

impl TokenSource for PortToken {
    fn token_url(&self) -> &str {
        &self.token_url
    }

    fn body(&self) -> TokenBody {
        let request = TokenRequest {
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
        };
        // Two strings always encode.
        TokenBody::Json(Secret::new(
            serde_json::to_string(&request).unwrap_or_default(),
        ))
    }

    fn parse(&self, body: &[u8]) -> Result<Token, Error> {
        let answer: TokenAnswer = hook_model::decode("Port token answer", body)?;
        Ok(Token::new(
            answer.access_token,
            answer.expires_in.map(Duration::from_secs),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exchange_sends_json_and_reads_camel_case() {
        let source = PortToken::new(&PortConfig::new("id", "cs"));
        let TokenBody::Json(json) = source.body() else {
            panic!("json")
        };
        assert_eq!(json.expose(), r#"{"clientId":"id","clientSecret":"cs"}"#);
        let token = source
            .parse(br#"{"ok":true,"accessToken":"t","expiresIn":3600}"#)
            .unwrap();
        assert_eq!(token.expires_in, Some(Duration::from_secs(3600)));
        assert!(!format!("{source:?}").contains("cs\""));
    }

    #[test]
    fn missing_variables_are_named() {
        let error = PortConfig::from_vars(|name| (name == env::CLIENT_ID).then(|| "id".to_owned()))
            .unwrap_err();
        assert!(matches!(error, Error::Invalid { ref field, .. } if field == env::CLIENT_SECRET));
    }
}
