//! The state store behind `--state`: an embedded redb database, one record per webhook,
//! token, delivery, entity and log entry, each change committed as one transaction by a
//! writer thread of its own, so no async worker blocks on disk and nothing rewrites the
//! whole state.
//!
//! Why redb: a pure-Rust, ACID, crash-safe embedded store (copy-on-write B-trees, a
//! durable commit per transaction) that needs no C toolchain, where SQLite would bring one.

use std::path::Path;
use std::sync::mpsc;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use tokio::sync::oneshot;

use crate::state::State;

/// Records by `collection` + NUL + the key as JSON; values are JSON.
const RECORDS: TableDefinition<'static, &str, &[u8]> = TableDefinition::new("records");

/// One change of the state: records to write and records to remove.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    pub puts: Vec<(String, Vec<u8>)>,
    pub deletes: Vec<String>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.puts.is_empty() && self.deletes.is_empty()
    }
}

struct Job {
    batch: Batch,
    done: oneshot::Sender<Result<(), String>>,
}

/// The database and its writer thread.
#[derive(Debug)]
pub(crate) struct Store {
    jobs: mpsc::Sender<Job>,
    writer: std::thread::JoinHandle<()>,
}

/// The record key of `key` in `collection`.
pub(crate) fn record_key(collection: &str, key: &str) -> String {
    format!("{collection}\u{0}{key}")
}

impl Store {
    /// Opens (or creates) the database at `path`, loads the state it holds, and starts the
    /// writer thread.
    pub fn open(path: &Path) -> Result<(Store, State), String> {
        let db = Database::create(path).map_err(|e| {
            format!(
                "cannot open the state database {}: {e} (a state file from an older hook emulator was JSON: remove it)",
                path.display()
            )
        })?;
        let state = load(&db).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let writer = std::thread::Builder::new()
            .name("hook-emulator-store".into())
            .spawn(move || write_loop(&db, &queue))
            .map_err(|e| format!("cannot start the state writer: {e}"))?;
        Ok((Store { jobs, writer }, state))
    }

    /// Commits what is queued, then closes the database (releasing its file lock, so
    /// another emulator may open it). Blocks until the writer thread has finished.
    pub fn close(self) {
        drop(self.jobs);
        let _ = self.writer.join();
    }

    /// Queues `batch`; the answer comes once it is committed (or failed).
    pub fn commit(&self, batch: Batch) -> oneshot::Receiver<Result<(), String>> {
        let (done, answer) = oneshot::channel();
        if let Err(mpsc::SendError(job)) = self.jobs.send(Job { batch, done }) {
            let _ = job.done.send(Err("the state writer has stopped".into()));
        }
        answer
    }
}

/// Commits each queued batch, several at once when they queue up (one durable commit for
/// all of them), in the order they were queued.
fn write_loop(db: &Database, queue: &mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut jobs = vec![first];
        while let Ok(more) = queue.try_recv() {
            jobs.push(more);
            if jobs.len() == 256 {
                break;
            }
        }
        let result = commit(db, jobs.iter().map(|j| &j.batch)).map_err(|e| e.to_string());
        for job in jobs {
            let _ = job.done.send(result.clone());
        }
    }
}

fn commit<'b>(db: &Database, batches: impl Iterator<Item = &'b Batch>) -> Result<(), redb::Error> {
    let txn = db.begin_write()?;
    {
        let mut table = txn.open_table(RECORDS)?;
        for batch in batches {
            for key in &batch.deletes {
                table.remove(key.as_str())?;
            }
            for (key, value) in &batch.puts {
                table.insert(key.as_str(), value.as_slice())?;
            }
        }
    }
    txn.commit()?;
    Ok(())
}

fn load(db: &Database) -> Result<State, String> {
    let txn = db.begin_read().map_err(|e| e.to_string())?;
    let table = match txn.open_table(RECORDS) {
        Ok(table) => table,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(State::default()),
        Err(e) => return Err(e.to_string()),
    };
    let mut state = State::default();
    for entry in table.iter().map_err(|e| e.to_string())? {
        let (key, value) = entry.map_err(|e| e.to_string())?;
        let (collection, key) = key.value().split_once('\u{0}').unwrap_or((key.value(), ""));
        state
            .load_record(collection, key, value.value())
            .map_err(|e| format!("record {collection}/{key}: {e}"))?;
    }
    Ok(state)
}
