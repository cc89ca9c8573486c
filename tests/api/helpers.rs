//! The integration-test harness: every test starts the real application on an ephemeral
//! loopback port, on a fresh database of its own, and talks HTTP to it.
//!
//! The database is a temporary SQLite file, or, when `ORGHUB_TEST_DATABASE_URL` names a
//! PostgreSQL server (as `scripts/test` does), a new database created on it for the test.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Lines};
use std::net::SocketAddr;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Connection;

use orghub::hooks::HookSettings;
use orghub::service::{Bootstrap, BootstrapRequest, Limits, Quotas, Services};
use orghub::startup::{Application, DataSettings, ServeLimits};

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub services: Arc<Services>,
    pub data: DataSettings,
    /// Kept alive for the test's duration: the data directory (SQLite file, master key).
    pub dir: tempfile::TempDir,
    server: RunningServer,
}

/// The serving task and its shutdown signal. A test that ends without `stop` (a failed
/// assertion, or one that needs no clean stop) still stops its server: on drop the signal is
/// sent and the task aborted.
struct RunningServer {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl RunningServer {
    /// Stops the server the way SIGTERM does, waiting for requests in flight.
    async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// A response, its body parsed as JSON (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The Xponent error envelope, word for word.
    #[track_caller]
    pub fn assert_xponent_error(&self, status: u16, message: &str) {
        assert_eq!(self.status.as_u16(), status, "status of {:?}", self.body);
        assert_eq!(
            self.body,
            json!({ "metadata": { "status": status, "message": message } }),
            "body"
        );
    }

    /// A 200 Xponent envelope whose `key` holds the items; returns them.
    #[track_caller]
    pub fn xponent_items(&self, key: &str) -> Vec<Value> {
        assert_eq!(self.status, StatusCode::OK, "status of {:?}", self.body);
        let items = self.body[key]
            .as_array()
            .unwrap_or_else(|| panic!("no array {key} in {:?}", self.body))
            .clone();
        assert_eq!(self.body["metadata"]["status"], 200);
        assert_eq!(self.body["metadata"]["message"], "OK");
        assert_eq!(self.body["metadata"]["numItems"], items.len());
        items
    }
}

impl Reply {
    /// A Surfsight error: `{"message": …}`, word for word.
    #[track_caller]
    pub fn assert_surfsight_error(&self, status: u16, message: &str) {
        assert_eq!(self.status.as_u16(), status, "status of {:?}", self.body);
        assert_eq!(self.body, json!({ "message": message }), "body");
    }

    /// A Cloud Conformity JSON:API error document with one error, word for word; `pointer`
    /// is the `source.pointer` when one member of the request is at fault.
    #[track_caller]
    pub fn assert_conformity_error(&self, status: u16, detail: &str, pointer: Option<&str>) {
        assert_eq!(self.status.as_u16(), status, "status of {:?}", self.body);
        let source = pointer.map_or_else(|| json!({}), |p| json!({ "pointer": p }));
        assert_eq!(
            self.body,
            json!({ "errors": [{ "status": status, "detail": detail, "source": source }] }),
            "body"
        );
        assert_eq!(self.headers["content-type"], "application/vnd.api+json");
    }

    /// The JSON:API `data` of a 200 document.
    #[track_caller]
    pub fn conformity_data(&self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "status of {:?}", self.body);
        assert_eq!(self.headers["content-type"], "application/vnd.api+json");
        self.body["data"].clone()
    }
}

/// The IAM role the Conformity tests register accounts with.
pub const TEST_ROLE_ARN: &str = "arn:aws:iam::223334445555:role/CloudConformity";

/// An Azure directory (tenant) id, an application id and a subscription id.
pub const AZURE_DIRECTORY: &str = "9b2a1c3e-1f2d-4e5f-8a9b-0c1d2e3f4a5b";
pub const AZURE_APPLICATION: &str = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
pub const AZURE_SUBSCRIPTION: &str = "C0FFEE00-1234-4abc-9def-0123456789AB";

/// The application key of `AZURE_APPLICATION`: a secret, never to be stored in clear.
pub const AZURE_APPLICATION_KEY: &str = "azure~application~key~not~to~be~seen";

/// The unique id (the key's `client_id`) of the GCP service account of `gcp_key`.
pub const GCP_UNIQUE_ID: &str = "104593862551037812345";

