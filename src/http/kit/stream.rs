//! A long JSON array sent page by page, so that a request holds at most two pages in memory
//! whatever the list's length.

use axum::body::{Body, Bytes};
use futures_util::{Stream, StreamExt, stream};
use serde::Serialize;

use crate::service::ServiceResult;

/// A body of `opening`, the items of every page as one JSON array's elements, then what
/// `closing` makes of the number of items sent: `{"users":[` + items + `],"metadata":{…}}`.
///
/// The first two pages are read before answering, so an error there is an ordinary error
/// response (`Err`), and a list that ends within its first page (most lists, and every
/// cached one) is one plain body with a `Content-Length`, with no stream to drive. An error
/// on a later page, when the status has long been sent, is logged and cuts the body short:
/// the client sees the connection end mid-JSON, never a complete wrong list. A request holds
/// at most the rendering of two pages.
pub async fn json_array<T, S, C>(opening: Vec<u8>, pages: S, closing: C) -> ServiceResult<Body>
where
    T: Serialize + Send + 'static,
    S: Stream<Item = ServiceResult<Vec<T>>> + Send + 'static,
    C: FnOnce(usize) -> Vec<u8> + Send + 'static,
{
    let mut pages = Box::pin(pages);
    let first = pages.next().await.transpose()?.unwrap_or_default();
    let mut opening = page_chunk(opening, &first, 0);
    let count = first.len();
    drop(first);
    let second = match pages.next().await.transpose()? {
        None => {
            opening.extend_from_slice(&closing(count));
            return Ok(Body::from(opening));
        }
        Some(second) => second,
    };
    let second_chunk = page_chunk(Vec::new(), &second, count);
    let count = count + second.len();
    drop(second);

    // The state is the pages still to read, the items sent so far and the closing; `None`
    // once the body has ended.
    let rest = stream::unfold(Some((pages, count, closing)), |state| async move {
        let (mut pages, count, closing) = state?;
        match pages.next().await {
            Some(Ok(items)) => {
                let chunk = Bytes::from(page_chunk(Vec::new(), &items, count));
                Some((Ok(chunk), Some((pages, count + items.len(), closing))))
            }
            Some(Err(error)) => {
                tracing::error!(
                    error = %format!("{error:#}"),
                    items_sent = count,
                    "a paged list failed after its first pages; the response is cut short"
                );
                Some((
                    Err(std::io::Error::other("the list could not be read")),
                    None,
                ))
            }
            None => Some((Ok(Bytes::from(closing(count))), None)),
        }
    });
    let head = [opening, second_chunk].map(|chunk| Ok(Bytes::from(chunk)));
    let body = stream::iter(head).chain(rest);
    Ok(Body::from_stream(body))
}

/// `chunk` followed by `items`, comma-separated, with a leading comma when `sent` items
/// already precede them in the array.
fn page_chunk<T: Serialize>(mut chunk: Vec<u8>, items: &[T], sent: usize) -> Vec<u8> {
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
    chunk
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
    async fn a_list_of_one_page_is_one_body_of_known_length() {
        use axum::body::HttpBody as _;
        let pages = stream::iter(vec![Ok(vec![1, 2])]);
        let body = json_array(b"{\"n\":[".to_vec(), pages, closing)
            .await
            .unwrap();
        let expected = b"{\"n\":[1,2],\"count\":2}";
        assert_eq!(body.size_hint().exact(), Some(expected.len() as u64));
        assert_eq!(collect(body).await.unwrap(), expected);
    }

    #[tokio::test]
    async fn an_error_on_the_second_page_is_an_error_answer() {
        let pages = stream::iter(vec![
            Ok(vec![1]),
            Err(ServiceError::Internal(anyhow::anyhow!("down"))),
        ]);
        assert!(json_array(b"[".to_vec(), pages, closing).await.is_err());
    }

    #[tokio::test]
    async fn an_error_on_a_later_page_cuts_the_body_short() {
        let pages = stream::iter(vec![
            Ok(vec![1]),
            Ok(vec![2]),
            Err(ServiceError::Internal(anyhow::anyhow!("down"))),
        ]);
        let body = json_array(b"[".to_vec(), pages, closing).await.unwrap();
        assert!(collect(body).await.is_err());
    }
}
