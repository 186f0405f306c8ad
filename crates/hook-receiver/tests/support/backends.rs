//! Every backend of hook-receiver, fresh for one test, with what keeps it alive (its server
//! or its scratch directory; dropping it stops the server or removes the directory).
// Not every test file runs every backend through the macro.
#![allow(unused_macros, unused_imports)]

use std::any::Any;
use std::sync::Arc;

use hook_receiver::IdempotencyStore;
use hook_receiver::inbox::InboxStore;

use super::servers;

/// What keeps a backend alive until the test ends.
pub type Keep = Box<dyn Any + Send>;

/// The in-memory idempotency store.
pub async fn memory() -> (Arc<dyn IdempotencyStore>, Keep) {
    (Arc::new(hook_receiver::MemoryStore::new()), Box::new(()))
}

/// The Redis idempotency store on a server of its own.
pub async fn redis() -> (Arc<dyn IdempotencyStore>, Keep) {
    let server = servers::Redis::start();
    let store = hook_receiver::RedisStore::connect(&server.url()).unwrap();
    (Arc::new(store), Box::new(server))
}

/// The Postgres idempotency store, migrated, on a server of its own.
pub async fn postgres_store() -> (Arc<dyn IdempotencyStore>, Keep) {
    let server = servers::Postgres::start();
    let store = hook_receiver::PostgresStore::connect(&server.conninfo()).unwrap();
    store.migrate().await.unwrap();
    (Arc::new(store), Box::new(server))
}

/// The SQLite inbox in a scratch directory.
pub async fn sqlite_inbox() -> (Arc<dyn InboxStore>, Keep) {
    let dir = servers::scratch("inbox");
    let store = hook_receiver::inbox::SqliteInbox::open(dir.join("inbox.db")).unwrap();
    (Arc::new(store), Box::new(dir))
}

/// The Postgres inbox, migrated, on a server of its own.
pub async fn postgres_inbox() -> (Arc<dyn InboxStore>, Keep) {
    let server = servers::Postgres::start();
    let store = hook_receiver::inbox::PostgresInbox::connect(&server.conninfo()).unwrap();
    store.migrate().await.unwrap();
    (Arc::new(store), Box::new(server))
}

/// One test per backend and scenario: `on_each_backend!([memory, redis]; (a, b))` makes
/// `mod memory { async fn a() … }` and so on, each scenario an `async fn(Arc<dyn …>)`
/// given a fresh backend from this module.
macro_rules! on_each_backend {
    ([$($backend:ident),* $(,)?]; $scenarios:tt) => {
        $(mod $backend { crate::support::backends::on_each_backend!(@tests $backend $scenarios); })*
    };
    (@tests $backend:ident ($($scenario:ident),* $(,)?)) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $scenario() {
                let (store, keep) = crate::support::backends::$backend().await;
                super::$scenario(store).await;
                drop(keep);
            }
        )*
    };
}
pub(crate) use on_each_backend;
