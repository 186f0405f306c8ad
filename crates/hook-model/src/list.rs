//! Filters and paging for lists, and one page of an answer.

use crate::EventType;
use crate::Webhook;

/// Filters and paging for [`crate::WebhookApi::list`]; all optional.
///
/// ```
/// use hook_model::ListQuery;
/// let query = ListQuery::new().enabled(true).event_type("job.completed").per_page(50);
/// assert_eq!(query.page_number(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListQuery {
    /// Only enabled (or only disabled) webhooks.
    pub enabled: Option<bool>,
    /// Only webhooks subscribed to this event.
    pub event_type: Option<EventType>,
    /// Only webhooks delivering to this URL.
    pub url: Option<String>,
    /// The 1-based page to fetch; `None` is the first.
    pub page: Option<u32>,
    /// Items per page; `None` is the provider's default.
    pub per_page: Option<u32>,
}

impl ListQuery {
    /// Every webhook, first page, the provider's page size.
    pub fn new() -> Self {
        ListQuery::default()
    }

    crate::setters! {
        /// Only enabled (or only disabled) webhooks.
        enabled: some bool;
        /// Only webhooks subscribed to this event.
        event_type: Option<EventType>;
        /// Only webhooks delivering to this URL.
        url: Option<String>;
        /// The 1-based page to fetch.
        page: some u32;
        /// Items per page.
        per_page: some u32;
    }

    /// Whether `webhook` passes the query's filters (`enabled`, `url`, `event_type`), for
    /// providers that cannot filter server-side.
    pub fn matches(&self, webhook: &Webhook) -> bool {
        self.enabled.is_none_or(|e| webhook.enabled == e)
            && self.url.as_ref().is_none_or(|u| webhook.url == *u)
            && self
                .event_type
                .as_ref()
                .is_none_or(|e| webhook.events.contains(e))
    }

    /// The page number, 1-based.
    pub fn page_number(&self) -> u32 {
        self.page.unwrap_or(1).max(1)
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// This page's number, 1-based.
    pub page: u32,
    /// The total number of items across pages, when the provider counts them.
    pub total: Option<u64>,
    /// Whether a next page may hold more.
    pub has_more: bool,
}

impl<T> Page<T> {
    /// Page number `page` holding `items`, the last one, total unknown.
    pub fn new(items: Vec<T>, page: u32) -> Self {
        Page {
            items,
            page,
            total: None,
            has_more: false,
        }
    }

    /// The same page, counting `total` items across pages.
    pub fn with_total(mut self, total: Option<u64>) -> Self {
        self.total = total;
        self
    }

    /// The same page, saying whether a next page may hold more.
    pub fn with_more(mut self, has_more: bool) -> Self {
        self.has_more = has_more;
        self
    }

    /// The query for the next page, if there is one.
    pub fn next_query(&self, query: &ListQuery) -> Option<ListQuery> {
        self.has_more.then(|| ListQuery {
            page: Some(self.page.saturating_add(1)),
            ..query.clone()
        })
    }
}

impl Page<Webhook> {
    /// Page `query.page` of `webhooks` with `query`'s filters applied here, for providers
    /// that cannot filter server-side (so a page may hold fewer items than asked).
    pub fn filtered(webhooks: Vec<Webhook>, query: &ListQuery) -> Self {
        Page::new(
            webhooks.into_iter().filter(|w| query.matches(w)).collect(),
            query.page_number(),
        )
    }
}

/// How a provider pages its lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Paging {
    /// One answer holds everything.
    None,
    /// `$top`/`$skip` offsets (UiPath OData).
    Offset,
    /// `page`/`per_page` numbers.
    PageNumber,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_know_their_next_query() {
        let page = Page::new(vec![1], 2).with_total(Some(3)).with_more(true);
        let query = ListQuery::new().enabled(true);
        let next = page.next_query(&query).unwrap();
        assert_eq!((next.page, next.enabled), (Some(3), Some(true)));
        assert!(Page::<u8>::new(vec![], 1).next_query(&query).is_none());
    }
}
