//! [`AdminClient`]: the admin API over HTTP.

use std::time::Duration;

use hook_model::Provider;
use serde::Deserialize;

use super::{DeliveryLog, FireRequest, Fired, IngestLog, InvokeRequest};
use crate::faults::{FaultRule, RecordedRequest};
use crate::ingest::IngestRecord;
use crate::state::DeliveryRecord;

/// Calls the admin API over HTTP.
#[derive(Debug, Clone)]
pub struct AdminClient {
    base: String,
    http: reqwest::Client,
}

/// An admin call failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The request did not complete.
    #[error("admin request failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The emulator refused it.
    #[error("the emulator answered {status}: {body}")]
    Refused {
        /// The status.
        status: u16,
        /// The answer.
        body: String,
    },
}

impl AdminClient {
    /// A client for the emulator at `base` (`http://127.0.0.1:port`).
    pub fn new(base: impl Into<String>) -> Self {
        hook_http::tls::ensure_provider();
        AdminClient {
            base: base.into().trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap_or_default(),
        }
    }

    async fn call<T: for<'de> Deserialize<'de>>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, AdminError> {
        let response = request.send().await?;
        let status = response.status();
        if !status.is_success() {
            return Err(AdminError::Refused {
                status: status.as_u16(),
                body: response.text().await.unwrap_or_default(),
            });
        }
        Ok(response.json().await?)
    }

    /// Fires `kind` for `provider` with `data`.
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn fire(
        &self,
        provider: Provider,
        kind: &str,
        data: serde_json::Value,
    ) -> Result<Fired, AdminError> {
        let body = FireRequest {
            provider,
            kind: kind.to_owned(),
            data,
        };
        self.call(self.http.post(self.at("events")).json(&body))
            .await
    }

    /// Deliveries matching `query` pairs (`provider`, `webhook_id`, `id`, `event_type`).
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn deliveries(
        &self,
        query: &[(&str, &str)],
    ) -> Result<Vec<DeliveryRecord>, AdminError> {
        self.delivery_log(query, None).await
    }

    /// Waits until no delivery matching `query` is pending (at most `timeout`), then
    /// returns them. Fails with status 408 on time-out.
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn settled(
        &self,
        query: &[(&str, &str)],
        timeout: Duration,
    ) -> Result<Vec<DeliveryRecord>, AdminError> {
        self.wait(query, "settled", timeout).await
    }

    /// Waits until at least one delivery matches `query` and each has made `attempts`
    /// attempts (at most `timeout`).
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn attempts(
        &self,
        query: &[(&str, &str)],
        attempts: u32,
        timeout: Duration,
    ) -> Result<Vec<DeliveryRecord>, AdminError> {
        let attempts = attempts.to_string();
        let mut pairs = query.to_vec();
        pairs.push(("attempts", &attempts));
        self.wait(&pairs, "attempts", timeout).await
    }

    async fn wait(
        &self,
        query: &[(&str, &str)],
        how: &str,
        timeout: Duration,
    ) -> Result<Vec<DeliveryRecord>, AdminError> {
        let ms = timeout.as_millis().to_string();
        let mut pairs = query.to_vec();
        pairs.push(("wait", how));
        pairs.push(("timeout_ms", &ms));
        self.delivery_log(&pairs, Some(timeout)).await
    }

    /// `GET /_admin/deliveries?{pairs}`; a request that waits up to `timeout` is given
    /// five seconds more to answer.
    async fn delivery_log(
        &self,
        pairs: &[(&str, &str)],
        timeout: Option<Duration>,
    ) -> Result<Vec<DeliveryRecord>, AdminError> {
        let mut request = self.http.get(self.at("deliveries")).query(pairs);
        if let Some(timeout) = timeout {
            request = request.timeout(timeout + Duration::from_secs(5));
        }
        let log: DeliveryLog = self.call(request).await?;
        Ok(log.deliveries)
    }

    /// The URL of the admin route `path`.
    fn at(&self, path: &str) -> String {
        format!("{}/_admin/{path}", self.base)
    }

    /// The request log.
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn requests(&self) -> Result<Vec<RecordedRequest>, AdminError> {
        #[derive(Deserialize)]
        struct List {
            requests: Vec<RecordedRequest>,
        }
        let list: List = self.call(self.http.get(self.at("requests"))).await?;
        Ok(list.requests)
    }

    /// Empties the request log.
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn clear_requests(&self) -> Result<(), AdminError> {
        let _: serde_json::Value = self.call(self.http.delete(self.at("requests"))).await?;
        Ok(())
    }

    /// Adds a fault rule; returns its id.
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn inject(&self, rule: &FaultRule) -> Result<String, AdminError> {
        let answer: serde_json::Value = self
            .call(self.http.post(self.at("faults")).json(rule))
            .await?;
        Ok(answer["id"].as_str().unwrap_or_default().to_owned())
    }

