//! The embedded inbox (feature `sqlite`): one SQLite file on local disk.
//!
//! Why SQLite (rusqlite with its bundled library) and not redb, which the emulator uses:
//! an inbox is read and changed by more than the process that fills it. `hook inbox list`,
//! `retry` and `purge` run while `hook listen --inbox` is running; SQLite in WAL mode lets
//! several processes read and write one file safely (writers take turns under a busy
//! timeout), where redb locks its file to one process. SQLite also marks its files with an
//! application id, so a foreign database is refused before anything is changed.
//!
//! Every change goes through one writer thread that commits the changes queued meanwhile
//! as one transaction (a group commit, one `fsync` of the WAL for a burst), each change in
//! a savepoint of its own so one failing change fails alone.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::{Connection, ErrorCode, OptionalExtension as _, Row, params};
use tokio::sync::oneshot;

use super::{
    Attempt, Delivery, Filter, InboxError, InboxStore, LeaseToken, Leased, NewDelivery, Next,
    Result, Settled, Status, Stored, Which, millis, now_ms, push_history, to_i64, to_u64,
};

/// SQLite's `application_id` of a hook inbox: "hook" in ASCII.
const APPLICATION_ID: i64 = 0x686F_6F6B;
/// The schema's version, in `user_version`.
const VERSION: i64 = 1;
/// The most changes committed as one transaction.
const GROUP: usize = 256;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    provider TEXT NOT NULL,
    event_type TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    received_ms INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    due_ms INTEGER NOT NULL,
    lease_token TEXT,
    last_error TEXT,
    history TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (due_ms, id)
    WHERE status IN ('pending', 'working');
CREATE INDEX IF NOT EXISTS deliveries_received ON deliveries (received_ms);";

const COLUMNS: &str = "id, key, provider, event_type, method, path, headers, body, received_ms, \
    status, attempts, due_ms, last_error, history";

type Reply = Box<dyn FnOnce(Result<(), InboxError>) + Send>;
/// A change: run in a savepoint; `true` when it succeeded (its savepoint kept), and the
/// reply to send once the transaction is committed (or failed). A job dropped unrun (the
/// transaction could not start) answers its caller with an error through its dropped
/// channel.
type Job = Box<dyn FnOnce(&Connection) -> (bool, Reply) + Send>;

/// Deliveries in one SQLite file; see the module docs of [`crate::inbox`].
#[derive(derive_more::Debug)]
pub struct SqliteInbox {
    #[debug(skip)]
    jobs: mpsc::Sender<Job>,
    path: PathBuf,
    #[debug(skip)]
    max_bytes: Option<u64>,
}

/// `message`, saying so when `error` is a full disk or size limit.
fn worded(message: &str, error: &rusqlite::Error) -> String {
    if error.sqlite_error_code() == Some(ErrorCode::DiskFull) {
        format!("{message}: the inbox file is full (the disk, or its size limit)")
    } else {
        message.to_owned()
    }
}

fn unavailable(message: &str, error: rusqlite::Error) -> InboxError {
    InboxError::unavailable("sqlite", worded(message, &error), error)
}