/// The private key of `gcp_key`: not a real key, but a secret all the same.
pub const GCP_PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----\nTUlJRXZ3SUJBREFOQmdrcWhraUc5dzBCQVFFRkFBU0NCS2t3Z2dTbA==\n-----END PRIVATE KEY-----\n";

/// A GCP service-account key, as Google issues it (members in the Terraform provider's order).
pub fn gcp_key() -> Value {
    json!({
        "type": "service_account",
        "project_id": "conformity-host-1",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": GCP_PRIVATE_KEY,
        "client_email": "conformity@conformity-host-1.iam.gserviceaccount.com",
        "client_id": GCP_UNIQUE_ID,
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/conformity%40conformity-host-1.iam.gserviceaccount.com",
    })
}

/// The password `TestApp::bootstrap` gives its owners.
pub const OWNER_PASSWORD: &str = "correct horse battery";

/// The production limits, but for the wait for a password permit: the suite runs many
/// servers on few cores at once, and a test must not fail because a hash queued for long.
pub fn test_limits() -> Limits {
    Limits {
        password_wait: std::time::Duration::from_secs(600),
        ..Limits::default()
    }
}

/// Creates a database for one test; returns its URL (None for SQLite).
async fn fresh_postgres_database() -> Option<String> {
    let admin_url = std::env::var("ORGHUB_TEST_DATABASE_URL").ok()?;
    let name = format!("orghub_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("connect to ORGHUB_TEST_DATABASE_URL");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create the test database");
    let _ = admin.close().await;
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("a URL with a database name");
    Some(format!("{base}/{name}"))
}

/// Settings for a fresh database in a new temporary directory.
async fn fresh_data(
    ttl: std::time::Duration,
    limits: Limits,
    quotas: Quotas,
) -> (DataSettings, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = DataSettings {
        data_dir: dir.path().to_path_buf(),
        database_url: fresh_postgres_database().await,
        master_key: None,
        region: "us".into(),
        read_cache_ttl: ttl,
        limits,
        quotas,
    };
    (data, dir)
}

