//! One contract, every provider: the same scenarios through `Box<dyn WebhookApi>` against
//! the emulator over real loopback HTTP.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use futures_util::TryStreamExt as _;
use hook_contract_tests::{World, destination};
use hook_facade::{Error, ListQuery, WebhookPatch, WebhookSpec, list_all};

fn spec(world: &World, name: &str, url: &str) -> WebhookSpec {
    world.spec(name, url)
}

#[tokio::test]
async fn lifecycle_on_every_provider() {
    for provider in hook_contract_tests::providers() {
        let world = World::new(provider).await;
        let api = world.api.as_ref();
        let inbound = api.capabilities().is_inbound();
        let created = api
            .create(&spec(&world, "lifecycle", "https://x.example/hook"))
            .await
            .unwrap();
        assert_eq!(
            (created.provider, created.enabled, created.has_secret),
            (provider, true, true),
            "{provider}"
        );
        if inbound {
            // The provider assigned the URL third parties send to; nothing is subscribed.
            assert!(
                created.url.starts_with("http"),
                "{provider}: {}",
                created.url
            );
            assert!(created.events.is_empty(), "{provider}");
        } else {
            assert_eq!(created.events[0].as_str(), world.event(), "{provider}");
            assert_eq!(created.url, "https://x.example/hook", "{provider}");
        }
        assert_eq!(
            api.get(&created.id).await.unwrap().url,
            created.url,
            "{provider}"
        );

        let patch = if inbound {
            WebhookPatch::new().enabled(false)
        } else {
            WebhookPatch::new()
                .enabled(false)
                .url("https://y.example/hook")
        };
        let updated = api.update(&created.id, &patch).await.unwrap();
        let url = if inbound {
            created.url.as_str()
        } else {
            "https://y.example/hook"
        };
        assert_eq!(
            (updated.enabled, updated.url.as_str()),
            (false, url),
            "{provider}"
        );
        if inbound {
            let moved = api
                .update(&created.id, &WebhookPatch::new().url("https://y.example"))
                .await;
            assert!(
                matches!(moved, Err(Error::Invalid { ref field, .. }) if field == "url"),
                "{provider}: an inbound URL is the provider's: {moved:?}"
            );
        }
        assert!(
            api.list(&ListQuery::new())
                .await
                .unwrap()
                .items
                .iter()
                .any(|w| w.id == created.id),
            "{provider}"
        );

        api.delete(&created.id).await.unwrap();
        assert!(
            matches!(api.get(&created.id).await, Err(Error::NotFound { .. })),
            "{provider}"
        );
    }
}

#[tokio::test]
async fn unknown_ids_are_not_found_on_every_provider() {
    for provider in hook_contract_tests::providers() {
        let world = World::new(provider).await;
        let missing = world.missing_id().await;
        let error = world.api.get(&missing).await.unwrap_err();
        assert!(matches!(error, Error::NotFound { .. }), "{provider}");
        let context = error.context();
        assert_eq!(context.provider, Some(provider));
        assert_eq!(context.operation, Some("get webhook"), "{provider}");
        assert_eq!(context.webhook_id.as_deref(), Some(missing.as_str()));
        assert!(!error.is_retryable(), "{provider}");
        let message = error.to_string();
        assert!(
            message.contains(missing.as_str()) && message.contains("list the webhooks"),
            "{provider}: {message}"
        );
        assert!(
            matches!(
                world.api.delete(&missing).await,
                Err(Error::NotFound { .. })
            ),
            "{provider}"
        );
    }
}

#[tokio::test]
async fn invalid_specs_fail_before_sending_on_every_provider() {
    for provider in hook_contract_tests::providers() {
        let world = World::new(provider).await;
        // Outbound: not a URL. Inbound: any URL, since the provider assigns it.
        let mut bad = WebhookSpec::builder("not a url")
            .events([world.event()])
            .build();
        if world.api.capabilities().names {
            bad = bad.name("bad");
        }
        assert!(
            matches!(world.api.create(&bad).await, Err(Error::Invalid { ref field, .. }) if field.eq_ignore_ascii_case("url")),
            "{provider}"
        );
        assert!(
            world.emulator.admin().requests().await.unwrap().is_empty(),
            "{provider}: nothing sent"
        );
    }
    let world = World::new(hook_facade::port::PROVIDER).await;
    let long = WebhookSpec::inbound()
        .name("long")
        .option(hook_facade::port::PortOptions::identifier("x".repeat(31)))
        .build();
    assert!(
        matches!(world.api.create(&long).await, Err(Error::Invalid { ref field, .. }) if field == "identifier")
    );
    let world = World::new(hook_facade::up42::PROVIDER).await;
    let http = spec(&world, "plain", "http://x.example");
    assert!(
        matches!(world.api.create(&http).await, Err(Error::Invalid { ref field, .. }) if field == "url")
    );
}