impl SqliteInbox {
    /// Opens the inbox at `path`, creating it if there is no file there. A file that is
    /// not a hook inbox (another program's database, or not a database) is refused with
    /// [`InboxError::NotAnInbox`], unchanged.
    ///
    /// # Errors
    ///
    /// [`InboxError::Unavailable`] when the file cannot be opened or created;
    /// [`InboxError::NotAnInbox`] naming it when it is another program's database or not a
    /// database at all.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, InboxError> {
        SqliteInbox::open_sized(path, None)
    }

    /// The same, the deliveries kept taking at most about `max_bytes`: past that, storing
    /// answers [`InboxError::Unavailable`] (the endpoint's 503) until handled deliveries
    /// are purged. Only storing is refused: what is stored is still handed out, handled
    /// and purged.
    ///
    /// # Errors
    ///
    /// As [`SqliteInbox::open`].
    pub fn open_sized(path: impl AsRef<Path>, max_bytes: Option<u64>) -> Result<Self, InboxError> {
        let path = path.as_ref().to_path_buf();
        let conn = open_connection(&path)?;
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("hook-inbox-sqlite".into())
            .spawn(move || write_loop(&conn, &queue))
            .map_err(|e| {
                InboxError::unavailable("sqlite", "cannot start the inbox's writer thread", e)
            })?;
        Ok(SqliteInbox {
            jobs,
            path,
            max_bytes,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` in the writer thread, in the next group commit; its value once committed.
    async fn call<R: Send + 'static>(
        &self,
        what: &'static str,
        work: impl FnOnce(&Connection) -> Result<R, rusqlite::Error> + Send + 'static,
    ) -> Result<R, InboxError> {
        let (done, answer) = oneshot::channel::<Result<R, InboxError>>();
        let job: Job = Box::new(move |conn| match work(conn) {
            Ok(value) => (
                true,
                Box::new(move |committed: Result<(), InboxError>| {
                    let _ = done.send(committed.map(|()| value));
                }),
            ),
            Err(error) => (
                false,
                Box::new(move |_| {
                    let _ = done.send(Err(unavailable(what, error)));
                }),
            ),
        });
        if self.jobs.send(job).is_err() {
            return Err(InboxError::message(
                "sqlite",
                format!("{what}: the inbox's writer thread has stopped"),
            ));
        }
        answer.await.unwrap_or_else(|_| {
            Err(InboxError::message(
                "sqlite",
                format!("{what}: the inbox could not start a transaction (see the log)"),
            ))
        })
    }
}

fn not_an_inbox(path: &Path, reason: impl Into<String>) -> InboxError {
    InboxError::NotAnInbox {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

fn open_connection(path: &Path) -> Result<Connection, InboxError> {
    let conn = Connection::open(path).map_err(|e| {
        InboxError::unavailable("sqlite", format!("cannot open {}", path.display()), e)
    })?;
    let refused = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
            not_an_inbox(path, format!("{e} (move it away, or use another path)"))
        }
        _ => InboxError::unavailable("sqlite", format!("cannot read {}", path.display()), e),
    };
    conn.busy_timeout(Duration::from_secs(5)).map_err(refused)?;
    let application: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(refused)?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(refused)?;
    if application != APPLICATION_ID && (application != 0 || tables > 0) {
        return Err(not_an_inbox(
            path,
            format!(
                "it is another program's SQLite database (application id {application:#x}, {tables} schema objects); use another path"
            ),
        ));
    }
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(refused)?;
    if version > VERSION {
        return Err(not_an_inbox(
            path,
            format!("it was written by a newer hook (schema {version}; this one reads {VERSION})"),
        ));
    }
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(refused)?;
    // FULL: each commit reaches the disk before the answer (WAL's NORMAL could lose the
    // last commits on a power cut, which would lose acknowledged deliveries).
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(refused)?;
    conn.execute_batch(SCHEMA).map_err(refused)?;
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(refused)?;
    conn.pragma_update(None, "user_version", VERSION)
        .map_err(refused)?;
    Ok(conn)
}

/// Runs queued jobs, those queued together in one transaction.
fn write_loop(conn: &Connection, queue: &mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut jobs = vec![first];
        while jobs.len() < GROUP {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        if let Err(error) = conn.execute_batch("BEGIN IMMEDIATE") {
            tracing::warn!(%error, "the inbox cannot start a transaction");
            continue; // the jobs are dropped: each caller is answered with an error
        }
        let mut replies: Vec<(bool, Reply)> = Vec::with_capacity(jobs.len());
        let mut broken = None;
        for job in jobs {
            if broken.is_some() {
                continue; // dropped unrun: answered with an error
            }
            if let Err(error) = conn.execute_batch("SAVEPOINT job") {
                broken = Some(error);
                continue;
            }
            let (ok, reply) = job(conn);
            let end = if ok {
                "RELEASE job"
            } else {
                "ROLLBACK TO job; RELEASE job"
            };
            if let Err(error) = conn.execute_batch(end) {
                broken = Some(error);
            }
            replies.push((ok, reply));
        }
        let committed = match broken {
            Some(error) => Err(error),
            None => conn.execute_batch("COMMIT"),
        };
        let committed = committed.map_err(|error| {
            let _ = conn.execute_batch("ROLLBACK");
            tracing::warn!(%error, "an inbox transaction failed");
            error
        });
        for (ok, reply) in replies {
            reply(match (&committed, ok) {
                (Ok(()), _) | (_, false) => Ok(()),
                // One error, many callers: each gets its words (rusqlite's errors are
                // not Clone).
                (Err(error), true) => Err(InboxError::message(
                    "sqlite",
                    format!("{}: {error}", worded("the commit failed", error)),
                )),
            });
        }
    }
}

fn text_error(
    column: usize,
    error: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(error))
}

/// A row of [`COLUMNS`] as a delivery.
fn delivery(row: &Row<'_>) -> Result<Delivery, rusqlite::Error> {
    let headers: String = row.get(6)?;
    let status: String = row.get(9)?;
    let history: String = row.get(13)?;
    Ok(Delivery {
        id: to_u64(row.get(0)?),
        request: NewDelivery {
            key: row.get(1)?,
            provider: row.get(2)?,
            event_type: row.get(3)?,
            method: row.get(4)?,
            path: row.get(5)?,
            headers: serde_json::from_str(&headers).map_err(|e| text_error(6, e))?,
            body: row.get(7)?,
        },
        received_ms: to_u64(row.get(8)?),
        status: status
            .parse()
            .map_err(|e: String| text_error(9, std::io::Error::other(e)))?,
        attempts: u32::try_from(row.get::<_, i64>(10)?).unwrap_or(u32::MAX),
        due_ms: to_u64(row.get(11)?),
        last_error: row.get(12)?,
        history: serde_json::from_str(&history).map_err(|e| text_error(13, e))?,
    })
}

#[async_trait]
impl InboxStore for SqliteInbox {
    async fn put(&self, new: NewDelivery) -> Result<Stored> {
        let headers = serde_json::to_string(&new.headers)
            .map_err(|e| InboxError::unavailable("sqlite", "cannot encode the headers", e))?;
        let max_bytes = self.max_bytes;
        self.call("storing a delivery", move |conn| {
            if let Some(max) = max_bytes {
                let used: i64 = conn
                    .prepare_cached(
                        "SELECT (page_count - freelist_count) * page_size
                         FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()",
                    )?
                    .query_row([], |r| r.get(0))?;
                let after = to_u64(used).saturating_add(new.body.len() as u64);
                if after > max {
                    return Err(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                        Some(format!("the inbox holds its limit of {max} bytes")),
                    ));
                }
            }
            let now = to_i64(now_ms());
            let inserted = conn
                .prepare_cached(
                    "INSERT INTO deliveries (key, provider, event_type, method, path, headers, body, received_ms, status, due_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?8)
                     ON CONFLICT (key) DO NOTHING",
                )?
                .execute(params![
                    new.key,
                    new.provider,
                    new.event_type,
                    new.method,
                    new.path,
                    headers,
                    new.body,
                    now
                ])?;
            if inserted == 1 {
                return Ok(Stored::New(to_u64(conn.last_insert_rowid())));
            }
            let id: i64 = conn
                .prepare_cached("SELECT id FROM deliveries WHERE key = ?1")?
                .query_row([&new.key], |r| r.get(0))?;
            Ok(Stored::Duplicate(to_u64(id)))
        })
        .await
    }

    async fn take(&self, lease: Duration) -> Result<Option<Leased>> {
        let token = LeaseToken::generate();
        let text = token.as_str().to_owned();
        let delivery = self
            .call("handing out a delivery", move |conn| {
                let now = now_ms();
                let until = to_i64(now.saturating_add(millis(lease)));
                conn.prepare_cached(&format!(
                    "UPDATE deliveries SET status = 'working', due_ms = ?1, lease_token = ?2
                     WHERE id = (SELECT id FROM deliveries
                                 WHERE status IN ('pending', 'working') AND due_ms <= ?3
                                 ORDER BY due_ms, id LIMIT 1)
                     RETURNING {COLUMNS}"
                ))?
                .query_row(params![until, text, to_i64(now)], delivery)
                .optional()
            })
            .await?;
        Ok(delivery.map(|delivery| Leased { delivery, token }))
    }

    async fn settle(&self, held: &Leased, attempt: Attempt, next: Next) -> Result<Settled> {
        let (id, token) = (held.delivery.id, &held.token);
        let token = token.as_str().to_owned();
        self.call("recording an attempt", move |conn| {
            let held: Option<String> = conn
                .prepare_cached(
                    "SELECT history FROM deliveries
                     WHERE id = ?1 AND status = 'working' AND lease_token = ?2",
                )?
                .query_row(params![to_i64(id), token], |r| r.get(0))
                .optional()?;
            let Some(history) = held else {
                return Ok(Settled::Lost);
            };
            let mut history: Vec<Attempt> =
                serde_json::from_str(&history).map_err(|e| text_error(0, e))?;
            let error = (!attempt.ok).then(|| attempt.detail.clone());
            push_history(&mut history, attempt);
            let history = serde_json::to_string(&history).map_err(|e| text_error(0, e))?;
            let now = now_ms();
            let (status, due) = match next {
                Next::Done => (Status::Done, now),
                Next::Retry(after) => (Status::Pending, now.saturating_add(millis(after))),
                Next::Dead => (Status::Dead, now),
            };
            conn.prepare_cached(
                "UPDATE deliveries SET status = ?2, due_ms = ?3, lease_token = NULL,
                    attempts = attempts + 1, last_error = coalesce(?4, last_error), history = ?5
                 WHERE id = ?1",
            )?
            .execute(params![
                to_i64(id),
                status.as_str(),
                to_i64(due),
                error,
                history
            ])?;
            Ok(Settled::Applied)
        })
        .await
    }

    async fn next_due(&self) -> Result<Option<Duration>> {
        self.call("reading the queue", |conn| {
            let due: Option<i64> = conn
                .prepare_cached(
                    "SELECT min(due_ms) FROM deliveries WHERE status IN ('pending', 'working')",
                )?
                .query_row([], |r| r.get(0))?;
            Ok(due.map(|due| Duration::from_millis(to_u64(due).saturating_sub(now_ms()))))
        })
        .await
    }

    async fn list(&self, filter: &Filter) -> Result<Vec<Delivery>> {
        let filter = filter.clone();
        self.call("listing deliveries", move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM deliveries
                 WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR provider = ?2)
                   AND (?3 IS NULL OR event_type = ?3) AND (?4 IS NULL OR received_ms >= ?4)
                 ORDER BY id DESC LIMIT ?5"
            ))?;
            let rows = statement.query_map(
                params![
                    filter.status.map(Status::as_str),
                    filter.provider,
                    filter.event_type,
                    filter.since_ms.map(to_i64),
                    to_i64(filter.limit as u64)
                ],
                delivery,
            )?;
            rows.collect()
        })
        .await
    }

    async fn get(&self, id: u64) -> Result<Option<Delivery>> {
        self.call("reading a delivery", move |conn| {
            conn.prepare_cached(&format!("SELECT {COLUMNS} FROM deliveries WHERE id = ?1"))?
                .query_row([to_i64(id)], delivery)
                .optional()
        })
        .await
    }

    async fn retry(&self, which: Which) -> Result<u64> {
        self.call("retrying deliveries", move |conn| {
            let now = to_i64(now_ms());
            let set = "UPDATE deliveries SET status = 'pending', due_ms = ?1, attempts = 0, lease_token = NULL
                       WHERE status != 'working'";
            let changed = match which {
                Which::Id(id) => conn
                    .prepare_cached(&format!("{set} AND id = ?2"))?
                    .execute(params![now, to_i64(id)])?,
                Which::Dead => conn
                    .prepare_cached(&format!("{set} AND status = 'dead'"))?
                    .execute(params![now])?,
                Which::Since(since) => conn
                    .prepare_cached(&format!("{set} AND received_ms >= ?2"))?
                    .execute(params![now, to_i64(since)])?,
            };
            Ok(changed as u64)
        })
        .await
    }

    async fn purge(&self, before_ms: u64) -> Result<u64> {
        self.call("purging deliveries", move |conn| {
            let deleted = conn
                .prepare_cached(
                    "DELETE FROM deliveries WHERE status IN ('done', 'dead') AND received_ms < ?1",
                )?
                .execute([to_i64(before_ms)])?;
            Ok(deleted as u64)
        })
        .await
    }
}
