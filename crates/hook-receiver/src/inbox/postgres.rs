//! The inbox a fleet shares (feature `postgres`): one table, each delivery handed to one
//! worker of the fleet at a time.

use std::time::Duration;

use async_trait::async_trait;
use tokio_postgres::Row;

use super::{
    Attempt, Delivery, Filter, InboxError, InboxStore, LeaseToken, Leased, NewDelivery, Next,
    Result, Settled, Status, Stored, Which, push_history, to_i64, to_u64,
};
use crate::postgres::pool;

/// The table the inbox keeps its deliveries in, created by [`PostgresInbox::migrate`]
/// (safe to run on every start). Run it yourself where the receiver's role may not create
/// tables. Times are the database server's clock: one clock for the fleet.
pub const MIGRATION: &str = "CREATE TABLE IF NOT EXISTS hook_inbox (
    id bigserial PRIMARY KEY,
    key text NOT NULL UNIQUE,
    provider text NOT NULL,
    event_type text,
    method text NOT NULL,
    path text NOT NULL,
    headers jsonb NOT NULL,
    body bytea NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    status text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    due_at timestamptz NOT NULL DEFAULT now(),
    lease_token text,
    last_error text,
    history jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS hook_inbox_due ON hook_inbox (due_at, id)
    WHERE status IN ('pending', 'working');
CREATE INDEX IF NOT EXISTS hook_inbox_received ON hook_inbox (received_at)";

const COLUMNS: &str = "id, key, provider, event_type, method, path, headers::text, body,
    (extract(epoch FROM received_at) * 1000)::int8, status, attempts,
    (extract(epoch FROM due_at) * 1000)::int8, last_error, history::text";

/// Deliveries in a PostgreSQL table ([`MIGRATION`]), shared by every instance that points
/// at the same database. A delivery is taken with `FOR UPDATE SKIP LOCKED`, so workers of
/// the fleet never wait for each other and never take one delivery twice while its lease
/// runs.
///
/// Each stored delivery is a commit that waits for the WAL to reach the disk (PostgreSQL's
/// default): unlike an idempotency claim, an acknowledged delivery must survive a
/// database crash, so do not turn `synchronous_commit` off for the inbox.
#[derive(derive_more::Debug)]
pub struct PostgresInbox {
    #[debug(skip)]
    pool: deadpool_postgres::Pool,
    /// Where it points (host and database, no password), for `Debug`.
    #[allow(dead_code)] // a derived Debug does not count as a read
    target: String,
}

fn error(message: &str, source: impl std::error::Error + Send + Sync + 'static) -> InboxError {
    InboxError::unavailable("postgres", message, source)
}

fn decode(row: &Row) -> Result<Delivery, InboxError> {
    let odd = |e| error("a stored delivery could not be read", e);
    let headers: String = row.try_get(6).map_err(odd)?;
    let status: String = row.try_get(9).map_err(odd)?;
    let history: String = row.try_get(13).map_err(odd)?;
    let json = |e| error("a stored delivery's JSON could not be read", e);
    Ok(Delivery {
        id: to_u64(row.try_get(0).map_err(odd)?),
        request: NewDelivery {
            key: row.try_get(1).map_err(odd)?,
            provider: row.try_get(2).map_err(odd)?,
            event_type: row.try_get(3).map_err(odd)?,
            method: row.try_get(4).map_err(odd)?,
            path: row.try_get(5).map_err(odd)?,
            headers: serde_json::from_str(&headers).map_err(json)?,
            body: row.try_get(7).map_err(odd)?,
        },
        received_ms: to_u64(row.try_get(8).map_err(odd)?),
        status: status
            .parse()
            .map_err(|e: String| error("a stored status", std::io::Error::other(e)))?,
        attempts: u32::try_from(row.try_get::<_, i32>(10).map_err(odd)?).unwrap_or(0),
        due_ms: to_u64(row.try_get(11).map_err(odd)?),
        last_error: row.try_get(12).map_err(odd)?,
        history: serde_json::from_str(&history).map_err(json)?,
    })
}

