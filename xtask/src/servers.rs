//! The servers the receiver tests start themselves (Redis, PostgreSQL) and the browser the
//! inspector tests drive (Chromium through ChromeDriver): `cargo xtask ci` makes sure their
//! binaries are installed, installing Debian's packages when it can and saying so. The
//! tests never skip: a missing server or browser fails them.

use std::path::Path;
use std::process::Command;

use crate::{Result, run};

/// A server binary and the Debian package that brings it.
struct Server {
    what: &'static str,
    present: fn() -> bool,
    package: &'static str,
}

fn on_path(binary: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(binary).is_file()))
}

fn postgres_present() -> bool {
    let versioned = std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|dirs| {
        dirs.flatten()
            .any(|dir| dir.path().join("bin/postgres").is_file())
    });
    let pinned = std::env::var_os("HOOK_PG_BIN")
        .is_some_and(|dir| Path::new(&dir).join("postgres").is_file());
    versioned || pinned || (on_path("postgres") && on_path("initdb"))
}

const SERVERS: [Server; 4] = [
    Server {
        what: "Redis (redis-server)",
        present: || on_path("redis-server"),
        package: "redis-server",
    },
    Server {
        what: "PostgreSQL (postgres, initdb)",
        present: postgres_present,
        package: "postgresql",
    },
    Server {
        what: "Chromium (chromium)",
        present: || on_path("chromium"),
        package: "chromium",
    },
    Server {
        what: "ChromeDriver (chromedriver)",
        present: || on_path("chromedriver"),
        package: "chromium-driver",
    },
];

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// Installs the missing servers' Debian packages (as root, with apt-get), or says what to
/// install.
pub fn provision() -> Result {
    let missing: Vec<&Server> = SERVERS.iter().filter(|s| !(s.present)()).collect();
    if missing.is_empty() {
        println!(
            "\n=== servers and browser for the tests: Redis, PostgreSQL, Chromium and ChromeDriver are installed"
        );
        return Ok(());
    }
    let packages: Vec<&str> = missing.iter().map(|s| s.package).collect();
    let names: Vec<&str> = missing.iter().map(|s| s.what).collect();
    if !is_root() || !on_path("apt-get") {
        return Err(format!(
            "the receiver tests need {}: install Debian's {} (apt-get install {})",
            names.join(" and "),
            packages.join(", "),
            packages.join(" ")
        ));
    }
    println!(
        "\n=== the receiver tests need {}: installing Debian's {}",
        names.join(" and "),
        packages.join(", ")
    );
    run(
        "apt-get update",
        Command::new("apt-get").args(["update", "-q"]),
    )?;
    run(
        &format!("apt-get install {}", packages.join(" ")),
        Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(&packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    let still: Vec<&str> = SERVERS
        .iter()
        .filter(|s| !(s.present)())
        .map(|s| s.what)
        .collect();
    if still.is_empty() {
        Ok(())
    } else {
        Err(format!("still missing after apt-get: {}", still.join(", ")))
    }
}
