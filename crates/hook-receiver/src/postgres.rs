//! The PostgreSQL store (feature `postgres`): claims shared by a fleet.

use std::str::FromStr as _;
use std::time::Duration;

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

use crate::IdempotencyKey;
use crate::store::{
    Claim, ClaimToken, DEFAULT_RETENTION, IdempotencyStore, Result, Settled, StoreError,
};

/// The table the store keeps its claims in, created by [`PostgresStore::migrate`] (safe to
/// run on every start: it creates nothing that exists). Run it yourself where the
/// receiver's role may not create tables.
///
/// - `key`: the idempotency key;
/// - `token`: the holding claim's token, `NULL` once the key is done;
/// - `expires_at`: when the claim's lease ends, or the done record's retention.
///
/// A row whose `expires_at` has passed counts as absent; [`PostgresStore::purge_expired`]
/// deletes such rows.
pub const MIGRATION: &str = "CREATE TABLE IF NOT EXISTS hook_idempotency (
    key text PRIMARY KEY,
    token text,
    expires_at timestamptz NOT NULL
)";

/// One round trip: insert the claim, or take over a row whose time has passed; otherwise
/// report the row as the statement's snapshot saw it. A row the snapshot does not show
/// (claimed by a concurrent transaction) or shows expired reads as in flight: never done
/// unless the snapshot shows it done and current.
const CLAIM: &str = "WITH claimed AS (
    INSERT INTO hook_idempotency AS t (key, token, expires_at)
    VALUES ($1, $2, now() + make_interval(secs => $3))
    ON CONFLICT (key) DO UPDATE SET token = EXCLUDED.token, expires_at = EXCLUDED.expires_at
        WHERE t.expires_at <= now()
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM claimed),
       (SELECT token IS NULL AND expires_at > now() FROM hook_idempotency WHERE key = $1),
       (SELECT extract(epoch FROM expires_at - now())::float8 FROM hook_idempotency WHERE key = $1)";

const COMPLETE: &str = "UPDATE hook_idempotency
    SET token = NULL, expires_at = now() + make_interval(secs => $3)
    WHERE key = $1 AND token = $2 AND expires_at > now()";

const RELEASE: &str =
    "DELETE FROM hook_idempotency WHERE key = $1 AND token = $2 AND expires_at > now()";

const PURGE: &str = "DELETE FROM hook_idempotency WHERE expires_at <= now()";

/// Claims in a PostgreSQL table ([`MIGRATION`]), shared by every instance that points at
/// the same database.
///
/// Connections come from a pool (deadpool) of at most 16 by default; a connection the
/// server dropped is replaced on the next call, so the store recovers by itself after an
/// outage. Times are the database server's clock (`now()`), one clock for the fleet.
///
/// Every claim and every completion is a commit. With PostgreSQL's defaults each waits
/// for its WAL to reach the disk; `options='-c synchronous_commit=off'` in the connection
/// string acknowledges it before (BENCHMARKS.md measures both). That is safe here: a
/// database crash then forgets at most the last moments' claims and completions, which
/// lets a retry run the handler again; it never acknowledges an event nobody handled.
#[derive(derive_more::Debug)]
pub struct PostgresStore {
    #[debug(skip)]
    pool: Pool,
    retention: Duration,
    /// Where it points (host and database, no password), for `Debug`.
    #[allow(dead_code)] // a derived Debug does not count as a read
    target: String,
}

/// A pool of at most `connections` connections to `conninfo`, each call waiting at most
/// 5 s for one, and the target as shown in `Debug` (host and database, never a password).
pub(crate) fn pool(conninfo: &str, connections: usize) -> Result<(Pool, String), StoreError> {
    // The string may hold a password: the error does not echo it.
    let mut config = tokio_postgres::Config::from_str(conninfo).map_err(|_| {
        StoreError::message(
            "postgres",
            "not a PostgreSQL connection string: expected postgres://user@host/db or host=… dbname=…",
        )
    })?;
    let timeout = Duration::from_secs(5);
    config.connect_timeout(timeout);
    let target = format!(
        "{:?} {:?}",
        config.get_hosts().first(),
        config.get_dbname().unwrap_or("")
    );
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let pool = Pool::builder(manager)
        .max_size(connections.max(1))
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(timeout))
        .create_timeout(Some(timeout))
        .recycle_timeout(Some(timeout))
        .build()
        .map_err(|e| error("cannot build the connection pool", e))?;
    Ok((pool, target))
}