impl PostgresInbox {
    /// An inbox in the database `conninfo` names (as
    /// [`PostgresStore::connect`](crate::PostgresStore::connect) reads it). Nothing connects until the first call; a malformed string is an error here.
    ///
    /// # Errors
    ///
    /// [`InboxError::Unavailable`] when `conninfo` cannot be parsed into a pool.
    pub fn connect(conninfo: &str) -> Result<Self, InboxError> {
        let (pool, target) = pool(conninfo, 16).map_err(|e| InboxError::Unavailable {
            store: "postgres",
            message: e.message,
            source: e.source,
        })?;
        Ok(PostgresInbox { pool, target })
    }

    /// Creates the table ([`MIGRATION`]) unless it exists.
    ///
    /// # Errors
    ///
    /// [`InboxError::Unavailable`] when the database cannot be reached or the table cannot be
    /// made.
    pub async fn migrate(&self) -> Result<(), InboxError> {
        self.client()
            .await?
            .batch_execute(MIGRATION)
            .await
            .map_err(|e| error("the migration failed", e))
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, InboxError> {
        crate::postgres::connection(&self.pool, error).await
    }
}

#[async_trait]
impl InboxStore for PostgresInbox {
    async fn put(&self, new: NewDelivery) -> Result<Stored> {
        let headers = serde_json::to_string(&new.headers)
            .map_err(|e| error("cannot encode the headers", e))?;
        let client = self.client().await?;
        let insert = client
            .prepare_cached(
                "INSERT INTO hook_inbox (key, provider, event_type, method, path, headers, body)
                 VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7)
                 ON CONFLICT (key) DO NOTHING RETURNING id",
            )
            .await
            .map_err(|e| error("cannot prepare the insert (run PostgresInbox::migrate)", e))?;
        let row = client
            .query_opt(
                &insert,
                &[
                    &new.key,
                    &new.provider,
                    &new.event_type,
                    &new.method,
                    &new.path,
                    &headers,
                    &new.body,
                ],
            )
            .await
            .map_err(|e| error("storing a delivery failed", e))?;
        if let Some(row) = row {
            let id: i64 = row
                .try_get(0)
                .map_err(|e| error("the insert answered oddly", e))?;
            return Ok(Stored::New(to_u64(id)));
        }
        let row = client
            .query_one("SELECT id FROM hook_inbox WHERE key = $1", &[&new.key])
            .await
            .map_err(|e| error("reading a stored delivery failed", e))?;
        let id: i64 = row
            .try_get(0)
            .map_err(|e| error("the select answered oddly", e))?;
        Ok(Stored::Duplicate(to_u64(id)))
    }

