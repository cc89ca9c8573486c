//! The baseline of `bench/run`: the same axum and tokio as orghub, no middleware, no database,
//! one fixed small JSON body. Every scenario is reported as a ratio to its requests per second.

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;

const BODY: &str = r#"{"metadata":{"status":200,"message":"OK","numItems":0}}"#;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8090".to_owned());
    let app = Router::new().route(
        "/",
        get(|| async { ([(CONTENT_TYPE, "application/json")], BODY) }),
    );
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    axum::serve(listener, app).await
}
