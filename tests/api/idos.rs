//! The idOS face's conventions and authentication: envelopes, JSON-P, XML, failSilently,
//! hideLinks, forcedError, ETag/304, Last-Modified, rate-limit headers and 429, CORS, and the
//! three token kinds with their failures.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp};
use orghub::service::idos::{IdosTokenKind, TokenCheck};

pub const BASE: &str = "/idos/1.0";

/// An HS256 JWT of `claims` signed with `key`.
pub fn jwt(key: &str, claims: &Value) -> String {
    jwt_with(key, claims, jsonwebtoken::Algorithm::HS256)
}

pub fn jwt_with(key: &str, claims: &Value, alg: jsonwebtoken::Algorithm) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(alg),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(key.as_bytes()),
    )
    .unwrap()
}

/// A tenant: a root organization with its Owner, the Owner's identity and an identity token.
pub struct Tenant {
    pub slug: String,
    pub org_id: String,
    pub user_id: String,
    pub public_key: String,
    pub private_key: String,
    pub token: String,
}

impl Tenant {
    pub fn auth(&self) -> String {
        format!("IdentityToken {}", self.token)
    }
}

pub async fn tenant(app: &TestApp, name: &str) -> Tenant {
    let email = format!("owner@{}.test", name.to_lowercase().replace(' ', "-"));
    let boot = app.bootstrap(name, &email).await;
    let user = orghub::domain::PublicId::parse(&boot.user_id).unwrap();
    let keys = app.services.create_identity(&user).await.unwrap();
    let token = jwt(&keys.private_key, &json!({ "iss": keys.public_key }));
    Tenant {
        slug: boot.company_slug,
        org_id: boot.organization_id,
        user_id: boot.user_id,
        public_key: keys.public_key,
        private_key: keys.private_key,
        token,
    }
}

pub async fn idos(
    app: &TestApp,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let body = body.map(|b| b.to_string());
    app.send(method, &format!("{BASE}{path}"), auth, body.as_deref())
        .await
}