#[tokio::test]
async fn fields_a_provider_cannot_carry_are_refused_before_sending() {
    for provider in hook_contract_tests::providers() {
        let world = World::new(provider).await;
        let capabilities = world.api.capabilities();
        let base = world.spec("carried", "https://x.example/hook");
        let mut uncarried = Vec::new();
        if !capabilities.names {
            uncarried.push(("name", base.clone().name("dropped?")));
        }
        if !capabilities.descriptions {
            uncarried.push(("description", base.clone().description("dropped?")));
        }
        // Another provider's options: refused, never dropped.
        let port = hook_facade::port::PortOptions::identifier("dropped");
        let uipath = hook_facade::uipath::UiPathOptions::new().all_events(true);
        if provider != hook_facade::port::PROVIDER {
            uncarried.push(("Port options", base.clone().option(port)));
        }
        if provider != hook_facade::uipath::PROVIDER {
            uncarried.push(("UiPath options", base.clone().option(uipath)));
        }
        for (field, spec) in uncarried {
            let error = world.api.create(&spec.build()).await.unwrap_err();
            assert!(
                matches!(error, Error::Unsupported { .. } | Error::Invalid { .. }),
                "{provider} {field}: {error}"
            );
            assert!(error.to_string().contains(field), "{provider}: {error}");
        }
        assert!(
            world
                .emulator
                .admin()
                .requests()
                .await
                .unwrap()
                .iter()
                .all(|r| r.method != "POST" || r.path.contains("token")),
            "{provider}: nothing created"
        );
    }
}

#[tokio::test]
async fn duplicate_names_conflict_where_names_are_unique() {
    for provider in [hook_facade::uipath::PROVIDER, hook_facade::port::PROVIDER] {
        let world = World::new(provider).await;
        world
            .api
            .create(&spec(&world, "same name", "https://x.example"))
            .await
            .unwrap();
        let again = world
            .api
            .create(&spec(&world, "same name", "https://x.example"))
            .await;
        assert!(
            matches!(again, Err(Error::Conflict { .. })),
            "{provider}: {again:?}"
        );
    }
}

#[tokio::test]
async fn filters_and_paging_on_every_provider() {
    for provider in hook_contract_tests::providers() {
        let world = World::new(provider).await;
        let api = world.api.as_ref();
        for i in 0..5 {
            let mut spec = spec(
                &world,
                &format!("page {i}"),
                &format!("https://x.example/{i}"),
            );
            spec.enabled = i != 0;
            api.create(&spec).await.unwrap();
        }
        let all: Vec<_> = list_all(api, ListQuery::new().per_page(2))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(all.len(), 5, "{provider}");
        let inbound = api.capabilities().is_inbound();
        let expected: Vec<String> = (0..5)
            .map(|i| {
                if inbound {
                    format!("page {i}")
                } else {
                    format!("https://x.example/{i}")
                }
            })
            .collect();
        let seen: Vec<String> = all.iter().map(|w| destination(api, w)).collect();
        assert_eq!(seen, expected, "{provider}: creation order");
        let enabled: Vec<_> = list_all(api, ListQuery::new().enabled(true))
            .try_collect()
            .await
            .unwrap();
        assert_eq!(enabled.len(), 4, "{provider}");
        let by_url = api
            .list(&ListQuery::new().url(all[3].url.as_str()))
            .await
            .unwrap();
        assert_eq!(by_url.items.len(), 1, "{provider}");
    }
}

#[tokio::test]
async fn a_request_is_carried_and_verified_on_every_provider() {
    for provider in hook_contract_tests::providers() {
        let mut world = World::new(provider).await;
        let url = world.receiver.url().to_owned();
        let created = world
            .api
            .create(&spec(&world, "tested", &url))
            .await
            .unwrap();
        if !world.api.capabilities().test {
            assert!(
                matches!(
                    world.api.test(&created.id).await,
                    Err(Error::Unsupported { .. })
                ),
                "{provider}"
            );
        }
        world.deliver(&created).await;
    }
}

#[tokio::test]
async fn event_types_come_from_each_catalog() {
    for provider in hook_contract_tests::providers() {
        let world = World::new(provider).await;
        let types = world.api.event_types().await.unwrap();
        assert_eq!(
            types.len(),
            hook_contract_tests::registry()
                .descriptor(provider)
                .unwrap()
                .catalog
                .len(),
            "{provider}"
        );
    }
}

