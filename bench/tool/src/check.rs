//! After the write scenario: every organization it created, counted by name.

use std::collections::HashMap;

use crate::api::Xponent;
use crate::measure::WriteCheck;

pub async fn check_writes(client: &Xponent, prefix: &str) -> anyhow::Result<WriteCheck> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for name in client.org_names().await? {
        if name.starts_with(prefix) {
            *counts.entry(name).or_default() += 1;
        }
    }
    Ok(WriteCheck {
        created: counts.values().sum::<usize>() as u64,
        duplicate_names: counts.values().filter(|&&n| n > 1).count() as u64,
    })
}
