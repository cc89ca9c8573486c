//! The kit through a router, driven in-process: each piece answers in the face's own words.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::*;
use crate::http::faces::conformity::Conformity;
use crate::http::faces::surfsight::Surfsight;
use crate::http::faces::xponent::Xponent;
use crate::service::ServiceError;

async fn call(router: Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = router.oneshot(request).await.expect("a router answers");
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn get_request(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

/// A route of face `F` that never answers by itself.
fn slow<F: Face>() -> Router {
    let routes = Routes::new().route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            "late"
        }),
    );
    finish::<F, ()>(routes)
}

#[tokio::test(start_paused = true)]
async fn a_request_over_the_time_limit_gets_the_faces_answer() {
    let (status, body) = call(slow::<Xponent>(), get_request("/slow")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body,
        json!({ "metadata": { "status": 503, "message": "Request timed out" } })
    );

    let (status, body) = call(slow::<Surfsight>(), get_request("/slow")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, json!({ "message": "The request timed out" }));

    let (status, body) = call(slow::<Conformity>(), get_request("/slow")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body,
        json!({ "errors": [{ "status": 503, "detail": "The request timed out", "source": {} }] })
    );
}

#[tokio::test]
async fn a_handler_that_panics_gets_the_faces_internal_error() {
    let routes = Routes::new().route(
        "/boom",
        get(|| async {
            let items: Vec<&str> = Vec::new();
            // An out-of-bounds index: a handler bug, not a client's doing.
            items[std::hint::black_box(3)]
        }),
    );
    let (status, body) = call(finish::<Surfsight, ()>(routes), get_request("/boom")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, json!({ "message": "Internal server error" }));
}

/// A face that reads credentials from its own scheme and the query string, as idOS does.
struct QueryFace;

impl Face for QueryFace {
    type Error = QueryFaceError;
    const SCHEMES: &'static [Scheme] = &[Scheme::Named("UserToken")];
    const QUERY_CREDENTIALS: &'static [(&'static str, Scheme)] = &[
        ("userToken", Scheme::Named("UserToken")),
        ("token", Scheme::Bearer),
    ];
    fn body_refused(problem: BodyProblem) -> QueryFaceError {
        QueryFaceError(format!("body: {problem:?}"))
    }
    fn credentials_missing() -> QueryFaceError {
        QueryFaceError("no credentials".into())
    }
    fn invalid_id(param: &str, value: &str) -> QueryFaceError {
        QueryFaceError(format!("{param} {value}"))
    }
    fn route_not_found() -> QueryFaceError {
        QueryFaceError("no route".into())
    }
    fn method_not_allowed() -> QueryFaceError {
        QueryFaceError("no method".into())
    }
    fn timed_out() -> QueryFaceError {
        QueryFaceError("late".into())
    }
}

struct QueryFaceError(String);

impl IntoResponse for QueryFaceError {
    fn into_response(self) -> Response {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "error": self.0 })),
        )
            .into_response()
    }
}

impl From<ServiceError> for QueryFaceError {
    fn from(error: ServiceError) -> Self {
        QueryFaceError(format!("{error}"))
    }
}

fn query_face() -> Router {
    let routes = Routes::new()
        .route(
            "/who",
            get(|Credentials(credential, _): Credentials<QueryFace>| async move {
                axum::Json(json!({ "scheme": format!("{:?}", credential.scheme), "value": credential.value }))
            }),
        )
        .route(
            "/things/{thing_id}",
            get(|PathId(id, _): PathId<QueryFace>| async move { id.to_string() }),
        );
    finish::<QueryFace, ()>(routes)
}

#[tokio::test]
async fn credentials_come_from_the_header_first_then_the_query_string() {
    let request = Request::get("/who?userToken=from-query")
        .header("Authorization", "UserToken from-header")
        .body(Body::empty())
        .unwrap();
    let (_, body) = call(query_face(), request).await;
    assert_eq!(body["value"], "from-header");

    let (_, body) = call(query_face(), get_request("/who?token=a%2Bb")).await;
    assert_eq!(body, json!({ "scheme": "Bearer", "value": "a+b" }));

    let (status, body) = call(query_face(), get_request("/who?other=x")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "no credentials");
}

#[tokio::test]
async fn a_path_id_that_is_not_an_id_gets_the_faces_answer_naming_the_parameter() {
    let (_, body) = call(query_face(), get_request("/things/nope")).await;
    assert_eq!(body["error"], "thing_id nope");
    let id = uuid::Uuid::new_v4().to_string();
    let router = query_face();
    let response = router
        .oneshot(get_request(&format!("/things/{id}")))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_routes_and_methods_get_the_faces_answers() {
    let (_, body) = call(query_face(), get_request("/nowhere")).await;
    assert_eq!(body["error"], "no route");
    let request = Request::post("/who").body(Body::empty()).unwrap();
    let (_, body) = call(query_face(), request).await;
    assert_eq!(body["error"], "no method");
}

/// Log lines written while a test runs, for assertions on them.
#[derive(Clone, Default)]
struct CapturedLog(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn an_internal_error_is_logged_once_with_its_route_and_context_and_never_shown() {
    let log = CapturedLog::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let routes = Routes::new().route(
        "/orgs/{org_id}",
        get(|| async {
            let error = anyhow::anyhow!("database is locked").context("reading organization 7");
            Err::<(), _>(crate::http::faces::xponent::XponentError::from(
                ServiceError::Internal(error),
            ))
        }),
    );
    let router = finish::<Xponent, ()>(routes).layer(internal::LogInternalErrors);
    let (status, body) = call(router, get_request("/orgs/private-value-123")).await;

    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        body,
        json!({ "metadata": { "status": 500, "message": "Internal server error" } })
    );
    let log = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert_eq!(log.matches("internal error").count(), 1, "{log}");
    assert!(log.contains("/orgs/{org_id}"), "{log}");
    assert!(
        log.contains("reading organization 7: database is locked"),
        "{log}"
    );
    assert!(!log.contains("private-value-123"), "{log}");
}
