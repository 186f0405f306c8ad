//! The Redis store (feature `redis`): claims shared by a fleet.

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Script};

use crate::IdempotencyKey;
use crate::store::{
    Claim, ClaimToken, DEFAULT_RETENTION, IdempotencyStore, Result, Settled, StoreError,
};

/// Claim: the key is free, or held (`c:<token>`), or done (`d`). One script, so the read
/// and the write are one atomic step.
const CLAIM: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], 'c:' .. ARGV[1], 'PX', ARGV[2])
  return {1, 0}
end
if v == 'd' then return {2, 0} end
return {3, redis.call('PTTL', KEYS[1])}
";

/// Complete: only the holding token turns the claim into a done record.
const COMPLETE: &str = r"
if redis.call('GET', KEYS[1]) == 'c:' .. ARGV[1] then
  redis.call('SET', KEYS[1], 'd', 'PX', ARGV[2])
  return 1
end
return 0
";

/// Release: only the holding token deletes the claim.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == 'c:' .. ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Claims in Redis, shared by every instance that points at the same server.
///
/// Keys are `{prefix}{idempotency key}` (prefix `hook:idem:` by default), each a string:
/// `c:<token>` while claimed, expiring with the lease (`PX`), then `d` for the retention
/// once completed. Every step is one Lua script, atomic on the server. The connection is
/// made on first use and remade after an outage (redis-rs's connection manager); while
/// the server cannot be reached each call fails within the response timeout, and the layer
/// answers 503.
#[derive(derive_more::Debug)]
pub struct RedisStore {
    // The connection info may hold a password: only where it points.
    #[debug("{}", client.get_connection_info().addr())]
    client: Client,
    #[debug(skip)]
    manager: tokio::sync::OnceCell<ConnectionManager>,
    prefix: String,
    retention: Duration,
    #[debug(skip)]
    timeout: Duration,
    #[debug(skip)]
    scripts: [Script; 3],
}

fn error(message: &str, source: redis::RedisError) -> StoreError {
    StoreError::new("redis", message, source)
}

impl RedisStore {
    /// A store at `url` (`redis://host:port/db`, `rediss://…`, `redis+unix:///path`);
    /// nothing is connected until the first claim. A malformed URL is an error here.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when `url` is not a Redis URL.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        // The URL may hold a password: the error does not echo it.
        let client = Client::open(url).map_err(|_| {
            StoreError::message(
                "redis",
                "not a Redis URL: expected redis://host:port/db, rediss://… or redis+unix:///path",
            )
        })?;
        Ok(RedisStore {
            client,
            manager: tokio::sync::OnceCell::new(),
            prefix: "hook:idem:".into(),
            retention: DEFAULT_RETENTION,
            timeout: Duration::from_secs(2),
            scripts: [
                Script::new(CLAIM),
                Script::new(COMPLETE),
                Script::new(RELEASE),
            ],
        })
    }

    /// Prefixes every Redis key with `prefix` (default `hook:idem:`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Remembers a completed key for `retention` (default 7 days; at least 1 ms).
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention.max(Duration::from_millis(1));
        self
    }

    /// How long one command may take, connecting included, before the store counts as
    /// unreachable (default 2 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn connection(&self) -> Result<ConnectionManager, StoreError> {
        let manager = self
            .manager
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(self.timeout))
                    .set_response_timeout(Some(self.timeout))
                    .set_number_of_retries(1);
                ConnectionManager::new_lazy_with_config(self.client.clone(), config)
                    .map_err(|e| error("cannot set up the connection", e))
            })
            .await?;
        Ok(manager.clone())
    }

    fn key(&self, key: &IdempotencyKey) -> String {
        format!("{}{}", self.prefix, key.as_str())
    }

    /// Runs COMPLETE or RELEASE: applied only when the key holds this token's claim.
    async fn settle(
        &self,
        script: &Script,
        key: &IdempotencyKey,
        token: &ClaimToken,
        retention_ms: u64,
        what: &str,
    ) -> Result<Settled, StoreError> {
        let mut connection = self.connection().await?;
        let applied: i64 = script
            .key(self.key(key))
            .arg(token.as_str())
            .arg(retention_ms)
            .invoke_async(&mut connection)
            .await
            .map_err(|e| error(&format!("{what} failed"), e))?;
        Ok(if applied == 1 {
            Settled::Applied
        } else {
            Settled::Lost
        })
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

#[async_trait]
impl IdempotencyStore for RedisStore {
    async fn claim(&self, key: &IdempotencyKey, lease: Duration) -> Result<Claim> {
        let mut connection = self.connection().await?;
        let token = ClaimToken::generate();
        let (outcome, ttl): (i64, i64) = self.scripts[0]
            .key(self.key(key))
            .arg(token.as_str())
            .arg(millis(lease))
            .invoke_async(&mut connection)
            .await
            .map_err(|e| error("claim failed", e))?;
        Ok(match outcome {
            1 => Claim::Acquired(token),
            2 => Claim::Done,
            _ => Claim::InFlight {
                expires_in: u64::try_from(ttl).ok().map(Duration::from_millis),
            },
        })
    }

    async fn complete(&self, key: &IdempotencyKey, token: &ClaimToken) -> Result<Settled> {
        self.settle(
            &self.scripts[1],
            key,
            token,
            millis(self.retention),
            "complete",
        )
        .await
    }

    async fn release(&self, key: &IdempotencyKey, token: &ClaimToken) -> Result<Settled> {
        // RELEASE reads no retention; the argument is passed and ignored.
        self.settle(&self.scripts[2], key, token, 0, "release")
            .await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_names_where_it_points_without_the_password() {
        let store = super::RedisStore::connect("redis://app:hunter2@127.0.0.1:6390/2").unwrap();
        let shown = format!("{store:?}");
        assert!(
            shown.contains("127.0.0.1:6390") && !shown.contains("hunter2"),
            "{shown}"
        );
    }
}