pub async fn idos_headers(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = app
        .client
        .request(method, app.url(&format!("{BASE}{path}")));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

#[track_caller]
pub fn assert_idos_error(reply: &Reply, status: u16, kind: &str, message: &str) {
    assert_eq!(reply.status.as_u16(), status, "{:?}", reply.body);
    assert_eq!(
        reply.body,
        json!({"status": false, "error": {
            "code": status, "type": kind, "link": format!("https://veridu.com/wiki/{kind}"), "message": message}}),
    );
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_endpoint_list_comes_from_the_router() {
    let app = TestApp::spawn().await;
    let reply = idos(&app, "GET", "/", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["status"], json!(true));
    let data = reply.body["data"].as_array().unwrap();
    assert!(
        data.contains(
            &json!({"name": "companies:listAll", "uri": "/companies", "methods": ["GET"]})
        )
    );
    assert!(data.contains(&json!({"name": "credentials:updateOne", "uri": "/companies/{companySlug}/credentials/{pubKey}", "methods": ["PUT", "PATCH"]})));
    assert!(data.contains(&json!({"name": "companies:deleteOne", "uri": "/companies/{companySlug}", "methods": ["DELETE"]})));
    assert_eq!(header(&reply.headers, "content-type"), "application/json");
    assert_eq!(header(&reply.headers, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(&reply.headers, "cache-control"),
        "private, no-cache, no-store, max-age=0, must-revalidate"
    );
    assert_eq!(header(&reply.headers, "x-rate-limit-limit"), "5400");
    assert_eq!(header(&reply.headers, "x-rate-limit-remaining"), "5399");
    assert!(
        header(&reply.headers, "x-rate-limit-reset")
            .parse::<u64>()
            .unwrap()
            > 1_700_000_000
    );
}

#[tokio::test]
async fn answers_come_as_json_p_or_xml_when_asked() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Veridu Ltd").await;
    let path = format!("/companies/{}", t.slug);

    let (status, headers, body) = idos_headers(
        &app,
        "GET",
        &format!("{path}?callback=app.onData"),
        &[("Accept", "application/javascript")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header(&headers, "content-type"),
        "application/javascript; charset=utf-8"
    );
    assert!(
        body.starts_with("/**/app.onData({\"status\":true,\"data\":{"),
        "{body}"
    );
    assert!(body.ends_with("})"));

    let (_, _, body) =
        idos_headers(&app, "GET", &format!("{path}?forceOutput=javascript"), &[]).await;
    assert!(body.starts_with("/**/jsonp({"), "{body}");

    let (status, headers, body) =
        idos_headers(&app, "GET", &path, &[("Accept", "application/xml")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header(&headers, "content-type"),
        "application/xml; charset=utf-8"
    );
    assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<idos><status>true</status><data><created_at>"), "{body}");

    let (_, headers, body) = idos_headers(
        &app,
        "GET",
        &format!("{path}?forceOutput=xml"),
        &[("Accept", "application/json")],
    )
    .await;
    assert_eq!(
        header(&headers, "content-type"),
        "application/xml; charset=utf-8"
    );
    assert!(body.contains("<slug>veridu-ltd</slug>"));

    // A callback that is not an identifier path is refused, in JSON.
    let (status, headers, body) = idos_headers(
        &app,
        "GET",
        &format!("{path}?callback=alert(1)"),
        &[("Accept", "application/javascript")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(header(&headers, "content-type"), "application/json");
    assert_eq!(header(&headers, "cache-control"), "no-store,no-cache");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"]["type"], json!("INVALID_CALLBACK"));
}

#[tokio::test]
async fn fail_silently_hide_links_and_forced_errors() {
    let app = TestApp::spawn().await;
    let reply = idos(
        &app,
        "GET",
        "/companies/nobody-here?failSilently=true",
        None,
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["status"], json!(false));
    assert_eq!(reply.body["error"]["code"], json!(404));

    let reply = idos(&app, "GET", "/companies/nobody-here", None, None).await;
    assert_idos_error(&reply, 404, "NOT_FOUND", "Company nobody-here not found");

    let reply = idos(&app, "GET", "/?hideLinks=false", None, None).await;
    assert_eq!(
        reply.body["links"],
        json!({"self": "/idos/1.0?hideLinks=false"})
    );
    let reply = idos(&app, "GET", "/", None, None).await;
    assert!(reply.body.get("links").is_none());

    let reply = idos(&app, "GET", "/?forcedError=NOT_ALLOWED", None, None).await;
    assert_idos_error(&reply, 403, "NOT_ALLOWED", "Not Allowed. (forced)");
    assert!(reply.headers.contains_key("x-rate-limit-remaining"));
    assert_eq!(header(&reply.headers, "x-content-type-options"), "nosniff");
    let reply = idos(&app, "GET", "/?forcedError=whatever", None, None).await;
    assert_idos_error(
        &reply,
        500,
        "APPLICATION_ERROR",
        "Internal Application Error (forced)",
    );

    let reply = idos(&app, "GET", "/no/such/route", None, None).await;
    assert_idos_error(&reply, 404, "ROUTE_NOT_FOUND", "Route not found");
    let reply = idos(&app, "PUT", "/companies", None, None).await;
    assert_idos_error(
        &reply,
        405,
        "METHOD_NOT_ALLOWED",
        "Method not allowed for this route",
    );
}

#[tokio::test]
async fn etags_and_last_modified_make_304s() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Etag Co").await;
    let path = format!("/companies/{}", t.slug);
    let (status, headers, body) = idos_headers(&app, "GET", &path, &[]).await;
    assert_eq!(status, StatusCode::OK);
    let etag = header(&headers, "etag").to_owned();
    use sha1::Digest;
    assert_eq!(
        etag,
        format!("W/\"{}\"", hex::encode(sha1::Sha1::digest(body.as_bytes())))
    );
    let last_modified = header(&headers, "last-modified").to_owned();
    assert!(last_modified.ends_with(" GMT"), "{last_modified}");

    let (status, headers, body) =
        idos_headers(&app, "GET", &path, &[("If-None-Match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(body, "");
    assert_eq!(header(&headers, "etag"), etag);
    assert!(headers.contains_key("x-rate-limit-remaining"));

    let (status, _, body) =
        idos_headers(&app, "GET", &path, &[("If-Modified-Since", &last_modified)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(body, "");

    let (status, _, _) =
        idos_headers(&app, "GET", &path, &[("If-None-Match", "W/\"other\"")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = idos_headers(
        &app,
        "GET",
        &path,
        &[("If-Modified-Since", "Tue, 22 Dec 2015 19:09:18 GMT")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn callers_past_their_rate_limit_get_429() {
    let app = TestApp::spawn_with_idos_rate_limit(2).await;
    let t = tenant(&app, "Limited").await;
    for remaining in ["1", "0"] {
        let reply = idos(&app, "GET", "/companies", Some(&t.auth()), None).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(header(&reply.headers, "x-rate-limit-limit"), "2");
        assert_eq!(header(&reply.headers, "x-rate-limit-remaining"), remaining);
    }
    let reply = idos(&app, "GET", "/companies", Some(&t.auth()), None).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reply.body["error"]["type"], json!("RATE_LIMIT_EXCEEDED"));
    assert_eq!(header(&reply.headers, "x-rate-limit-remaining"), "0");
    // Another identity, and anonymous callers (by address), count apart.
    let other = tenant(&app, "Other").await;
    let reply = idos(&app, "GET", "/companies", Some(&other.auth()), None).await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = idos(&app, "GET", "/", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn cors_preflights_and_answers() {
    let app = TestApp::spawn().await;
    let (status, headers, _) = idos_headers(
        &app,
        "OPTIONS",
        "/companies/acme/credentials/abc",
        &[
            ("Origin", "http://example.com"),
            ("Access-Control-Request-Method", "DELETE"),
            ("Access-Control-Request-Headers", "authorization"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        "http://example.com"
    );
    assert_eq!(header(&headers, "access-control-allow-credentials"), "true");
    assert_eq!(header(&headers, "access-control-max-age"), "3628800");
    assert_eq!(
        header(&headers, "access-control-allow-methods"),
        "GET,PUT,PATCH,DELETE,OPTIONS"
    );
    assert_eq!(
        header(&headers, "access-control-allow-headers").to_ascii_lowercase(),
        "authorization,content-type,if-modified-since,if-none-match,x-requested-with"
    );

    let t = tenant(&app, "Cors").await;
    let (status, headers, _) = idos_headers(
        &app,
        "GET",
        &format!("/companies/{}", t.slug),
        &[("Origin", "http://example.com")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        "http://example.com"
    );
    assert_eq!(header(&headers, "access-control-allow-credentials"), "true");
    assert_eq!(header(&headers, "access-control-max-age"), "3628800");
    assert_eq!(
        header(&headers, "access-control-allow-methods"),
        "GET,POST,PATCH,DELETE,OPTIONS"
    );
    assert_eq!(
        header(&headers, "access-control-expose-headers").to_ascii_lowercase(),
        "etag,x-rate-limit-limit,x-rate-limit-remaining,x-rate-limit-reset"
    );
}

#[tokio::test]
async fn identity_tokens_and_their_failures() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Tokens").await;
    let ok = |reply: &Reply| assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);

    ok(&idos(&app, "GET", "/companies", Some(&t.auth()), None).await);
    ok(&idos(
        &app,
        "GET",
        &format!("/companies?identityToken={}", t.token),
        None,
        None,
    )
    .await);
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 600;
    let with_exp = jwt(
        &t.private_key,
        &json!({"iss": t.public_key, "exp": exp, "aud": "https://api.idos.io/1.0"}),
    );
    ok(&idos(
        &app,
        "GET",
        "/companies",
        Some(&format!("IdentityToken {with_exp}")),
        None,
    )
    .await);
    let own_aud = jwt(
        &t.private_key,
        &json!({"iss": t.public_key, "aud": format!("http://{}/idos/1.0", app.addr)}),
    );
    ok(&idos(
        &app,
        "GET",
        "/companies",
        Some(&format!("IdentityToken {own_aud}")),
        None,
    )
    .await);

    let refused = |token: String| format!("IdentityToken {token}");
    let cases: Vec<(String, &str, &str)> = vec![
        (
            refused("not-a-jwt".into()),
            "INVALID_TOKEN",
            "Invalid Token",
        ),
        (
            refused(jwt("wrong-key", &json!({"iss": t.public_key}))),
            "INVALID_TOKEN",
            "Token Verification Failed",
        ),
        (
            refused(jwt(
                &t.private_key,
                &json!({"iss": "0123456789abcdef0123456789abcdef"}),
            )),
            "INVALID_TOKEN",
            "Invalid Token: its issuer (iss) is not a known public key",
        ),
        (
            refused(jwt(&t.private_key, &json!({"sub": "x"}))),
            "INVALID_TOKEN",
            "Invalid Token: its issuer (iss) is not a known public key",
        ),
        (
            refused(jwt(
                &t.private_key,
                &json!({"iss": t.public_key, "exp": 1_000_000}),
            )),
            "TOKEN_EXPIRED",
            "Token Expired",
        ),
        (
            refused(jwt(
                &t.private_key,
                &json!({"iss": t.public_key, "aud": "https://elsewhere.example/1.0"}),
            )),
            "INVALID_TOKEN",
            "Token Validation Failed: the audience (aud) is not this API",
        ),
        (
            refused(jwt(
                &t.private_key,
                &json!({"iss": t.public_key, "sub": "someone"}),
            )),
            "INVALID_TOKEN",
            "Invalid Token Format: Identity Token must not have a subject claim.",
        ),
        (
            refused(jwt_with(
                &t.private_key,
                &json!({"iss": t.public_key}),
                jsonwebtoken::Algorithm::HS512,
            )),
            "INVALID_TOKEN",
            "Invalid Token: tokens are signed with HS256, not HS512",
        ),
        (
            refused(jwt(
                &t.private_key,
                &json!({"iss": t.public_key, "pad": "x".repeat(9000)}),
            )),
            "INVALID_TOKEN",
            "Invalid Token: a token is at most 8192 bytes",
        ),
        (
            format!("CredentialToken {}", t.token),
            "AUTHORIZATION_MISSING",
            "Authorization details missing. Valid Authorization: Identity Token",
        ),
        (
            "Bearer abc".into(),
            "AUTHORIZATION_MISSING",
            "Authorization details missing. Valid Authorization: Identity Token",
        ),
    ];
    for (auth, kind, message) in cases {
        let reply = idos(&app, "GET", "/companies", Some(&auth), None).await;
        assert_idos_error(&reply, 400, kind, message);
    }
    // `alg: none` is refused before any key is looked at.
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let claims = URL_SAFE_NO_PAD.encode(json!({"iss": t.public_key}).to_string());
    let reply = idos(
        &app,
        "GET",
        "/companies",
        Some(&format!("IdentityToken {header}.{claims}.")),
        None,
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "INVALID_TOKEN",
        "Invalid Token: tokens are signed with HS256, not none",
    );
    let reply = idos(&app, "GET", "/companies", None, None).await;
    assert_idos_error(
        &reply,
        400,
        "AUTHORIZATION_MISSING",
        "Authorization details missing. Valid Authorization: Identity Token",
    );
}

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[tokio::test]
async fn credential_and_user_tokens_and_their_failures() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Kinds").await;
    let handler = idos(
        &app,
        "POST",
        &format!("/companies/{}/handlers", t.slug),
        Some(&t.auth()),
        Some(json!({"name": "Scraper", "authUsername": "scraper", "authPassword": "s3cret"})),
    )
    .await;
    assert_eq!(handler.status, StatusCode::CREATED, "{:?}", handler.body);
    let credential = idos(
        &app,
        "POST",
        &format!("/companies/{}/credentials", t.slug),
        Some(&t.auth()),
        Some(json!({"name": "My Key"})),
    )
    .await;
    let (h_pub, h_priv) = (
        handler.body["data"]["public"].as_str().unwrap(),
        handler.body["data"]["private"].as_str().unwrap(),
    );
    let (c_pub, c_priv) = (
        credential.body["data"]["public"].as_str().unwrap(),
        credential.body["data"]["private"].as_str().unwrap(),
    );
    let audiences = ["https://api.idos.io/1.0".to_owned()];
    let check = TokenCheck {
        audiences: &audiences,
    };
    let auth = |kind, token: String| {
        let services = app.services.clone();
        let audiences = audiences.clone();
        async move {
            services
                .authenticate_idos(
                    kind,
                    &token,
                    &TokenCheck {
                        audiences: &audiences,
                    },
                    None,
                )
                .await
        }
    };

    let caller = auth(
        IdosTokenKind::Credential,
        jwt(h_priv, &json!({"iss": h_pub, "sub": c_pub})),
    )
    .await
    .unwrap();
    assert_eq!(caller.actor.org_public_id, t.org_id);
    assert!(caller.credential_id.is_some() && caller.handler_id.is_some());
    let refusal =
        |r: Result<_, orghub::service::ServiceError>| format!("{:?}", r.map(|_| ()).unwrap_err());
    assert_eq!(
        refusal(
            auth(
                IdosTokenKind::Credential,
                jwt(h_priv, &json!({"iss": h_pub}))
            )
            .await
        ),
        "Unauthorized(IdosToken(MissingSubject))"
    );
    assert_eq!(
        refusal(
            auth(
                IdosTokenKind::Credential,
                jwt(h_priv, &json!({"iss": h_pub, "sub": "ffff"}))
            )
            .await
        ),
        "Unauthorized(IdosToken(InvalidSubject))"
    );
    assert_eq!(
        refusal(
            auth(
                IdosTokenKind::Credential,
                jwt(c_priv, &json!({"iss": h_pub, "sub": c_pub}))
            )
            .await
        ),
        "Unauthorized(IdosToken(Signature))"
    );
    assert_eq!(
        refusal(
            auth(
                IdosTokenKind::Credential,
                jwt(h_priv, &json!({"iss": c_pub, "sub": c_pub}))
            )
            .await
        ),
        "Unauthorized(IdosToken(UnknownIssuer))"
    );

    let caller = auth(
        IdosTokenKind::User,
        jwt(c_priv, &json!({"iss": c_pub, "sub": "usr001"})),
    )
    .await
    .unwrap();
    let user = caller.user.clone().unwrap();
    assert_eq!(user.username, "usr001");
    // The same name again is the same user; it was created on first use.
    let again = auth(
        IdosTokenKind::User,
        jwt(c_priv, &json!({"iss": c_pub, "sub": "usr001"})),
    )
    .await
    .unwrap();
    assert_eq!(again.user.unwrap().id, user.id);
    assert_eq!(
        refusal(
            auth(
                IdosTokenKind::User,
                jwt(c_priv, &json!({"iss": c_pub, "sub": "bad name!"}))
            )
            .await
        ),
        "Unauthorized(IdosToken(InvalidSubject))"
    );
    assert_eq!(
        refusal(auth(IdosTokenKind::User, jwt(c_priv, &json!({"iss": c_pub}))).await),
        "Unauthorized(IdosToken(MissingSubject))"
    );
    assert_eq!(
        refusal(
            auth(
                IdosTokenKind::User,
                jwt(c_priv, &json!({"iss": c_pub, "sub": "u", "exp": 1000}))
            )
            .await
        ),
        "Unauthorized(IdosToken(Expired))"
    );
    assert_eq!(
        refusal(
            auth(
                IdosTokenKind::User,
                jwt(h_priv, &json!({"iss": c_pub, "sub": "u"}))
            )
            .await
        ),
        "Unauthorized(IdosToken(Signature))"
    );
    let _ = check;

    // An identity token is no credential token, and the other way round.
    assert_eq!(
        refusal(auth(IdosTokenKind::Credential, t.token.clone()).await),
        "Unauthorized(IdosToken(UnknownIssuer))"
    );
    let reply = idos(
        &app,
        "GET",
        "/companies",
        Some(&format!(
            "UserToken {}",
            jwt(c_priv, &json!({"iss": c_pub, "sub": "usr001"}))
        )),
        None,
    )
    .await;
    assert_idos_error(
        &reply,
        400,
        "AUTHORIZATION_MISSING",
        "Authorization details missing. Valid Authorization: Identity Token",
    );

    // Private keys are sealed at rest.
    let raw = app.raw_database_text().await;
    for secret in [h_priv, c_priv, t.private_key.as_str()] {
        assert!(!raw.contains(secret), "a private key in clear");
    }
}

#[tokio::test]
async fn every_organization_has_a_unique_slug() {
    let app = TestApp::spawn().await;
    let (boot, token) = app.root_with_token().await;
    assert_eq!(boot.company_slug, "root");
    app.create_org(&token, "Acme Inc", None).await;
    let second = app.create_org(&token, "acme  inc!", None).await;
    let t = tenant(&app, "Slugs").await;
    let reply = idos(&app, "GET", "/companies/acme-inc", None, None).await;
    assert_eq!(reply.body["data"]["name"], json!("Acme Inc"));
    let reply = idos(&app, "GET", "/companies", Some(&t.auth()), None).await;
    assert_eq!(reply.body["data"].as_array().unwrap().len(), 1);
    // The second "acme inc" gets its id after the name.
    let companies = app
        .services
        .store()
        .read()
        .orgs_by_public_ids(&[orghub::domain::PublicId::parse(&second).unwrap()])
        .await
        .unwrap();
    let slug = format!("acme-inc-{}", companies[0].id);
    let reply = idos(&app, "GET", &format!("/companies/{slug}"), None, None).await;
    assert_eq!(reply.body["data"]["name"], json!("acme  inc!"));
    assert_eq!(
        reply.body["data"]["public_key"],
        json!(second.replace('-', ""))
    );
}

/// `orghub <args> --json` on the test app's database, parsed.
fn orghub_json(app: &TestApp, args: &[&str]) -> Value {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_orghub"));
    command
        .args(args)
        .arg("--json")
        .arg("--data-dir")
        .arg(app.dir.path());
    if let Some(url) = &app.data.database_url {
        command.arg("--database-url").arg(url);
    }
    let output = command.env_remove("ORGHUB_MASTER_KEY").output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn identities_come_from_the_command_line() {
    let app = TestApp::spawn().await;
    let boot = orghub_json(
        &app,
        &[
            "bootstrap",
            "--org",
            "Veridu Ltd",
            "--owner-name",
            "Ada",
            "--owner-email",
            "ada@veridu.test",
        ],
    );
    assert_eq!(boot["companySlug"], json!("veridu-ltd"));
    let user = boot["userId"].as_str().unwrap();
    let keys = orghub_json(&app, &["identity", "create", "--user", user]);
    let (public, private) = (
        keys["publicKey"].as_str().unwrap(),
        keys["privateKey"].as_str().unwrap(),
    );
    assert_eq!(public.len(), 32);
    assert_eq!(private.len(), 32);
    let token = jwt(private, &json!({"iss": public}));
    let reply = idos(
        &app,
        "GET",
        "/companies/veridu-ltd/membership",
        Some(&format!("IdentityToken {token}")),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.body["data"]["user_id"], json!(user));
    assert!(!app.raw_database_text().await.contains(private));
}
