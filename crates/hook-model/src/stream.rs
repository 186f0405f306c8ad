//! Walking every page of a list as one stream.

use futures_util::stream::{self, BoxStream, StreamExt as _};

use crate::{Error, ListQuery, Webhook, WebhookApi};

/// The most pages [`list_all`] fetches before it stops with an error, so a provider that
/// always says "more" cannot loop forever.
pub const MAX_PAGES: u32 = 10_000;

/// Every webhook matching `query`, page after page, as a stream. The first error ends it.
///
/// ```
/// # async fn run(api: &dyn hook_model::WebhookApi) -> Result<(), hook_model::Error> {
/// use futures_util::TryStreamExt as _;
/// let all: Vec<_> = hook_model::list_all(api, hook_model::ListQuery::default()).try_collect().await?;
/// # Ok(()) }
/// ```
pub fn list_all(api: &dyn WebhookApi, query: ListQuery) -> BoxStream<'_, Result<Webhook, Error>> {
    let first = Some(query);
    stream::unfold((first, 0u32), move |(next, fetched)| async move {
        let query = next?;
        if fetched >= MAX_PAGES {
            let error = Error::invalid(
                "page",
                format!("stopped after {MAX_PAGES} pages: the provider kept saying there was more"),
            );
            return Some((vec![Err(error)], (None, fetched)));
        }
        match api.list(&query).await {
            Ok(page) => {
                let next = page.next_query(&query);
                let items: Vec<Result<Webhook, Error>> = page.items.into_iter().map(Ok).collect();
                Some((items, (next, fetched + 1)))
            }
            Err(error) => Some((vec![Err(error)], (None, fetched + 1))),
        }
    })
    .flat_map(stream::iter)
    .boxed()
}
