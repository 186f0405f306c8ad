//! The `tower` layer in front of an axum app over loopback, and in front of a plain tower
//! service: verified requests reach the inner service with `Verified` and the body as
//! extensions; bad signatures get 401 with the reason (text or JSON); bodies over the
//! limit get 413; header-list (UP42) signatures verify too.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::convert::Infallible;

use axum::Router;
use axum::body::Body;
use axum::routing::post;
use bytes::Bytes;
use hook_sign::layer::{VerifiedBody, VerifyLayer};
use hook_sign::testing::TestKit;
use hook_sign::{Scheme, Verified, Verifier};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use tower::{ServiceBuilder, ServiceExt as _};

const BODY: &[u8] = br#"{"id":"evt_1","type":"user.created"}"#;

/// The headers of a delivery of `body` signed for `scheme`, from the test kit.
fn signed(scheme: Scheme, secret: &str, body: &[u8]) -> Vec<(String, String)> {
    TestKit::new(scheme, secret)
        .unwrap()
        .id("d-1")
        .signed(body)
        .unwrap()
        .headers
        .into_iter()
        .filter(|(k, _)| {
            !k.eq_ignore_ascii_case("content-type") && !k.eq_ignore_ascii_case("X-GitHub-Delivery")
        })
        .collect()
}

async fn handler(request: axum::extract::Request) -> String {
    let verified = request.extensions().get::<Verified>().copied().unwrap();
    let body = request.extensions().get::<VerifiedBody>().cloned().unwrap();
    format!("ok secret {} {} bytes", verified.secret_index, body.0.len())
}

#[tokio::test]
async fn an_axum_app_behind_the_layer_over_loopback() {
    let verifier = Verifier::with_secrets(Scheme::generic(), ["old", "new"]).unwrap();
    let app = Router::new()
        .route("/hook", post(handler))
        .layer(VerifyLayer::new(verifier).body_limit(1024));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let send = |headers: Vec<(String, String)>, body: Vec<u8>| {
        let mut request = http.post(&url).body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };

    let (status, text) = send(signed(Scheme::generic(), "new", BODY), BODY.to_vec()).await;
    assert_eq!(
        (status, text.as_str()),
        (StatusCode::OK, "ok secret 1 36 bytes"),
        "the second secret matched (rotation)"
    );
    let (status, text) = send(signed(Scheme::generic(), "new", BODY), b"{}".to_vec()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        text.starts_with("invalid signature: no signature matched"),
        "{text}"
    );
    let (status, _) = send(Vec::new(), BODY.to_vec()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let big = vec![b'x'; 2048];
    let (status, text) = send(signed(Scheme::generic(), "new", &big), big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
}

#[tokio::test]
async fn a_plain_tower_service_with_json_refusals_and_a_header_list_scheme() {
    let inner = tower::service_fn(|request: Request<Full<Bytes>>| async move {
        let verified = request.extensions().get::<Verified>().copied();
        let body = request.into_body().collect().await.unwrap().to_bytes();
        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(format!(
            "{} {:?}",
            body.len(),
            verified.and_then(|v| v.timestamp).is_some()
        )))))
    });
    let layer = VerifyLayer::new(Verifier::new(Scheme::up42(), "s").unwrap()).json_errors(true);
    let service = ServiceBuilder::new().layer(layer).service(inner);

    let mut request = Request::post("/hook");
    for (name, value) in signed(Scheme::up42(), "s", BODY) {
        request = request.header(name, value);
    }
    let request = request
        .header("content-type", "application/json")
        .body(Body::from(BODY))
        .unwrap();
    let response = service.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(
        &text[..],
        b"36 true",
        "the body went on whole, created was checked"
    );

    let mut request = Request::post("/hook");
    for (name, value) in signed(Scheme::up42(), "s", BODY) {
        request = request.header(name, value);
    }
    let request = request
        .header("content-type", "application/json")
        .body(Body::from(&b"{\"tampered\":1}"[..]))
        .unwrap();
    let response = service.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["content-type"], "application/json");
    let text = response.into_body().collect().await.unwrap().to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&text).unwrap();
    assert_eq!(json["error"], "invalid_signature");
    assert!(
        json["message"].as_str().unwrap().contains("Content-Digest"),
        "{json}"
    );
}

/// Verification alone never acknowledges a delivery it did not hand on: a repeated delivery
/// id reaches the inner service every time (deduplication is hook-receiver's, which
/// completes a key only on the handler's success).
#[tokio::test]
async fn a_repeated_delivery_reaches_the_service_every_time() {
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = calls.clone();
    let inner = tower::service_fn(move |_: Request<Full<Bytes>>| {
        let n = counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // The first attempt fails, as a handler does; the retry must run it again.
        let status = if n == 0 { 500 } else { 200 };
        async move {
            let mut response = Response::new(Full::new(Bytes::from("handled")));
            *response.status_mut() = StatusCode::from_u16(status).unwrap();
            Ok::<_, Infallible>(response)
        }
    });
    let service = ServiceBuilder::new()
        .layer(VerifyLayer::new(
            Verifier::new(Scheme::github(), "s").unwrap(),
        ))
        .service(inner);
    let request = || {
        let mut request = Request::post("/hook").header("X-GitHub-Delivery", "d-1");
        for (name, value) in signed(Scheme::github(), "s", BODY) {
            request = request.header(name, value);
        }
        request.body(Body::from(BODY)).unwrap()
    };
    let first = service.clone().oneshot(request()).await.unwrap();
    assert_eq!(first.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let retry = service.clone().oneshot(request()).await.unwrap();
    assert_eq!(retry.status(), StatusCode::OK);
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_plain_hyper_server_behind_the_layer_over_loopback() {
    let inner = tower::service_fn(|request: Request<Full<Bytes>>| async move {
        let verified = request.extensions().get::<Verified>().is_some();
        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(format!(
            "verified {verified}"
        )))))
    });
    let verifier = Verifier::new(Scheme::stripe(), "whsec_hyper").unwrap();
    let service = ServiceBuilder::new()
        .layer(VerifyLayer::new(verifier))
        .service(inner);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = hyper_util::service::TowerToHyperService::new(service.clone());
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service),
            );
        }
    });
    let kit = TestKit::new(Scheme::stripe(), "whsec_hyper").unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let send = |delivery: hook_sign::testing::TestDelivery| {
        let mut request = http.post(&url).body(delivery.body);
        for (name, value) in delivery.headers {
            request = request.header(name, value);
        }
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let (status, text) = send(kit.signed(BODY).unwrap()).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "verified true"));
    for (how, delivery) in kit.every_breakage(BODY).unwrap() {
        let (status, text) = send(delivery).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{how:?}: {text}");
    }
}
