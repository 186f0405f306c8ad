//! Real Redis and PostgreSQL servers for tests, each on a unix socket in a temporary
//! directory of its own, started here and stopped when dropped.
//!
//! A missing server binary fails the test with the package to install (`cargo xtask ci`
//! installs them): a test that needs a server never skips. PostgreSQL refuses to run as
//! root, so as root the server (and `initdb`) run as the `postgres` user.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The seed of a randomized test: `HOOK_TEST_SEED` if set, else a fresh one. Printed, so
/// a failing test's output says how to repeat its draw.
pub fn seed() -> u64 {
    let seed = std::env::var("HOOK_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    eprintln!("HOOK_TEST_SEED={seed}");
    seed
}

/// How long a server may take to say it is ready.
const READY: Duration = Duration::from_secs(120);

/// A fresh directory under the system temporary directory, unique to this process and
/// call, removed with everything in it when dropped: a test run leaves nothing behind.
pub fn scratch(kind: &str) -> Scratch {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "hook-{kind}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// A directory [`scratch`] made; removed when dropped.
pub struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for Scratch {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Spawns `command` with the given stream piped and waits until a line of it contains
/// `ready` (in lower case); the rest of the stream is drained in the background so the server never
/// blocks on a full pipe.
fn spawn_until(mut command: Command, stderr: bool, ready: &'static str, what: &str) -> Child {
    if stderr {
        command.stderr(Stdio::piped()).stdout(Stdio::null());
    } else {
        command.stdout(Stdio::piped()).stderr(Stdio::inherit());
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let stream: Box<dyn std::io::Read + Send> = if stderr {
        Box::new(child.stderr.take().unwrap())
    } else {
        Box::new(child.stdout.take().unwrap())
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let label = what.to_owned();
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut tx = Some(tx);
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if let Some(sender) = &tx {
                if line.to_ascii_lowercase().contains(ready) {
                    let _ = sender.send(Ok(()));
                    tx = None;
                } else {
                    seen.push(line);
                }
            }
        }
        if let Some(sender) = tx {
            let _ = sender.send(Err(format!(
                "{label} exited before it was ready:\n{}",
                seen.join("\n")
            )));
        }
    });
    match rx.recv_timeout(READY) {
        Ok(Ok(())) => child,
        Ok(Err(message)) => panic!("{message}"),
        Err(_) => {
            let _ = child.kill();
            panic!("{what} was not ready within {READY:?}")
        }
    }
}

fn which(binary: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(binary))
        .find(|path| path.is_file())
}

/// A Redis server.
pub struct Redis {
    child: Option<Child>,
    dir: Scratch,
    fsync: &'static str,
}

impl Redis {
    /// Starts one with append-only persistence synced on every write, so a restart keeps
    /// everything it acknowledged; panics naming the package when `redis-server` is
    /// missing.
    pub fn start() -> Redis {
        Redis::start_with_fsync("always")
    }

    /// Starts one whose append-only file is synced as `appendfsync` says (`always`,
    /// `everysec`: Redis's recommended setting, `no`).
    pub fn start_with_fsync(fsync: &'static str) -> Redis {
        let mut redis = Redis {
            child: None,
            dir: scratch("redis"),
            fsync,
        };
        redis.run();
        redis
    }

    fn run(&mut self) {
        let binary = which("redis-server").unwrap_or_else(|| {
            panic!("redis-server is not installed: apt-get install redis-server (cargo xtask ci installs it)")
        });
        let mut command = Command::new(binary);
        command.args(["--port", "0", "--unixsocket"]);
        command.arg(self.socket());
        command.args([
            "--unixsocketperm",
            "700",
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            self.fsync,
            "--daemonize",
            "no",
            "--dir",
        ]);
        command.arg(&self.dir);
        self.child = Some(spawn_until(
            command,
            false,
            "ready to accept connections",
            "redis-server",
        ));
    }

    fn socket(&self) -> PathBuf {
        self.dir.join("redis.sock")
    }

    /// A URL for redis-rs.
    pub fn url(&self) -> String {
        format!("redis+unix://{}", self.socket().display())
    }

    /// Kills the server (SIGKILL) and waits for it to exit: an outage.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_file(self.socket());
    }

    /// Starts it again on the same socket and data.
    pub fn restart(&mut self) {
        self.kill();
        self.run();
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        // The server stops before its directory (dropped after this) goes.
        self.kill();
    }
}

/// The PostgreSQL binaries: `HOOK_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin`,
/// else `PATH`.
fn pg_bin(binary: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("HOOK_PG_BIN") {
        return Path::new(&dir).join(binary);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let path = entry.path().join("bin").join(binary);
            path.is_file().then_some((version, path))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, path)| path)
        .or_else(|| which(binary))
        .unwrap_or_else(|| {
            panic!("PostgreSQL's {binary} is not installed: apt-get install postgresql (cargo xtask ci installs it)")
        })
}

