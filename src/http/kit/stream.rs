//! A long JSON array sent page by page, so that a request holds one page in memory whatever
//! the list's length.

use axum::body::{Body, Bytes};
use futures_util::{Stream, StreamExt, stream};
use serde::Serialize;

use crate::service::ServiceResult;

/// A body of `opening`, the items of every page as one JSON array's elements, then what
/// `closing` makes of the number of items sent: `{"users":[` + items + `],"metadata":{…}}`.
///
/// The first page is read before answering, so an error there is an ordinary error response
/// (`Err`); an error on a later page, when the status has long been sent, is logged and cuts
/// the body short: the client sees the connection end mid-JSON, never a complete wrong list.
pub async fn json_array<T, S, C>(opening: Vec<u8>, pages: S, closing: C) -> ServiceResult<Body>
where
    T: Serialize + Send + 'static,
    S: Stream<Item = ServiceResult<Vec<T>>> + Send + 'static,
    C: FnOnce(usize) -> Vec<u8> + Send + 'static,
{
    let mut pages = Box::pin(pages);
    let first = pages.next().await.transpose()?.unwrap_or_default();
    let count = first.len();
    let opening = page_chunk(opening, &first, 0);

    // The state is the pages still to read, the items sent so far and the closing; `None`
    // once the body has ended.
    let rest = stream::unfold(Some((pages, count, closing)), |state| async move {
        let (mut pages, count, closing) = state?;
        match pages.next().await {
            Some(Ok(items)) => {
                let chunk = page_chunk(Vec::new(), &items, count);
                Some((Ok(chunk), Some((pages, count + items.len(), closing))))
            }
            Some(Err(error)) => {
                tracing::error!(
                    error = %format!("{error:#}"),
                    items_sent = count,
                    "a paged list failed after its first page; the response is cut short"
                );
                Some((
                    Err(std::io::Error::other("the list could not be read")),
                    None,
                ))
            }
            None => Some((Ok(Bytes::from(closing(count))), None)),
        }
    });
    let body = stream::once(async move { Ok(opening) }).chain(rest);
    Ok(Body::from_stream(body))
}

/// `chunk` followed by `items`, comma-separated, with a leading comma when `sent` items
/// already precede them in the array.
fn page_chunk<T: Serialize>(mut chunk: Vec<u8>, items: &[T], sent: usize) -> Bytes {
    for (i, item) in items.iter().enumerate() {
        if sent + i > 0 {
            chunk.push(b',');
        }
        let before = chunk.len();
        // Items are the faces' own serializable shapes (strings, numbers, maps with string
        // keys): serializing them into memory cannot fail.
        serde_json::to_writer(&mut chunk, item).expect("a face's JSON item serializes");
        if i == 0 {
            // Room for the rest at the first item's size, rather than growing step by step.
            chunk.reserve((chunk.len() - before + 1) * (items.len() - 1));
        }
    }
    Bytes::from(chunk)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::ServiceError;
    use http_body_util::BodyExt;

    async fn collect(body: Body) -> Result<Vec<u8>, String> {
        body.collect()
            .await
            .map(|collected| collected.to_bytes().to_vec())
            .map_err(|error| error.to_string())
    }

    fn closing(count: usize) -> Vec<u8> {
        format!("],\"count\":{count}}}").into_bytes()
    }

    #[tokio::test]
    async fn pages_make_one_array_and_the_closing_counts_them() {
        let pages = stream::iter(vec![Ok(vec![1, 2]), Ok(vec![]), Ok(vec![3])]);
        let body = json_array(b"{\"n\":[".to_vec(), pages, closing)
            .await
            .unwrap();
        let json: serde_json::Value =
            serde_json::from_slice(&collect(body).await.unwrap()).unwrap();
        assert_eq!(json, serde_json::json!({ "n": [1, 2, 3], "count": 3 }));
    }

    #[tokio::test]
    async fn no_pages_make_an_empty_array() {
        let pages = stream::iter(Vec::<ServiceResult<Vec<u8>>>::new());
        let body = json_array(b"{\"n\":[".to_vec(), pages, closing)
            .await
            .unwrap();
        assert_eq!(collect(body).await.unwrap(), b"{\"n\":[],\"count\":0}");
    }

    #[tokio::test]
    async fn an_error_on_the_first_page_is_an_error_answer() {
        let pages = stream::iter(vec![Err::<Vec<u8>, _>(ServiceError::Internal(
            anyhow::anyhow!("down"),
        ))]);
        assert!(json_array(b"[".to_vec(), pages, closing).await.is_err());
    }

    #[tokio::test]
    async fn an_error_on_a_later_page_cuts_the_body_short() {
        let pages = stream::iter(vec![
            Ok(vec![1]),
            Err(ServiceError::Internal(anyhow::anyhow!("down"))),
        ]);
        let body = json_array(b"[".to_vec(), pages, closing).await.unwrap();
        assert!(collect(body).await.is_err());
    }
}
