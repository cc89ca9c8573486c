//! Cursor pagination: `?limit=` (1 to 1000, 100 by default) and `?cursor=`, answered as
//! `{ "items": [...], "next": "<cursor>" | null }`.
//!
//! A cursor is opaque to clients: the base64url of the last item's key. Lists are in key order
//! and a page is "the next `limit` keys after the cursor" (keyset, not offset), so an item
//! inserted meanwhile neither shifts a later page nor repeats an item already seen.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::params::parse;
use super::problem::ApiError;
use crate::service::Slice;

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;

/// The marker of this cursor format, so that a cursor of another format is refused.
const VERSION: &str = "k1:";

/// The paging parameters of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many items a page holds, 1 to 1000.
    #[param(minimum = 1, maximum = 1000, default = 100)]
    limit: Option<u32>,
    /// The `next` of the previous page; absent for the first page.
    cursor: Option<String>,
}

/// A request's page: at most `limit` items after `after` (a key; none for the first page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub limit: u32,
    pub after: Option<String>,
}

impl Page {
    pub fn from_params(params: PageParams) -> Result<Self, ApiError> {
        let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad_parameter(
                "limit",
                format!("must be from 1 to {MAX_LIMIT}"),
            ));
        }
        let after = params
            .cursor
            .map(|cursor| {
                decode(&cursor).ok_or_else(|| {
                    ApiError::bad_parameter("cursor", "is not a cursor of this list")
                })
            })
            .transpose()?;
        Ok(Self { limit, after })
    }

    /// The page's items, asked one more than `limit` so that a full last page is known to be
    /// last: `fetched` holds up to `limit + 1` items in key order.
    pub fn fetch_size(&self) -> u32 {
        self.limit + 1
    }

    /// The answer of a page from `fetched` (up to `fetch_size()` items): the first `limit`,
    /// and a cursor after the last of them when more follow.
    pub fn answer<T, U>(
        &self,
        mut fetched: Vec<T>,
        key: impl Fn(&T) -> String,
        render: impl Fn(T) -> U,
    ) -> Paged<U> {
        let more = fetched.len() > self.limit as usize;
        fetched.truncate(self.limit as usize);
        let next = more
            .then(|| fetched.last().map(|last| encode(&key(last))))
            .flatten();
        Paged {
            items: fetched.into_iter().map(render).collect(),
            next,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Self::from_params(parse(parts.uri.query().unwrap_or_default())?)
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// The cursor of the next page; null on the last page.
    pub next: Option<String>,
}

pub fn encode(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{VERSION}{key}"))
}

pub fn decode(cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix(VERSION).map(str::to_owned)
}

impl Page {
    /// The cursor's key as an integer (lists keyed by a record's numeric id).
    pub fn after_id(&self) -> Result<Option<i64>, ApiError> {
        self.after
            .as_deref()
            .map(|key| {
                key.parse()
                    .map_err(|_| ApiError::bad_parameter("cursor", "is not a cursor of this list"))
            })
            .transpose()
    }

    /// The rows a service reads for this page of a list keyed by row id: those after the
    /// cursor's, one more than the page holds (see `answer`).
    pub fn slice(&self) -> Result<Slice, ApiError> {
        Ok(Slice {
            after: self.after_id()?,
            limit: Some(self.fetch_size()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_decodes_to_its_key_and_nothing_else_decodes() {
        assert_eq!(decode(&encode("42")).as_deref(), Some("42"));
        assert_eq!(decode("bm9wZQ"), None);
        assert_eq!(decode("***"), None);
        assert_eq!(decode(""), None);
    }

    #[test]
    fn a_page_has_a_next_cursor_only_when_more_follow() {
        let page = Page {
            limit: 2,
            after: None,
        };
        let full = page.answer(vec![1, 2, 3], |k| k.to_string(), |k| k);
        assert_eq!(full.items, vec![1, 2]);
        assert_eq!(full.next.as_deref().and_then(decode).as_deref(), Some("2"));
        let last = page.answer(vec![1, 2], |k| k.to_string(), |k| k);
        assert_eq!(last.next, None);
    }

    #[test]
    fn a_limit_outside_its_range_is_refused() {
        for limit in [0, 1001] {
            let params = PageParams {
                limit: Some(limit),
                cursor: None,
            };
            assert!(Page::from_params(params).is_err());
        }
    }
}
