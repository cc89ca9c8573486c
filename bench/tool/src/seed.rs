//! Seeds the roots that the scenarios read, through the public Xponent routes only.
//!
//! `small` and `big` are trees of 100 and 100,000 organizations (root included); each holds a
//! chain `depth` levels deep whose last organization is the deep-read target, and the rest of
//! the tree is spread `FANOUT` wide, level by level. `big` also holds the users of the big list.

use futures::{StreamExt, TryStreamExt, stream};
use serde::Serialize;
use serde_json::json;

use crate::api::Xponent;

const FANOUT: usize = 10;
/// Requests in flight while seeding organizations: enough to keep both cores busy.
const IN_FLIGHT: usize = 32;
/// Users per `POST /user/org/{id}`: each request is one transaction.
const USER_BATCH: usize = 1_000;

#[derive(Debug, Serialize)]
pub struct Tree {
    pub root: String,
    /// The organization at the bottom of the chain.
    pub deep: String,
    pub orgs: usize,
    /// Organizations of the spread part, level by level (level 1 under the root).
    #[serde(skip)]
    pub levels: Vec<Vec<String>>,
}

/// Builds a tree of `total` organizations (root included) under the caller's root.
pub async fn tree(
    client: &Xponent,
    root: &str,
    tag: &str,
    total: usize,
    depth: usize,
) -> anyhow::Result<Tree> {
    anyhow::ensure!(
        total > depth,
        "a tree of {total} cannot hold a chain {depth} deep"
    );
    let mut parent = root.to_owned();
    for level in 1..=depth {
        parent = client
            .create_org(&format!("{tag}-chain-{level}"), Some(&parent))
            .await?;
    }
    let deep = parent;

    let mut remaining = total - 1 - depth;
    let mut parents = vec![root.to_owned()];
    let mut levels = Vec::new();
    while remaining > 0 {
        let count = remaining.min(parents.len() * FANOUT);
        let level = levels.len() + 1;
        let created: Vec<String> = stream::iter(0..count)
            .map(|i| {
                let parent = &parents[i % parents.len()];
                let name = format!("{tag}-{level}-{i}");
                async move { client.create_org(&name, Some(parent)).await }
            })
            .buffered(IN_FLIGHT)
            .try_collect()
            .await?;
        remaining -= count;
        parents = created.clone();
        levels.push(created);
    }
    Ok(Tree {
        root: root.to_owned(),
        deep,
        orgs: total,
        levels,
    })
}

/// Creates `count` users spread over the organizations of the tree's second level (or first).
pub async fn users(client: &Xponent, tree: &Tree, tag: &str, count: usize) -> anyhow::Result<()> {
    let homes = tree
        .levels
        .get(1)
        .or(tree.levels.first())
        .map_or_else(|| vec![tree.root.clone()], Clone::clone);
    let batches = count.div_ceil(USER_BATCH);
    stream::iter(0..batches)
        .map(|b| {
            let home = &homes[b % homes.len()];
            let users: Vec<_> = (b * USER_BATCH..count.min((b + 1) * USER_BATCH))
                .map(|i| json!({ "name": format!("User {i}"), "email": format!("{tag}-u{i}@bench.example") }))
                .collect();
            async move { client.create_users(home, &users).await }
        })
        // Writes serialize in the database anyway; a few in flight hide the round trips.
        .buffer_unordered(4)
        .try_collect::<()>()
        .await
}

/// A few organizations under the authenticated-read root, so its answer is a small list.
pub async fn flat(client: &Xponent, root: &str, tag: &str, count: usize) -> anyhow::Result<()> {
    for i in 0..count {
        client.create_org(&format!("{tag}-{i}"), Some(root)).await?;
    }
    Ok(())
}