pub fn postgres_in_use() -> bool {
    std::env::var("ORGHUB_TEST_DATABASE_URL").is_ok()
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_fresh(
            orghub::service::ttl::READ_CACHE,
            ServeLimits::DEFAULT,
            test_limits(),
            HookSettings::default(),
            Quotas::default(),
        )
        .await
    }

    /// A server whose cached reads live `ttl` (a long one shows that a behaviour does not
    /// depend on a cache expiring).
    pub async fn spawn_with_read_cache(ttl: std::time::Duration) -> Self {
        Self::spawn_fresh(
            ttl,
            ServeLimits::DEFAULT,
            test_limits(),
            HookSettings::default(),
            Quotas::default(),
        )
        .await
    }

    /// Starts the application with these time limits and connection cap.
    pub async fn spawn_with_limits(serve: ServeLimits) -> Self {
        Self::spawn_fresh(
            orghub::service::ttl::READ_CACHE,
            serve,
            test_limits(),
            HookSettings::default(),
            Quotas::default(),
        )
        .await
    }

    /// A server with these service limits (small ones show a limit without waiting for a
    /// window).
    pub async fn spawn_with_service_limits(limits: Limits) -> Self {
        Self::spawn_fresh(
            orghub::service::ttl::READ_CACHE,
            ServeLimits::DEFAULT,
            limits,
            HookSettings::default(),
            Quotas::default(),
        )
        .await
    }

    /// A server with these quotas per tenant and these hook settings.
    pub async fn spawn_with_hooks_and_quotas(hooks: HookSettings, quotas: Quotas) -> Self {
        Self::spawn_fresh(
            orghub::service::ttl::READ_CACHE,
            ServeLimits::DEFAULT,
            test_limits(),
            hooks,
            quotas,
        )
        .await
    }

    /// A server with these quotas per tenant.
    pub async fn spawn_with_quotas(quotas: Quotas) -> Self {
        Self::spawn_fresh(
            orghub::service::ttl::READ_CACHE,
            ServeLimits::DEFAULT,
            test_limits(),
            HookSettings::default(),
            quotas,
        )
        .await
    }

    async fn spawn_fresh(
        ttl: std::time::Duration,
        serve: ServeLimits,
        limits: Limits,
        hooks: HookSettings,
        quotas: Quotas,
    ) -> Self {
        let (data, dir) = fresh_data(ttl, limits, quotas).await;
        Self::start(data, dir, serve, hooks, None).await
    }

    /// Starts the application on existing data (after `stop_keeping_data`).
    pub async fn spawn_on(data: DataSettings, dir: tempfile::TempDir) -> Self {
        Self::start(
            data,
            dir,
            ServeLimits::DEFAULT,
            HookSettings::default(),
            None,
        )
        .await
    }

    /// A fresh application whose hook worker runs with these settings.
    pub async fn spawn_with_hooks(hooks: HookSettings) -> Self {
        Self::spawn_fresh(
            orghub::service::ttl::READ_CACHE,
            ServeLimits::DEFAULT,
            test_limits(),
            hooks,
            Quotas::default(),
        )
        .await
    }

    /// A fresh application whose idOS face allows `limit` requests a minute per caller.
    pub async fn spawn_with_idos_rate_limit(limit: u32) -> Self {
        let (data, dir) = fresh_data(
            orghub::service::ttl::READ_CACHE,
            test_limits(),
            Quotas::default(),
        )
        .await;
        Self::start(
            data,
            dir,
            ServeLimits::DEFAULT,
            HookSettings::default(),
            Some(limit),
        )
        .await
    }

    async fn start(
        data: DataSettings,
        dir: tempfile::TempDir,
        limits: ServeLimits,
        hooks: HookSettings,
        idos_rate_limit: Option<u32>,
    ) -> Self {
        show_logs_when_asked();
        let mut app = Application::build(&data, "127.0.0.1:0".parse().unwrap())
            .await
            .expect("the application starts")
            .with_limits(limits)
            .with_hooks(hooks);
        if let Some(limit) = idos_rate_limit {
            app = app.with_idos_rate_limit(limit);
        }
        let addr = app.local_addr();
        let services = app.services();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async {
            let _ = stopped.await;
        }));
        Self {
            addr,
            client: reqwest::Client::new(),
            services,
            data,
            dir,
            server: RunningServer {
                stop: Some(stop),
                task: Some(server),
            },
        }
    }

    /// A second server on this one's database: for the database, another process (its own
    /// connections, caches and change listener). Its own `dir` is an empty placeholder: the
    /// raw helpers work on the first server.
    pub async fn spawn_beside(&self) -> Self {
        let placeholder = tempfile::tempdir().expect("a temporary directory");
        Self::spawn_on(self.data.clone(), placeholder).await
    }

    /// Returns once this server has counted a change committed elsewhere since `before` (a
    /// value of `Store::changes`). On SQLite it has at once (the next look asks the file); on
    /// PostgreSQL a notification must arrive first, a moment after the commit.
    /// A change never heard (the feed is broken) fails the test instead of hanging it.
    pub async fn until_change_heard(&self, before: u64) {
        for _ in 0..10_000 {
            if self.services.store().changes() != before {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        panic!("this server never heard of the change");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Sends a request; `auth` is the raw Authorization header value; `body` is sent as is.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        auth: Option<&str>,
        body: Option<&str>,
    ) -> Reply {
        let mut headers = Vec::new();
        if let Some(auth) = auth {
            headers.push(("Authorization", auth));
        }
        if body.is_some() {
            headers.push(("Content-Type", "application/json"));
        }
        self.send_with_headers(method, path, &headers, body).await
    }

    /// Sends a request with exactly these headers and body.
    pub async fn send_with_headers(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Reply {
        self.send_by(&self.client, method, path, headers, body)
            .await
    }

    /// Sends a request through `client` (say, one bound to another loopback address).
    pub async fn send_by(
        &self,
        client: &reqwest::Client,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = client.request(method, self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.body(body.to_owned());
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("a body");
        Reply {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    pub async fn get(&self, path: &str, auth: &str) -> Reply {
        self.send("GET", path, Some(auth), None).await
    }

    pub async fn post(&self, path: &str, auth: &str, body: &Value) -> Reply {
        self.send("POST", path, Some(auth), Some(&body.to_string()))
            .await
    }

    pub async fn put(&self, path: &str, auth: &str, body: &Value) -> Reply {
        self.send("PUT", path, Some(auth), Some(&body.to_string()))
            .await
    }

    pub async fn delete(&self, path: &str, auth: &str) -> Reply {
        self.send("DELETE", path, Some(auth), None).await
    }

    /// A root organization with an Owner (see `orghub bootstrap`).
    pub async fn bootstrap(&self, org: &str, email: &str) -> Bootstrap {
        self.services
            .bootstrap(BootstrapRequest {
                org_name: org.into(),
                owner_name: "Owner".into(),
                owner_email: email.into(),
                password: Some(OWNER_PASSWORD.into()),
            })
            .await
            .expect("bootstrap")
    }

    /// A fresh owner token for `user_id` through `POST /xponent/token`.
    pub async fn owner_token_for(&self, user_id: &str, secret: &str) -> String {
        let nonce = fresh_nonce();
        let reply = self
            .send(
                "POST",
                "/xponent/token",
                None,
                Some(&json!({ "userId": user_id, "nonce": nonce, "hash": token_hash(secret, &nonce) }).to_string()),
            )
            .await;
        reply.xponent_items("tokens")[0]["token"]
            .as_str()
            .expect("a token")
            .to_owned()
    }

    pub async fn owner_token(&self, boot: &Bootstrap) -> String {
        self.owner_token_for(&boot.user_id, &boot.secret_key).await
    }

    /// Bootstraps a root organization and returns it with an owner token.
    pub async fn root_with_token(&self) -> (Bootstrap, String) {
        let boot = self.bootstrap("Root", "owner@root.test").await;
        let token = self.owner_token(&boot).await;
        (boot, token)
    }

    /// Creates an organization through the face; returns its id.
    pub async fn create_org(&self, token: &str, name: &str, parent: Option<&str>) -> String {
        let mut body = json!({ "name": name });
        if let Some(parent) = parent {
            body["parentId"] = json!(parent);
        }
        let reply = self.post("/xponent/org", token, &body).await;
        reply.xponent_items("organizations")[0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Surfsight `POST /authenticate`; returns the token and the organization's integer id.
    pub async fn surfsight_sign_in(&self, email: &str, password: &str) -> (String, i64) {
        let reply = self
            .send(
                "POST",
                "/surfsight/v2/authenticate",
                None,
                Some(&json!({ "email": email, "password": password }).to_string()),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        (
            reply.body["data"]["token"].as_str().unwrap().to_owned(),
            reply.body["data"]["organizationId"].as_i64().unwrap(),
        )
    }

    /// Surfsight `POST /organizations` by a partner; returns (organizationId, ssoSecret).
    pub async fn surfsight_create_org(&self, token: &str, name: &str) -> (i64, String) {
        let reply = self
            .post(
                "/surfsight/v2/organizations",
                &format!("Bearer {token}"),
                &json!({ "name": name }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        (
            reply.body["organizationId"].as_i64().unwrap(),
            reply.body["ssoSecret"].as_str().unwrap().to_owned(),
        )
    }

    /// A Cloud Conformity request with `Authorization: ApiKey <key>` and a JSON:API body.
    pub async fn conformity(
        &self,
        method: &str,
        path: &str,
        key: &str,
        body: Option<&Value>,
    ) -> Reply {
        let auth = format!("ApiKey {key}");
        let body = body.map(Value::to_string);
        self.send_with_headers(
            method,
            &format!("/conformity/v1{path}"),
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/vnd.api+json"),
            ],
            body.as_deref(),
        )
        .await
    }

    /// A request as the Cloud Conformity Terraform provider sends it: its base URL ends in
    /// `/` and its paths start with `/` (so every path has `//`), and every request, GETs and
    /// DELETEs too, carries `Content-Type: application/vnd.api+json` and
    /// `Request-Source: Terraform`. `path` is the provider's (`/accounts/`); `body` is sent
    /// byte for byte.
    pub async fn terraform(
        &self,
        method: &str,
        path: &str,
        key: &str,
        body: Option<&str>,
    ) -> Reply {
        let auth = format!("ApiKey {key}");
        self.send_with_headers(
            method,
            &format!("/conformity/v1/{path}"),
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/vnd.api+json"),
                ("Request-Source", "Terraform"),
            ],
            body,
        )
        .await
    }

    /// A user of `org` created through Xponent (`Owner` or `Member`) and an API key of its;
    /// returns (user id, key).
    pub async fn user_with_key(
        &self,
        owner_token: &str,
        org: &str,
        email: &str,
        role: &str,
    ) -> (String, String) {
        let user = self
            .post(
                &format!("/xponent/user/org/{org}"),
                owner_token,
                &json!([{ "name": "Some One", "email": email, "role": role }]),
            )
            .await
            .xponent_items("users")[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let key = self
            .services
            .create_api_key(&orghub::domain::PublicId::parse(&user).unwrap())
            .await
            .unwrap()
            .key;
        (user, key)
    }

    /// A temporary external ID, then an AWS account registered with it; returns the
    /// account's JSON:API data.
    pub async fn conformity_add_account(&self, key: &str, name: &str) -> Value {
        let external_id = self
            .conformity("POST", "/external-ids", key, None)
            .await
            .conformity_data()["id"]
            .clone();
        let body = json!({ "data": { "type": "account", "attributes": {
            "name": name,
            "environment": "production",
            "access": { "keys": { "roleArn": TEST_ROLE_ARN, "externalId": external_id } },
        } } });
        self.conformity("POST", "/accounts", key, Some(&body))
            .await
            .conformity_data()
    }

    /// Runs one statement directly on the test's database, behind orghub's back (to damage
    /// data the way a faulty migration or a hand edit would).
    pub async fn raw_execute(&self, sql: &str) {
        let statement = sqlx::AssertSqlSafe(sql.to_owned());
        match &self.data.database_url {
            Some(url) => {
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::raw_sql(statement).execute(&mut conn).await.unwrap();
            }
            None => {
                let path = self.dir.path().join("orghub.sqlite3");
                let mut conn =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                        .await
                        .unwrap();
                sqlx::raw_sql(statement).execute(&mut conn).await.unwrap();
            }
        }
    }

    /// The rows of a query of three integer columns (NULL read as -1), run behind orghub's
    /// back: what the tables hold, whatever the services would say.
    pub async fn raw_triples(&self, sql: &str) -> Vec<(i64, i64, i64)> {
        let statement = sqlx::AssertSqlSafe(sql.to_owned());
        match &self.data.database_url {
            Some(url) => {
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query_as(statement)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap()
            }
            None => {
                let path = self.dir.path().join("orghub.sqlite3");
                let mut conn =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
                        .await
                        .unwrap();
                sqlx::query_as(statement)
                    .fetch_all(&mut conn)
                    .await
                    .unwrap()
            }
        }
    }

    /// Checks the organization tree behind orghub's back: each path is its parent's path
    /// followed by its own id (so no organization is its own ancestor), each root's path is
    /// its id alone, and each tenant's counts are what its tree holds.
    pub async fn assert_tree_is_sound(&self) {
        let broken = self
            .raw_triples(
                "SELECT o.id, COALESCE(o.parent_id, -1), CAST(0 AS BIGINT) FROM organizations o \
                 LEFT JOIN organizations p ON p.id = o.parent_id \
                 WHERE (p.id IS NULL AND (o.parent_id IS NOT NULL \
                        OR o.path <> '/' || CAST(o.id AS TEXT) || '/')) \
                    OR (p.id IS NOT NULL AND o.path <> p.path || CAST(o.id AS TEXT) || '/') \
                    OR o.root_id IS NULL",
            )
            .await;
        assert!(
            broken.is_empty(),
            "organizations with broken paths: {broken:?}"
        );
        let miscounted = self
            .raw_triples(
                "SELECT t.root_id, t.orgs, t.users FROM tenant_usage t \
                 WHERE t.orgs <> (SELECT count(*) FROM organizations o WHERE o.root_id = t.root_id) \
                    OR t.users <> (SELECT count(*) FROM users u WHERE u.root_id = t.root_id)",
            )
            .await;
        assert!(miscounted.is_empty(), "tenants miscounted: {miscounted:?}");
    }

    /// Every row of every table as text: what a thief of the database would read.
    pub async fn raw_database_text(&self) -> String {
        match &self.data.database_url {
            Some(url) => {
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
                )
                .fetch_all(&mut conn)
                .await
                .unwrap();
                let mut text = String::new();
                for table in tables {
                    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT t::text FROM {table} t"
                    )))
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
                    text.push_str(&rows.join("\n"));
                }
                text
            }
            None => {
                // The database file and its write-ahead log, byte for byte.
                let mut bytes = Vec::new();
                for name in ["orghub.sqlite3", "orghub.sqlite3-wal"] {
                    if let Ok(b) = std::fs::read(self.dir.path().join(name)) {
                        bytes.extend(b);
                    }
                }
                String::from_utf8_lossy(&bytes).into_owned()
            }
        }
    }

    /// Stops the server the way SIGTERM does, waiting for requests in flight.
    pub async fn stop(self) {
        self.stop_keeping_data().await;
    }

    /// Stops the server and hands back its data (settings and directory) for a restart.
    pub async fn stop_keeping_data(mut self) -> (DataSettings, tempfile::TempDir) {
        self.server.stop().await;
        (self.data, self.dir)
    }
}

/// With `TEST_LOG` set, the servers' logs go to the test output (`RUST_LOG` filters them).
fn show_logs_when_asked() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    if std::env::var_os("TEST_LOG").is_some() {
        ONCE.call_once(|| orghub::telemetry::init(orghub::telemetry::LogFormat::Human));
    }
}

pub fn fresh_nonce() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// What an Xponent client computes: lowercase hex SHA-256 of secret + nonce.
pub fn token_hash(secret: &str, nonce: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(format!("{secret}{nonce}").as_bytes()))
}

/// A Surfsight SSO JWT: `claims` signed with `secret` by `alg` (HS256, HS384 or HS512).
pub fn sso_jwt(secret: &str, claims: &Value, alg: jsonwebtoken::Algorithm) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(alg),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// The Surfsight timestamp claim for `offset_secs` from now: `YYYY-MM-DDThh:mm:ss`, UTC.
pub fn sso_timestamp(offset_secs: i64) -> String {
    let moment = time::OffsetDateTime::now_utc() + time::Duration::seconds(offset_secs);
    moment
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]"
        ))
        .unwrap()
}

