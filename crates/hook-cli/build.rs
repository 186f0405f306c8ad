//! Embeds every fixture under `fixtures/<provider>/<event>.json` in the binary: writes
//! `$OUT_DIR/fixtures.rs`, a table of (provider, event, text) with `include_str!`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut entries = Vec::new();
    let mut providers: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures/ exists")
        .map(|e| e.expect("a readable fixtures/ entry").path())
        .filter(|p| p.is_dir())
        .collect();
    providers.sort();
    for dir in providers {
        println!("cargo:rerun-if-changed={}", dir.display());
        let provider = dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a UTF-8 name")
            .to_owned();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("a readable provider folder")
            .map(|e| e.expect("a readable fixture").path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for file in files {
            let event = file
                .file_stem()
                .and_then(|n| n.to_str())
                .expect("a UTF-8 name")
                .to_owned();
            entries.push((provider.clone(), event, file));
        }
    }
    let mut code = String::from(
        "/// Every fixture: (provider, event, JSON text).\npub const FIXTURES: &[(&str, &str, &str)] = &[\n",
    );
    for (provider, event, file) in &entries {
        writeln!(
            code,
            "    ({provider:?}, {event:?}, include_str!({:?})),",
            file.display().to_string()
        )
        .expect("writing to a String");
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("fixtures.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
