//! The inspector pages in a real headless Chromium, driven through ChromeDriver (WebDriver):
//! `hook listen --ui` shows each delivery live without a reload, explains a failed one,
//! replays to the app (counted by the app), copies curl, filters, redacts credentials;
//! the emulator's `/_ui` shows a delivery's attempts after a failure and fires events from
//! its form. Script errors on either page fail the test; a screenshot of each page (wide
//! and narrow) is written under `target/tmp/`. A missing browser fails, never skips
//! (`cargo xtask ci` installs Debian's `chromium` and `chromium-driver`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test

#[path = "support/listen.rs"]
mod listen;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::body::Bytes;
use fantoccini::{Client, ClientBuilder, Locator};
use hook_sign::{Message, Scheme, Signer};
use listen::Listener;
use serde_json::{Value, json};
use tokio::sync::mpsc;

const SECRET: &str = "inspector-secret";
const WAIT: Duration = Duration::from_secs(30);

/// ChromeDriver on a port of its choosing; killed when dropped, with the browser's profile.
struct Driver {
    child: Child,
    url: String,
    profile: std::path::PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A test that failed never closed its session: the browser would outlive the
        // driver. Every Chromium process of this profile goes too.
        let profile = format!("--user-data-dir={}", self.profile.display());
        // `--` ends pkill's options: the pattern itself starts with dashes.
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", "--", &profile])
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Starts ChromeDriver (it prints the port it took) and a headless Chromium session.
async fn browser() -> (Driver, Client) {
    let mut child = Command::new("chromedriver")
        .arg("--port=0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver: install Debian's chromium-driver (cargo xtask ci does)");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(port) = line
                .strip_prefix("ChromeDriver was started successfully on port ")
                .and_then(|rest| rest.trim_end_matches('.').parse::<u16>().ok())
            {
                let _ = tx.send(port);
            }
        }
    });
    let port = rx.recv_timeout(WAIT).expect("ChromeDriver says its port");
    let profile = std::env::temp_dir().join(format!("hook-chromium-{}-{port}", std::process::id()));
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        profile,
    };
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
    ];
    let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    args.push(format!("--user-data-dir={}", driver.profile.display()));
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({"binary": "/usr/bin/chromium", "args": args}),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("a Chromium session (install Debian's chromium)");
    (driver, client)
}

async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} within {WAIT:?}: {e}"))
}

/// Clicks the element `css` selects once it is there; a live page redraws its lists as
/// deliveries arrive, so an element found just before a redraw is found again.
async fn click(client: &Client, css: &str) {
    for _ in 0..20 {
        match wait_for(client, css).await.click().await {
            Ok(()) => return,
            Err(fantoccini::error::CmdError::Standard(e))
                if e.error == fantoccini::error::ErrorStatus::StaleElementReference => {}
            Err(e) => panic!("click {css}: {e}"),
        }
    }
    panic!("{css} kept being redrawn");
}

/// The next body the app received (within the wait).
async fn next(received: &mut mpsc::UnboundedReceiver<Bytes>) -> Bytes {
    let body = tokio::time::timeout(WAIT, received.recv()).await;
    body.expect("the app receives it within the wait").unwrap()
}

/// Chooses `value` in the select `css`.
async fn select(client: &Client, css: &str, value: &str) {
    let element = client.find(Locator::Css(css)).await.unwrap();
    element.select_by_value(value).await.unwrap();
}

/// The page's script errors (the page keeps them in `window.__hookErrors`).
async fn script_errors(client: &Client) -> Vec<Value> {
    let errors = client
        .execute("return window.__hookErrors || ['no error hook'];", vec![])
        .await
        .unwrap();
    errors.as_array().cloned().unwrap_or_default()
}

/// Every form control has a label; no horizontal scrolling at the window's width.
async fn accessible_and_fits(client: &Client) {
    let unlabelled = client
        .execute(
            "return [...document.querySelectorAll('input,select,textarea')].filter(e => !e.labels || !e.labels.length).map(e => e.id);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(unlabelled, json!([]), "controls without a label");
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_i64().unwrap() <= 1,
        "overflows by {overflow} px"
    );
}

