//! What the workspace holds, read from its files rather than listed here: the provider
//! crates (each says so in its `Cargo.toml`) and the runnable examples. A new provider
//! crate or example is picked up without a change to xtask.

use std::path::Path;

use crate::Result;

/// A provider crate: its package name and the provider's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProviderCrate {
    /// The package (`hook-uipath`).
    pub package: String,
    /// The provider's name (`uipath`), from `[package.metadata.hook] provider`.
    pub provider: String,
}

/// Every crate under `crates/` whose `Cargo.toml` has `[package.metadata.hook]` with
/// `provider = "<name>"`, sorted by package.
pub(crate) fn provider_crates(root: &Path) -> Result<Vec<ProviderCrate>> {
    let mut found = Vec::new();
    for (package, manifest) in manifests(root)? {
        if let Some(provider) = metadata_provider(&manifest) {
            found.push(ProviderCrate { package, provider });
        }
    }
    found.sort_by(|a, b| a.package.cmp(&b.package));
    if found.is_empty() {
        return Err("no provider crate found: none says `[package.metadata.hook] provider`".into());
    }
    Ok(found)
}

/// Every example under `crates/*/examples/*.rs`, as `(package, example)`, sorted.
pub(crate) fn examples(root: &Path) -> Result<Vec<(String, String)>> {
    let mut found = Vec::new();
    for (package, _) in manifests(root)? {
        let dir = root.join("crates").join(&package).join("examples");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "rs")
                && let Some(stem) = path.file_stem().and_then(|s| s.to_str())
            {
                found.push((package.clone(), stem.to_owned()));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The packages that say `publish = false` (the test-only provider, the contract tests,
/// xtask): `cargo package` leaves them out.
pub(crate) fn unpublished(root: &Path) -> Result<Vec<String>> {
    let mut all = manifests(root)?;
    for dir in ["tests", "xtask"] {
        let path = root.join(dir).join("Cargo.toml");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = text
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("name = ")
                    .map(|v| v.trim_matches('"').to_owned())
            })
            .ok_or_else(|| format!("{} names no package", path.display()))?;
        all.push((name, text));
    }
    let private = |text: &str| text.lines().any(|l| l.trim() == "publish = false");
    Ok(all
        .into_iter()
        .filter(|(_, text)| private(text))
        .map(|(name, _)| name)
        .collect())
}

/// `(directory name, Cargo.toml text)` of each crate under `crates/`; the directory name
/// is the package name in this workspace (checked).
fn manifests(root: &Path) -> Result<Vec<(String, String)>> {
    let dir = root.join("crates");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut all = Vec::new();
    for entry in entries.flatten() {
        let manifest = entry.path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        let declared = text.lines().find_map(|l| {
            l.trim()
                .strip_prefix("name = ")
                .map(|v| v.trim_matches('"'))
        });
        if declared != Some(name.as_str()) {
            return Err(format!(
                "{}: the package is named {declared:?}, not {name:?} like its directory",
                manifest.display()
            ));
        }
        all.push((name, text));
    }
    Ok(all)
}

/// The `provider` of a `[package.metadata.hook]` section.
fn metadata_provider(manifest: &str) -> Option<String> {
    let mut in_section = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_section = line == "[package.metadata.hook]";
        } else if in_section && let Some(value) = line.strip_prefix("provider") {
            let value = value
                .trim_start()
                .strip_prefix('=')?
                .trim()
                .trim_matches('"');
            return Some(value.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_metadata_section_names_the_provider_and_nothing_else_does() {
        let manifest = "[package]\nname = \"hook-example\"\n\n[package.metadata.hook]\nprovider = \"acme\"\n\n[dependencies]\nprovider = \"x\"\n";
        assert_eq!(metadata_provider(manifest).as_deref(), Some("acme"));
        assert_eq!(
            metadata_provider("[dependencies]\nprovider = \"1\"\n"),
            None
        );
    }

    #[test]
    fn the_unpublished_packages_are_the_test_ones() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let names = unpublished(&root).unwrap();
        // The contract tests, xtask and the test-only provider (named only where the
        // contract suite allows).
        assert_eq!(names.len(), 3, "{names:?}");
        for name in ["hook-contract-tests", "xtask"] {
            assert!(names.iter().any(|n| n == name), "{names:?}");
        }
        for library in [
            "hook-model",
            "hook-sign",
            "hook-http",
            "hook-facade",
            "hook-cli",
        ] {
            assert!(!names.iter().any(|n| n == library), "{names:?}");
        }
    }

    #[test]
    fn this_workspace_has_its_providers_and_their_examples() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let providers: Vec<String> = provider_crates(&root)
            .unwrap()
            .into_iter()
            .map(|c| c.provider)
            .collect();
        for name in ["generic", "port", "uipath", "up42"] {
            assert!(
                providers.iter().any(|p| p == name),
                "{name} in {providers:?}"
            );
        }
        let examples = examples(&root).unwrap();
        assert!(examples.contains(&("hook-sign".to_owned(), "quickstart".to_owned())));
    }
}
