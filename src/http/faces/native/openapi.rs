//! The API's description: `GET /openapi.json` (OpenAPI 3.1, made by utoipa from the same
//! route list as the router, so the two cannot drift) and `GET /docs` (Scalar's reference
//! page, its script compiled into the binary so it works offline).

use std::sync::Arc;

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_scalar::{Scalar, Servable};

use super::BASE_PATH;
use super::problem::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "orghub native API",
        description = "orghub's own API: the organization tree, its users, the audit log and hooks.\n\n\
            Every request carries `Authorization: Bearer <credential>`: a token issued by orghub \
            or an API key. Errors are RFC 9457 problem details (`application/problem+json`). \
            Lists are paged with `limit` and an opaque `cursor`; single resources carry an \
            `ETag`, and changes accept `If-Match`. A POST with an `Idempotency-Key` is \
            answered once and replayed."
    ),
    servers((url = "/api/v1")),
    modifiers(&BearerScheme),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "organizations", description = "The organization tree"),
        (name = "users", description = "The users of the organizations"),
        (name = "events", description = "The audit log"),
        (name = "hooks", description = "Signed deliveries of events to URLs, and their log"),
        (name = "credentials", description = "A user's API keys and Xponent secret key; a secret is shown once"),
        (name = "idos", description = "idOS: an organization's credentials and handlers, and the identity keys of users; a private key is shown once"),
        (name = "meta", description = "This description"),
        (name = "oauth", description = "OAuth 2.0: access tokens for API keys (client credentials), introspection, revocation"),
    )
)]
struct ApiDoc;

/// The security schemes: `bearer`, which every operation names, and `basic` (an API key as an
/// OAuth client, on the OAuth routes).
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token issued by orghub (any face) or an API key"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "An API key as an OAuth client: its id as the user name, the key as the password",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document before the routes add their paths.
pub fn base() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

const SCALAR_JS: &[u8] = include_bytes!("assets/scalar-standalone.js.gz");

/// Scalar's page with the document inline and its script from this server.
const DOCS_HTML: &str = r#"<!doctype html>
<html>
<head>
    <title>$title</title>
    <meta charset="utf-8"/>
    <meta name="viewport" content="width=device-width, initial-scale=1"/>
</head>
<body>
<script id="api-reference" type="application/json" data-configuration='{"withDefaultFonts":false}'>
    $spec
</script>
<script src="/api/v1/docs/scalar.js"></script>
</body>
</html>
"#;

/// The routes of the description itself; they need no credential.
pub fn routes<S: Clone + Send + Sync + 'static>(
    document: Arc<utoipa::openapi::OpenApi>,
) -> Router<S> {
    debug_assert_eq!(BASE_PATH, "/api/v1", "DOCS_HTML names the script's path");
    let json = Arc::new(serde_json::to_vec(&*document).expect("the OpenAPI document serializes"));
    let page = Scalar::with_url("/docs", (*document).clone())
        .title("orghub native API")
        .custom_html(DOCS_HTML)
        .to_html();
    Router::new()
        .route(
            "/openapi.json",
            get(move || {
                let json = json.clone();
                async move { ([(CONTENT_TYPE, "application/json")], json.as_ref().clone()) }
            }),
        )
        .route("/docs", get(move || async move { Html(page) }))
        .route(
            "/docs/scalar.js",
            get(|| async {
                (
                    [
                        (CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (CONTENT_ENCODING, "gzip"),
                        (CACHE_CONTROL, "public, max-age=86400"),
                    ],
                    SCALAR_JS,
                )
                    .into_response()
            }),
        )
}

/// The paths of [`routes`].
pub const PATHS: [&str; 3] = ["/openapi.json", "/docs", "/docs/scalar.js"];