/// Saves a screenshot of the page under `target/tmp/`, wide then narrow (420 px).
async fn screenshots(client: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let png = client.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    client.set_window_size(420, 900).await.unwrap();
    accessible_and_fits(client).await;
    let png = client.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}-narrow.png")), png).unwrap();
    client.set_window_size(1280, 900).await.unwrap();
}

/// An app that counts the deliveries forwarded to it.
async fn app() -> (String, mpsc::UnboundedReceiver<Bytes>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let router = axum::Router::new().route(
        "/app",
        axum::routing::post(move |body: Bytes| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(body);
                "ok"
            }
        }),
    );
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/app", socket.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(socket, router).await });
    (url, rx)
}

async fn post(url: &str, body: &str, headers: &[(String, String)]) -> u16 {
    let mut request = reqwest::Client::new().post(url).body(body.to_owned());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.send().await.unwrap().status().as_u16()
}

fn signed(body: &str) -> Vec<(String, String)> {
    let signer = Signer::new(Scheme::generic(), SECRET).unwrap();
    let headers = signer.sign(&Message::new(body.as_bytes())).unwrap();
    let mut pairs: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    pairs.push(("content-type".into(), "application/json".into()));
    pairs
}

#[tokio::test(flavor = "multi_thread")]
async fn the_listen_inspector_shows_deliveries_live_explains_and_replays() {
    let (app_url, mut received) = app().await;
    let listener = Listener::forwarding("generic", SECRET, &app_url, &["--ui"]);
    let base = listener.url.trim_end_matches("hooks").to_owned();
    let (_driver, client) = browser().await;
    client.goto(&format!("{base}_hook/ui")).await.unwrap();
    assert_eq!(client.title().await.unwrap(), "hook inspector");
    wait_for(&client, "body[data-live='true']").await;

    // A valid delivery, with a credential header the page must not show.
    let body = r#"{"id":"evt_1","type":"user.created","data":{"name":"Ada"}}"#;
    let mut headers = signed(body);
    headers.push(("authorization".into(), "Bearer top-secret-token".into()));
    assert_eq!(post(&listener.url, body, &headers).await, 200);
    let first = next(&mut received).await;
    assert_eq!(first, body.as_bytes());
    wait_for(&client, "li[data-verdict='valid'] button").await;

    // A tampered one: refused, and its row explains why.
    let tampered = body.replace("Ada", "Eve");
    assert_eq!(post(&listener.url, &tampered, &signed(body)).await, 401);
    click(&client, "li[data-verdict='invalid'] button").await;
    let explain = wait_for(&client, "[data-role='explain']")
        .await
        .text()
        .await
        .unwrap();
    assert!(explain.to_lowercase().contains("signature"), "{explain}");

    // The page never shows a secret: neither the listener's nor a credential header.
    let source = client.source().await.unwrap();
    assert!(!source.contains(SECRET) && !source.contains("top-secret-token"));

    // Filter: invalid ones only.
    select(&client, "#f-verdict", "invalid").await;
    assert!(
        client
            .find_all(Locator::Css("li[data-verdict='valid']"))
            .await
            .unwrap()
            .is_empty()
    );
    select(&client, "#f-verdict", "").await;

    // Replay the valid one: the app receives it again, byte for byte.
    click(&client, "li[data-verdict='valid'] button").await;
    click(&client, "button[data-action='replay']").await;
    let again = next(&mut received).await;
    assert_eq!(again, body.as_bytes(), "the app got the delivery again");
    // Re-signed, the tampered one goes through too.
    click(&client, "li[data-verdict='invalid'] button").await;
    click(&client, "button[data-action='resign']").await;
    let resigned = next(&mut received).await;
    assert_eq!(resigned, tampered.as_bytes());

    // Copy as curl.
    click(&client, "button[data-action='curl']").await;
    let curl = wait_for(&client, "body[data-curl]")
        .await
        .attr("data-curl")
        .await
        .unwrap()
        .unwrap();
    assert!(
        curl.starts_with("curl -X POST") && curl.contains("x-webhook-signature"),
        "{curl}"
    );

    screenshots(&client, "inspector-listen").await;
    assert_eq!(script_errors(&client).await, Vec::<Value>::new());
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn with_an_inbox_the_inspector_shows_it_and_purges_it() {
    let (app_url, mut received) = app().await;
    let dir = std::env::temp_dir().join(format!("hook-inspector-inbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let inbox = dir.join("inbox.db");
    let inbox = inbox.to_str().unwrap();
    let listener = Listener::forwarding("generic", SECRET, &app_url, &["--ui", "--inbox", inbox]);
    let base = listener.url.trim_end_matches("hooks").to_owned();
    let (_driver, client) = browser().await;
    client.goto(&format!("{base}_hook/ui")).await.unwrap();
    wait_for(&client, "body[data-live='true']").await;
    wait_for(&client, "#inbox:not([hidden])").await;
    let body = r#"{"id":"evt_9","type":"user.created","data":{}}"#;
    assert_eq!(post(&listener.url, body, &signed(body)).await, 200);
    next(&mut received).await;
    // Handled by the app through the inbox: the row says so, live.
    wait_for(&client, "#inbox-rows tr[data-status='done']").await;
    click(&client, "#purge").await;
    wait_for(&client, "body[data-inbox-rows='0']").await;
    assert_eq!(script_errors(&client).await, Vec::<Value>::new());
    client.close().await.unwrap();
    drop(listener);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_emulator_page_shows_attempts_after_a_failure_and_fires_events() {
    let emulator = hook_emulator::Emulator::builder()
        .time_scale(0.0001)
        .start()
        .await
        .unwrap();
    let verifier = hook_sign::Verifier::new(Scheme::generic(), SECRET).unwrap();
    let receiver = hook_emulator::Receiver::start(verifier).await.unwrap();
    receiver.script([500]);
    let created = reqwest::Client::new()
        .post(format!("{}/v1/webhooks", emulator.generic_base()))
        .bearer_auth(emulator.credentials().generic.api_key.expose())
        .json(&json!({"url": receiver.url(), "events": ["user.created"], "secret": SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let hook: Value = created.json().await.unwrap();
    let hook = hook["id"].as_str().unwrap().to_owned();
    // A fault and a chaos rule that change nothing here, for the page to list.
    let fault = hook_emulator::FaultRule::new(hook_emulator::FaultKind::Status { status: 503 })
        .on("GET", "/port/v1/blueprints");
    emulator.admin().inject(&fault).await.unwrap();
    let chaos = hook_emulator::ChaosRule::new(hook_facade::generic::PROVIDER, &hook).stale(0.0);
    emulator.admin().chaos(&chaos).await.unwrap();

    let (_driver, client) = browser().await;
    client
        .goto(&format!("{}/_ui", emulator.url()))
        .await
        .unwrap();
    assert_eq!(client.title().await.unwrap(), "hook emulator");
    wait_for(&client, "body[data-live='true']").await;
    // Fire from the page's own form.
    select(&client, "#fire-provider", "generic").await;
    select(&client, "#fire-type", "user.created").await;
    client
        .find(Locator::Css("#fire button[type='submit']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The first attempt fails (500), the retry succeeds: both on the page, live. Read in
    // one script, as the page redraws on every change of the log.
    wait_for(&client, "article[data-attempts='2'][data-status='success']").await;
    let shown = client
        .execute(
            "const a = document.querySelector(\"article[data-attempts='2']\");
             return {text: a.innerText, marks: a.querySelectorAll('.mark.ok, .mark.bad').length};",
            vec![],
        )
        .await
        .unwrap();
    let text = shown["text"].as_str().unwrap();
    assert!(
        text.contains("HTTP 500") && text.contains("HTTP 200"),
        "{text}"
    );
    assert_eq!(shown["marks"], 2, "two attempts on the timeline: {text}");
    let rules = client
        .execute(
            "return document.getElementById('faults').innerText + '|' + document.getElementById('chaos').innerText;",
            vec![],
        )
        .await
        .unwrap();
    let rules = rules.as_str().unwrap();
    assert!(
        rules.contains("/port/v1/blueprints") && rules.contains("503"),
        "{rules}"
    );
    assert!(rules.contains(&hook), "{rules}");
    let page = client.source().await.unwrap();
    assert!(!page.contains(SECRET), "the webhook's secret is not shown");
    let api_key = emulator.credentials().generic.api_key.expose().to_owned();
    assert!(!page.contains(&api_key));

    screenshots(&client, "inspector-emulator").await;
    assert_eq!(script_errors(&client).await, Vec::<Value>::new());
    client.close().await.unwrap();
    drop(receiver);
    emulator.shutdown().await;
}