/// A connection from `pool` (waiting at most the pool's 5 s), or `error`'s account of why
/// none came: the store and the inbox say it in their own error types.
pub(crate) async fn connection<E>(
    pool: &Pool,
    error: fn(&str, deadpool_postgres::PoolError) -> E,
) -> Result<deadpool_postgres::Object, E> {
    pool.get()
        .await
        .map_err(|e| error("no connection to the database", e))
}

fn error(message: &str, source: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::new("postgres", message, source)
}

impl PostgresStore {
    /// A store for the database `conninfo` names: a URL (`postgres://user@host:5432/db`)
    /// or key-value pairs (`host=/var/run/postgresql dbname=app user=app`, a directory as
    /// `host` meaning its unix socket). Nothing connects until the first call; a malformed
    /// string is an error here. At most 16 connections, each call waiting at most 5 s for
    /// one.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when `conninfo` cannot be parsed into a pool.
    pub fn connect(conninfo: &str) -> Result<Self, StoreError> {
        PostgresStore::with_pool_size(conninfo, 16)
    }

    /// The same with at most `connections` connections (at least 1).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when `conninfo` cannot be parsed into a pool.
    pub fn with_pool_size(conninfo: &str, connections: usize) -> Result<Self, StoreError> {
        let (pool, target) = pool(conninfo, connections)?;
        Ok(PostgresStore {
            pool,
            retention: DEFAULT_RETENTION,
            target,
        })
    }

    /// Remembers a completed key for `retention` (default 7 days).
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Creates the table ([`MIGRATION`]) unless it exists.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database cannot be reached or the table cannot be made.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .batch_execute(MIGRATION)
            .await
            .map_err(|e| error("the migration failed", e))
    }

    /// Deletes the rows whose lease or retention has passed; how many.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the database cannot be reached.
    pub async fn purge_expired(&self) -> Result<u64, StoreError> {
        let client = self.client().await?;
        client
            .execute(PURGE, &[])
            .await
            .map_err(|e| error("purging expired keys failed", e))
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        connection(&self.pool, error).await
    }

    async fn settle(
        &self,
        sql: &str,
        key: &IdempotencyKey,
        token: &ClaimToken,
        retention: Option<f64>,
    ) -> Result<Settled, StoreError> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(sql)
            .await
            .map_err(|e| error("cannot prepare a statement", e))?;
        let rows = match retention {
            Some(seconds) => {
                client
                    .execute(&statement, &[&key.as_str(), &token.as_str(), &seconds])
                    .await
            }
            None => {
                client
                    .execute(&statement, &[&key.as_str(), &token.as_str()])
                    .await
            }
        }
        .map_err(|e| error("settling a claim failed", e))?;
        Ok(if rows == 1 {
            Settled::Applied
        } else {
            Settled::Lost
        })
    }
}

#[async_trait]
impl IdempotencyStore for PostgresStore {
    async fn claim(&self, key: &IdempotencyKey, lease: Duration) -> Result<Claim> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(CLAIM)
            .await
            .map_err(|e| error("cannot prepare the claim (run PostgresStore::migrate)", e))?;
        let token = ClaimToken::generate();
        let row = client
            .query_one(
                &statement,
                &[&key.as_str(), &token.as_str(), &lease.as_secs_f64()],
            )
            .await
            .map_err(|e| error("claim failed", e))?;
        let won: bool = row
            .try_get(0)
            .map_err(|e| error("claim answered oddly", e))?;
        let done: Option<bool> = row
            .try_get(1)
            .map_err(|e| error("claim answered oddly", e))?;
        let left: Option<f64> = row
            .try_get(2)
            .map_err(|e| error("claim answered oddly", e))?;
        Ok(if won {
            Claim::Acquired(token)
        } else if done == Some(true) {
            Claim::Done
        } else {
            Claim::InFlight {
                expires_in: left
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .and_then(|s| Duration::try_from_secs_f64(s).ok()),
            }
        })
    }

    async fn complete(&self, key: &IdempotencyKey, token: &ClaimToken) -> Result<Settled> {
        let seconds = self.retention.as_secs_f64();
        self.settle(COMPLETE, key, token, Some(seconds)).await
    }

    async fn release(&self, key: &IdempotencyKey, token: &ClaimToken) -> Result<Settled> {
        self.settle(RELEASE, key, token, None).await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_names_where_it_points_without_the_password() {
        let store =
            super::PostgresStore::connect("postgres://app:hunter2@127.0.0.1:5999/hooks").unwrap();
        let shown = format!("{store:?}");
        assert!(
            shown.contains("hooks") && !shown.contains("hunter2"),
            "{shown}"
        );
    }
}