    /// The fault rules, with how often each fired.
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn faults(&self) -> Result<Vec<FaultRule>, AdminError> {
        let answer: serde_json::Value = self.call(self.http.get(self.at("faults"))).await?;
        Ok(serde_json::from_value(answer["faults"].clone()).unwrap_or_default())
    }

    /// Restarts the fault generator from `seed`: the same requests, in the same order, meet
    /// the same faults.
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn seed_faults(&self, seed: u64) -> Result<(), AdminError> {
        let _: serde_json::Value = self
            .call(
                self.http
                    .post(self.at("faults/seed"))
                    .json(&serde_json::json!({"seed": seed})),
            )
            .await?;
        Ok(())
    }

    /// The seed the fault generator started from (print it to replay a failing run).
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn fault_seed(&self) -> Result<u64, AdminError> {
        let answer: serde_json::Value = self.call(self.http.get(self.at("faults"))).await?;
        Ok(answer["seed"].as_u64().unwrap_or_default())
    }

    /// How many times each fault rule fired, in the order they were injected.
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn fired(&self) -> Result<Vec<u64>, AdminError> {
        Ok(self.faults().await?.iter().map(|f| f.fired).collect())
    }

    /// Switches chaos on for one webhook's deliveries (the latest rule for a webhook
    /// wins).
    ///
    /// # Errors
    ///
    /// [`AdminError::Refused`] with status 400 when a share is outside 0 to 1, the delay
    /// over an hour, or the webhook unknown; [`AdminError::Http`] when the request does
    /// not complete.
    pub async fn chaos(&self, rule: &crate::ChaosRule) -> Result<(), AdminError> {
        let _: serde_json::Value = self
            .call(self.http.post(self.at("chaos")).json(rule))
            .await?;
        Ok(())
    }

    /// Removes every chaos rule and lets every held delivery go.
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn clear_chaos(&self) -> Result<(), AdminError> {
        let _: serde_json::Value = self.call(self.http.delete(self.at("chaos"))).await?;
        Ok(())
    }

    /// Removes every fault rule.
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn clear_faults(&self) -> Result<(), AdminError> {
        let _: serde_json::Value = self.call(self.http.delete(self.at("faults"))).await?;
        Ok(())
    }

    /// Expires every issued token.
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn expire_tokens(&self) -> Result<u64, AdminError> {
        let answer: serde_json::Value = self.call(self.http.post(self.at("tokens/expire"))).await?;
        Ok(answer["expired"].as_u64().unwrap_or_default())
    }

    /// Moves a manual clock forward.
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn advance(&self, by: Duration) -> Result<(), AdminError> {
        let body = serde_json::json!({"seconds": by.as_secs_f64()});
        let _: serde_json::Value = self
            .call(self.http.post(self.at("clock/advance")).json(&body))
            .await?;
        Ok(())
    }

    /// The ingest log: what became of requests sent to Port ingest URLs.
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn ingests(&self) -> Result<Vec<IngestRecord>, AdminError> {
        self.ingested("", 0, Duration::ZERO).await
    }

    /// Waits until `webhook`'s ingest log (every webhook's, when empty) holds at least `min`
    /// records (at most `timeout`), then returns it. Fails with status 408 on time-out.
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn ingested(
        &self,
        webhook: &str,
        min: usize,
        timeout: Duration,
    ) -> Result<Vec<IngestRecord>, AdminError> {
        let (min, ms) = (min.to_string(), timeout.as_millis().to_string());
        let mut pairs = vec![("min", min.as_str()), ("timeout_ms", ms.as_str())];
        if !webhook.is_empty() {
            pairs.push(("webhook", webhook));
        }
        let log: IngestLog = self
            .call(
                self.http
                    .get(self.at("port/ingests"))
                    .query(&pairs)
                    .timeout(timeout + Duration::from_secs(5)),
            )
            .await?;
        Ok(log.ingests)
    }

    /// Sends `body` to `url` as a Port action invocation, signed with the emulator's Port
    /// client secret (`Scheme::port()`); returns the delivery's id (see
    /// [`AdminClient::settled`]).
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn invoke(&self, url: &str, body: &serde_json::Value) -> Result<String, AdminError> {
        let request = InvokeRequest {
            url: url.to_owned(),
            body: body.clone(),
        };
        let answer: serde_json::Value = self
            .call(self.http.post(self.at("port/invoke")).json(&request))
            .await?;
        Ok(answer["delivery"].as_str().unwrap_or_default().to_owned())
    }

    /// Forgets every webhook, token, delivery, fault and recorded request.
    ///
    /// # Errors
    ///
    /// [`AdminError::Http`] when the request does not complete; [`AdminError::Refused`] with
    /// the status and body when the emulator refuses it.
    pub async fn reset(&self) -> Result<(), AdminError> {
        let _: serde_json::Value = self.call(self.http.post(self.at("reset"))).await?;
        Ok(())
    }
}
