//! What hook-model itself does for every provider: `list_all` walks a provider's pages
//! through `&dyn WebhookApi` (asking for each page with the caller's filters, stopping at
//! the last page, at the first error, or at `MAX_PAGES`), and the trait's provided methods
//! and the URL check behave as documented. The provider here is a script of pages that
//! records what it was asked; it implements nothing else, so every assertion is about
//! hook-model's code, not the stub's.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::VecDeque;
use std::sync::Mutex;

use futures_util::{StreamExt as _, TryStreamExt as _};
use hook_model::check::{self, Scheme};
use hook_model::{
    Capabilities, Error, EventTypeInfo, ListQuery, MAX_PAGES, Page, Paging, Provider, TestOutcome,
    Webhook, WebhookApi, WebhookId, WebhookPatch, WebhookSpec, async_trait, list_all,
};

/// The scripted provider's name.
const SCRIPT: Provider = Provider::new("script");

/// A provider whose `list` answers from a script and records each query; `None` in the
/// script is "always one more page".
struct Pages {
    script: Mutex<VecDeque<Result<Page<Webhook>, Error>>>,
    endless: bool,
    asked: Mutex<Vec<ListQuery>>,
}

impl Pages {
    fn new(script: Vec<Result<Page<Webhook>, Error>>) -> Pages {
        Pages {
            script: Mutex::new(script.into()),
            endless: false,
            asked: Mutex::new(Vec::new()),
        }
    }

    fn endless() -> Pages {
        Pages {
            endless: true,
            ..Pages::new(Vec::new())
        }
    }

    fn asked(&self) -> Vec<ListQuery> {
        self.asked.lock().unwrap().clone()
    }
}

fn hook(id: &str) -> Webhook {
    Webhook::new(SCRIPT, id, serde_json::json!({}))
}

fn page(ids: &[&str], number: u32, more: bool) -> Result<Page<Webhook>, Error> {
    Ok(Page::new(ids.iter().map(|id| hook(id)).collect(), number).with_more(more))
}

fn not_here() -> Error {
    Error::unsupported(SCRIPT, "this call", "the script only lists")
}

#[async_trait]
impl WebhookApi for Pages {
    fn capabilities(&self) -> Capabilities {
        Capabilities::new(SCRIPT, Paging::PageNumber)
    }

    async fn list(&self, query: &ListQuery) -> Result<Page<Webhook>, Error> {
        self.asked.lock().unwrap().push(query.clone());
        if self.endless {
            return page(&["again"], query.page_number(), true);
        }
        self.script
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or_else(|| panic!("list called after the last page: {query:?}"))
    }

    async fn get(&self, _id: &WebhookId) -> Result<Webhook, Error> {
        Err(not_here())
    }

    async fn create(&self, _spec: &WebhookSpec) -> Result<Webhook, Error> {
        Err(not_here())
    }

    async fn update(&self, _id: &WebhookId, _patch: &WebhookPatch) -> Result<Webhook, Error> {
        Err(not_here())
    }

    async fn delete(&self, _id: &WebhookId) -> Result<(), Error> {
        Err(not_here())
    }

    async fn test(&self, _id: &WebhookId) -> Result<TestOutcome, Error> {
        Err(not_here())
    }

    async fn event_types(&self) -> Result<Vec<EventTypeInfo>, Error> {
        Err(not_here())
    }
}

/// A `Box<dyn WebhookApi>` can be shared across tasks.
const _: fn() = || {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<Box<dyn WebhookApi>>();
};

#[tokio::test]
async fn list_all_asks_for_each_page_with_the_callers_filters_and_stops_at_the_last() {
    let api: Box<dyn WebhookApi> = Box::new(Pages::new(vec![
        page(&["a", "b"], 1, true),
        page(&["c"], 2, true),
        page(&["d"], 3, false),
    ]));
    let query = ListQuery::new()
        .enabled(true)
        .url("https://example.com/h")
        .per_page(2);
    let ids: Vec<String> = list_all(api.as_ref(), query.clone())
        .map_ok(|w| w.id.to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a", "b", "c", "d"]);
}

#[tokio::test]
async fn list_all_passes_the_next_page_number_and_keeps_every_filter() {
    let pages = Pages::new(vec![page(&["a"], 1, true), page(&["b"], 2, false)]);
    let query = ListQuery::new()
        .enabled(false)
        .event_type("job.completed")
        .per_page(1);
    let all: Vec<Webhook> = list_all(&pages, query.clone()).try_collect().await.unwrap();
    assert_eq!(all.len(), 2);
    let asked = pages.asked();
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert_eq!(asked[0], query);
    assert_eq!(asked[1], query.clone().page(2));
}

#[tokio::test]
async fn the_first_error_ends_the_stream_after_the_pages_before_it() {
    let pages = Pages::new(vec![
        page(&["a"], 1, true),
        Err(Error::unsupported(SCRIPT, "list", "page two broke")),
        page(&["never"], 3, false),
    ]);
    let items: Vec<Result<Webhook, Error>> = list_all(&pages, ListQuery::new()).collect().await;
    assert_eq!(items.len(), 2, "one webhook, then the error, then nothing");
    assert_eq!(items[0].as_ref().unwrap().id.as_str(), "a");
    assert!(
        items[1]
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("page two broke")
    );
    assert_eq!(pages.asked().len(), 2, "page 3 is never asked for");
}

#[tokio::test]
async fn a_provider_that_always_says_more_is_stopped_after_max_pages() {
    let pages = Pages::endless();
    let items: Vec<Result<Webhook, Error>> = list_all(&pages, ListQuery::new()).collect().await;
    assert_eq!(items.len(), MAX_PAGES as usize + 1);
    let last = items.last().unwrap().as_ref().unwrap_err();
    assert!(
        matches!(last, Error::Invalid { field, .. } if field == "page"),
        "{last}"
    );
    assert!(
        last.to_string().contains("kept saying there was more"),
        "{last}"
    );
    assert_eq!(pages.asked().len(), MAX_PAGES as usize);
}

#[test]
fn the_provided_methods_come_from_capabilities() {
    let api: Box<dyn WebhookApi> = Box::new(Pages::new(Vec::new()));
    assert_eq!(api.provider(), SCRIPT);
    assert_eq!(api.capabilities().paging, Paging::PageNumber);
}

#[test]
fn the_url_check_refuses_plain_http_off_loopback_and_names_the_field() {
    let error = check::url("url", "http://example.com", Scheme::HttpsOnly).unwrap_err();
    assert!(
        matches!(&error, Error::Invalid { field, .. } if field == "url"),
        "{error}"
    );
    check::url("url", "https://example.com/hook", Scheme::HttpsOnly).unwrap();
}