/// An id in the documented format that names nothing.
pub fn unknown_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A running `orghub serve` process (`ServeProcess::spawn`). A test that ends without
/// `terminate` (a failed assertion) kills it on drop, so no server outlives its test.
pub struct ServeProcess {
    child: Child,
    /// Its log, one line each, after "orghub is listening" (until taken).
    pub lines: Option<Lines<BufReader<ChildStderr>>>,
    pub address: SocketAddr,
}

impl ServeProcess {
    /// The binary's `orghub serve` on `data_dir` (SQLite) at log level `level`, after the
    /// shell command `prelude` when given (`umask 000`, `ulimit -n 48`).
    pub fn spawn(data_dir: &std::path::Path, level: &str, prelude: Option<&str>) -> Self {
        let binary = env!("CARGO_BIN_EXE_orghub");
        let mut command = match prelude {
            Some(prelude) => {
                let mut shell = Command::new("sh");
                shell
                    .arg("-c")
                    .arg(format!("{prelude} && exec \"$0\" \"$@\""))
                    .arg(binary);
                shell
            }
            None => Command::new(binary),
        };
        command
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--log-format",
                "json",
                "--data-dir",
            ])
            .arg(data_dir)
            .env("RUST_LOG", level)
            .env_remove("ORGHUB_DATABASE_URL")
            .env_remove("ORGHUB_MASTER_KEY")
            .stderr(Stdio::piped());
        // Owned before anything can fail, so that a server that never listens is killed too.
        let mut process = Self {
            child: command.spawn().expect("orghub starts"),
            lines: None,
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let stderr = process.child.stderr.take().expect("a piped stderr");
        let mut lines = BufReader::new(stderr).lines();
        process.address = lines
            .by_ref()
            .map_while(Result::ok)
            .filter_map(|line| serde_json::from_str::<Value>(&line).ok())
            .find(|line| line["message"] == "orghub is listening")
            .and_then(|line| line["address"].as_str().and_then(|a| a.parse().ok()))
            .expect("orghub listens");
        process.lines = Some(lines);
        process
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM; asserts a clean exit, and returns the rest of the log (unless taken).
    pub fn terminate(mut self) -> Vec<String> {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let rest = self
            .lines
            .take()
            .map(|lines| lines.map_while(Result::ok).collect())
            .unwrap_or_default();
        assert!(self.child.wait().unwrap().success());
        rest
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        // After `terminate` the process has exited already and this does nothing.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