    async fn take(&self, lease: Duration) -> Result<Option<Leased>> {
        let client = self.client().await?;
        let token = LeaseToken::generate();
        let sql = format!(
            "UPDATE hook_inbox SET status = 'working', lease_token = $1,
                 due_at = now() + make_interval(secs => $2)
             WHERE id = (SELECT id FROM hook_inbox
                         WHERE status IN ('pending', 'working') AND due_at <= now()
                         ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
             RETURNING {COLUMNS}"
        );
        let statement = client
            .prepare_cached(&sql)
            .await
            .map_err(|e| error("cannot prepare the take", e))?;
        let row = client
            .query_opt(&statement, &[&token.as_str(), &lease.as_secs_f64()])
            .await
            .map_err(|e| error("handing out a delivery failed", e))?;
        row.map(|row| {
            Ok(Leased {
                delivery: decode(&row)?,
                token,
            })
        })
        .transpose()
    }

    async fn settle(&self, held: &Leased, attempt: Attempt, next: Next) -> Result<Settled> {
        let (id, token) = (held.delivery.id, &held.token);
        let mut client = self.client().await?;
        let failed = |e| error("recording an attempt failed", e);
        let txn = client.transaction().await.map_err(failed)?;
        let held = txn
            .query_opt(
                "SELECT history::text FROM hook_inbox
                 WHERE id = $1 AND status = 'working' AND lease_token = $2 FOR UPDATE",
                &[&to_i64(id), &token.as_str()],
            )
            .await
            .map_err(failed)?;
        let Some(row) = held else {
            return Ok(Settled::Lost);
        };
        let history: String = row.try_get(0).map_err(failed)?;
        let mut history: Vec<Attempt> = serde_json::from_str(&history)
            .map_err(|e| error("a stored delivery's history could not be read", e))?;
        let last_error = (!attempt.ok).then(|| attempt.detail.clone());
        push_history(&mut history, attempt);
        let history =
            serde_json::to_string(&history).map_err(|e| error("cannot encode the history", e))?;
        let (status, after) = match next {
            Next::Done => (Status::Done, 0.0),
            Next::Retry(after) => (Status::Pending, after.as_secs_f64()),
            Next::Dead => (Status::Dead, 0.0),
        };
        txn.execute(
            "UPDATE hook_inbox SET status = $2, due_at = now() + make_interval(secs => $3),
                 lease_token = NULL, attempts = attempts + 1,
                 last_error = coalesce($4, last_error), history = $5::text::jsonb
             WHERE id = $1",
            &[&to_i64(id), &status.as_str(), &after, &last_error, &history],
        )
        .await
        .map_err(failed)?;
        txn.commit().await.map_err(failed)?;
        Ok(Settled::Applied)
    }

    async fn next_due(&self) -> Result<Option<Duration>> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT extract(epoch FROM min(due_at) - now())::float8 FROM hook_inbox
                 WHERE status IN ('pending', 'working')",
                &[],
            )
            .await
            .map_err(|e| error("reading the queue failed", e))?;
        let seconds: Option<f64> = row
            .try_get(0)
            .map_err(|e| error("the queue answered oddly", e))?;
        Ok(seconds.map(|s| Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::ZERO)))
    }

    async fn list(&self, filter: &Filter) -> Result<Vec<Delivery>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM hook_inbox
             WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR provider = $2)
               AND ($3::text IS NULL OR event_type = $3)
               AND ($4::int8 IS NULL OR received_at >= to_timestamp($4::int8 / 1000.0))
             ORDER BY id DESC LIMIT $5"
        );
        let rows = client
            .query(
                &sql,
                &[
                    &filter.status.map(Status::as_str),
                    &filter.provider,
                    &filter.event_type,
                    &filter.since_ms.map(to_i64),
                    &to_i64(filter.limit as u64),
                ],
            )
            .await
            .map_err(|e| error("listing deliveries failed", e))?;
        rows.iter().map(decode).collect()
    }

    async fn get(&self, id: u64) -> Result<Option<Delivery>> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!("SELECT {COLUMNS} FROM hook_inbox WHERE id = $1"),
                &[&to_i64(id)],
            )
            .await
            .map_err(|e| error("reading a delivery failed", e))?;
        row.as_ref().map(decode).transpose()
    }

    async fn retry(&self, which: Which) -> Result<u64> {
        let client = self.client().await?;
        let set = "UPDATE hook_inbox SET status = 'pending', due_at = now(), attempts = 0,
                       lease_token = NULL WHERE status <> 'working'";
        let changed = match which {
            Which::Id(id) => {
                client
                    .execute(&format!("{set} AND id = $1"), &[&to_i64(id)])
                    .await
            }
            Which::Dead => {
                client
                    .execute(&format!("{set} AND status = 'dead'"), &[])
                    .await
            }
            Which::Since(since) => {
                client
                    .execute(
                        &format!("{set} AND received_at >= to_timestamp($1::int8 / 1000.0)"),
                        &[&to_i64(since)],
                    )
                    .await
            }
        };
        changed.map_err(|e| error("retrying deliveries failed", e))
    }

    async fn purge(&self, before_ms: u64) -> Result<u64> {
        let client = self.client().await?;
        client
            .execute(
                "DELETE FROM hook_inbox WHERE status IN ('done', 'dead')
                 AND received_at < to_timestamp($1::int8 / 1000.0)",
                &[&to_i64(before_ms)],
            )
            .await
            .map_err(|e| error("purging deliveries failed", e))
    }
}