/// The facade's transport settings reach every provider's client: a per-try timeout set
/// through `ProviderConfig::transport` is the one a slow emulator trips.
#[tokio::test]
async fn transport_settings_set_through_the_facade_reach_every_client() {
    use std::time::Duration;

    use hook_emulator::{Emulator, FaultKind, FaultRule, Receiver, RouteMatch};
    use hook_facade::transport::{RetryPolicy, Settings};
    use hook_facade::{ProviderConfig, connect};

    /// The timeout the error (or, for a call whose token could not be fetched, its
    /// source) reports.
    fn timed_out_after(error: &Error) -> Option<Duration> {
        match error {
            Error::Timeout { after, .. } => Some(*after),
            _ => std::error::Error::source(error)
                .and_then(|s| s.downcast_ref::<Error>())
                .and_then(timed_out_after),
        }
    }

    const TIMEOUT: Duration = Duration::from_millis(150);
    for provider in hook_facade::providers().iter().map(|d| d.provider) {
        let (_receiver, certificate) = Receiver::for_provider(provider, "s").await.unwrap();
        let mut builder = Emulator::builder();
        if let Some(certificate) = certificate {
            builder = builder.trust_root_pem(certificate.pem);
        }
        let emulator = builder.start().await.unwrap();
        let settings = Settings::default()
            .timeout(TIMEOUT)
            .retry(RetryPolicy::none());
        let config = ProviderConfig::from_pairs(provider, &emulator.env(provider))
            .unwrap()
            .transport(settings);
        let api = connect(config).unwrap();
        // Every request of this provider is slow: its token endpoint, or its list.
        let slow = FaultRule::new(FaultKind::Latency { millis: 3_000 })
            .within(RouteMatch {
                method: None,
                path_prefix: Some(format!("/{provider}/")),
            })
            .times(10);
        emulator.admin().inject(&slow).await.unwrap();
        let error = api.list(&ListQuery::new()).await.unwrap_err();
        assert_eq!(
            timed_out_after(&error),
            Some(TIMEOUT),
            "{provider}: {error}"
        );
        emulator.shutdown().await;
    }
}

/// ARCHITECTURE.md's "Adding a provider" stays true: the test-only provider (`hook-acme`)
/// runs every scenario above, and outside its crate and its emulated service
/// (`tests/acme.rs`) the workspace names it in one line per registry: the contract
/// suite's registry (`tests/lib.rs`), the emulator's (`tests/lib.rs`, its service), and
/// the dependency (`tests/Cargo.toml`). A provider that needed more would fail here.
#[test]
fn the_test_provider_is_one_crate_plus_one_line_per_registry() {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != "target" && name != "hook-acme" {
                    walk(&path, files);
                }
            } else if path.extension().is_some_and(|e| e == "rs" || e == "toml") {
                files.push(path);
            }
        }
    }

    assert!(hook_contract_tests::providers().contains(&hook_acme::PROVIDER));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["crates", "tests", "xtask", "fuzz"] {
        walk(&root.join(dir), &mut files);
    }
    let mut naming: BTreeMap<String, usize> = BTreeMap::new();
    for file in files {
        let relative = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        // This test and the emulated service are the provider's own.
        if relative == "tests/contract.rs" || relative == "tests/acme.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let lines = text
            .lines()
            .filter(|l| {
                !l.trim_start().starts_with("//")
                    && (l.contains("hook_acme")
                        || l.contains("hook-acme")
                        || l.contains("AcmeService"))
            })
            .count();
        if lines > 0 {
            naming.insert(relative, lines);
        }
    }
    let expected: BTreeMap<String, usize> = [
        ("tests/Cargo.toml".to_owned(), 1),
        // `Registry::builtin().with(&hook_acme::DESCRIPTOR)` and
        // `Emulator::builder().provider(acme::AcmeService::default())`.
        ("tests/lib.rs".to_owned(), 2),
    ]
    .into();
    assert_eq!(
        naming, expected,
        "where the workspace names the test provider"
    );
}

/// `hook demo`'s steps run on the test provider as on the built-in ones: the demo takes
/// a registry and the emulated services (`hook_cli::Extensions` in a `hook` of one's own).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_passes_on_every_provider_the_test_one_too() {
    let emulated: Vec<std::sync::Arc<dyn hook_emulator::EmulatedProvider>> =
        vec![std::sync::Arc::new(
            hook_contract_tests::acme::AcmeService::default(),
        )];
    let code = hook_cli::demo(0.001, &hook_contract_tests::registry(), &emulated)
        .await
        .unwrap();
    assert_eq!(code, std::process::ExitCode::SUCCESS);
}
