//! The few Xponent calls the harness makes, over plain HTTP to the server under test.

use anyhow::{Context, bail};
use rand::RngCore;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// What `orghub bootstrap --json` printed for one root organization.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Boot {
    pub organization_id: String,
    pub user_id: String,
    pub secret_key: String,
}

impl Boot {
    pub fn read(path: &std::path::Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not a bootstrap", path.display()))
    }

    /// A `POST /token` body with a fresh 40-character nonce (each nonce is accepted once).
    pub fn token_body(&self) -> Value {
        let mut bytes = [0u8; 20];
        rand::rng().fill_bytes(&mut bytes);
        let nonce = hex::encode(bytes);
        let hash = hex::encode(Sha256::digest(format!("{}{nonce}", self.secret_key)));
        json!({ "userId": self.user_id, "nonce": nonce, "hash": hash })
    }
}

/// An authenticated Xponent client for one owner.
#[derive(Clone)]
pub struct Xponent {
    http: reqwest::Client,
    base: String,
    pub token: String,
}

impl Xponent {
    pub async fn login(http: &reqwest::Client, base: &str, boot: &Boot) -> anyhow::Result<Self> {
        let reply = send(
            http.post(format!("{base}/xponent/token"))
                .json(&boot.token_body()),
        )
        .await?;
        let token = reply["tokens"][0]["token"]
            .as_str()
            .context("POST /token answered without a token")?;
        Ok(Self {
            http: http.clone(),
            base: base.to_owned(),
            token: token.to_owned(),
        })
    }

    /// Creates one organization (under the caller's own when `parent` is None); returns its id.
    pub async fn create_org(&self, name: &str, parent: Option<&str>) -> anyhow::Result<String> {
        let mut body = json!({ "name": name });
        if let Some(parent) = parent {
            body["parentId"] = json!(parent);
        }
        let reply = send(self.post("/xponent/org").json(&body)).await?;
        reply["organizations"][0]["id"]
            .as_str()
            .map(str::to_owned)
            .context("POST /org answered without an id")
    }

    /// Creates users in one organization, in one request (all or none).
    pub async fn create_users(&self, org: &str, users: &[Value]) -> anyhow::Result<()> {
        send(self.post(&format!("/xponent/user/org/{org}")).json(users)).await?;
        Ok(())
    }

    pub async fn org_names(&self) -> anyhow::Result<Vec<String>> {
        let request = self
            .http
            .get(format!("{}/xponent/org", self.base))
            .header("Authorization", &self.token);
        let reply = send(request).await?;
        let orgs = reply["organizations"]
            .as_array()
            .context("no organizations")?;
        Ok(orgs
            .iter()
            .filter_map(|o| o["name"].as_str().map(str::to_owned))
            .collect())
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.base))
            .header("Authorization", &self.token)
    }
}

async fn send(request: reqwest::RequestBuilder) -> anyhow::Result<Value> {
    let response = request.send().await?;
    let status = response.status();
    let text = response.text().await?;
    if !status.is_success() {
        bail!("{status}: {text}");
    }
    Ok(serde_json::from_str(&text)?)
}