/// The `postgres` user's uid and gid, when running as root.
fn postgres_user() -> Option<(u32, u32)> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    let line = passwd.lines().find(|l| l.starts_with("postgres:")).unwrap_or_else(|| {
        panic!("running as root, PostgreSQL needs a `postgres` user: apt-get install postgresql creates it")
    });
    let fields: Vec<&str> = line.split(':').collect();
    Some((fields[2].parse().ok()?, fields[3].parse().ok()?))
}

fn as_postgres(command: &mut Command) {
    use std::os::unix::process::CommandExt as _;
    if let Some((uid, gid)) = postgres_user() {
        command.uid(uid).gid(gid);
    }
}

fn give_to_postgres(path: &Path) {
    if let Some((uid, gid)) = postgres_user() {
        std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
    }
}

/// One `initdb` per PostgreSQL version and target directory, kept under cargo's
/// `target/tmp` and reused by every later test process; each server copies it. It is made
/// in a scratch directory (initdb runs as `postgres`, which may not write under `target/`)
/// and published with one rename, so a process that races another, or dies half-way,
/// never leaves a half-made template for the next.
fn template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let initdb = pg_bin("initdb");
        let version = initdb
            .parent()
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .map_or_else(|| "path".into(), |v| v.to_string_lossy().into_owned());
        let kept =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("hook-pgtemplate-{version}"));
        if kept.join("PG_VERSION").is_file() {
            return kept;
        }
        let dir = scratch("pgtemplate");
        give_to_postgres(&dir);
        let data = dir.join("data");
        let mut command = Command::new(initdb);
        command
            .args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .stdout(Stdio::null());
        as_postgres(&mut command);
        let output = command.output().expect("initdb runs");
        assert!(
            output.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::create_dir_all(kept.parent().unwrap()).unwrap();
        let partial = kept.with_extension(format!("partial-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&partial);
        let status = Command::new("cp")
            .arg("-a")
            .arg(&data)
            .arg(&partial)
            .status()
            .unwrap();
        assert!(status.success(), "copying the new template cluster failed");
        if std::fs::rename(&partial, &kept).is_err() {
            // Another process published one first: use it.
            let _ = std::fs::remove_dir_all(&partial);
        }
        assert!(
            kept.join("PG_VERSION").is_file(),
            "no template cluster at {}",
            kept.display()
        );
        kept
    })
}

/// A PostgreSQL server.
pub struct Postgres {
    child: Option<Child>,
    dir: Scratch,
    settings: &'static [&'static str],
}

/// Test settings: no waiting on the disk (a crash of the test machine loses nothing a
/// test needs), enough connections for parallel tests.
const FAST: &[&str] = &["fsync=off", "full_page_writes=off", "max_connections=200"];

/// PostgreSQL's own durable defaults, for benchmarks.
pub const DURABLE: &[&str] = &["max_connections=200"];

impl Postgres {
    /// Starts one for tests; panics naming the package when PostgreSQL is missing.
    pub fn start() -> Postgres {
        Postgres::start_with(FAST)
    }

    /// Starts one with `settings` (`name=value`, each given as `-c`).
    pub fn start_with(settings: &'static [&'static str]) -> Postgres {
        let dir = scratch("postgres");
        give_to_postgres(&dir);
        let status = Command::new("cp")
            .arg("-a")
            .arg(template())
            .arg(dir.join("data"))
            .status()
            .unwrap();
        assert!(status.success(), "copying the template cluster failed");
        let mut postgres = Postgres {
            child: None,
            dir,
            settings,
        };
        postgres.run();
        postgres
    }

    fn run(&mut self) {
        let mut command = Command::new(pg_bin("postgres"));
        command
            .arg("-D")
            .arg(self.dir.join("data"))
            .arg("-k")
            .arg(&self.dir)
            .args(["-c", "listen_addresses="]);
        for setting in self.settings {
            command.args(["-c", setting]);
        }
        as_postgres(&mut command);
        self.child = Some(spawn_until(
            command,
            true,
            "database system is ready to accept connections",
            "postgres",
        ));
    }

    /// A key-value connection string (`host=<socket dir>`).
    pub fn conninfo(&self) -> String {
        format!(
            "host={} port=5432 user=postgres dbname=postgres",
            self.dir.display()
        )
    }

    /// Stops the server at once (SIGQUIT: every connection cut, no checkpoint) and waits
    /// for it to exit: an outage.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-QUIT", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same data.
    pub fn restart(&mut self) {
        self.kill();
        self.run();
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        // The server stops before its directory (dropped after this) goes.
        self.kill();
    }
}
