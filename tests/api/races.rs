//! Concurrent writes that read before they write, 100 rounds each: on PostgreSQL (READ
//! COMMITTED) they used to see rows another transaction was changing. Two crossed moves (X
//! under Y, Y under X) both succeeded in 16 of 20 rounds, leaving a cycle that could never be
//! deleted; a `PUT` and a `DELETE` of one user gave a 500 in 18 of 40. On SQLite the one
//! writer already serialized them; the same tests hold it so.

use futures::future::join;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

const ROUNDS: usize = 100;

#[tokio::test]
async fn race_of_crossed_moves_never_makes_a_cycle() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let mut failed = Vec::new();
    for round in 0..ROUNDS {
        let x = app.create_org(&token, &format!("X{round}"), None).await;
        let y = app.create_org(&token, &format!("Y{round}"), None).await;
        let (x_under_y, y_under_x) = join(
            app.put(
                &format!("/xponent/org/{x}"),
                &token,
                &json!({ "parentId": y }),
            ),
            app.put(
                &format!("/xponent/org/{y}"),
                &token,
                &json!({ "parentId": x }),
            ),
        )
        .await;
        // One move, and a 409 for the other.
        let statuses = [x_under_y.status, y_under_x.status];
        if !(statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::CONFLICT)) {
            failed.push((round, statuses));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {ROUNDS} rounds failed: {failed:?}",
        failed.len()
    );
    app.assert_tree_is_sound().await;
    // Every organization is still in the tree and can be deleted, children first.
    let orgs = app
        .get("/xponent/org", &token)
        .await
        .xponent_items("organizations");
    assert_eq!(orgs.len(), 1 + 2 * ROUNDS);
    for org in orgs.iter().skip(1).rev() {
        let id = org["id"].as_str().unwrap();
        let reply = app.delete(&format!("/xponent/org/{id}"), &token).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    }
    app.assert_tree_is_sound().await;
    app.stop().await;
}

#[tokio::test]
async fn race_of_a_move_and_a_deletion_leaves_a_sound_tree() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    let home = app.create_org(&token, "Home", None).await;
    let mut failed = Vec::new();
    for round in 0..ROUNDS {
        let x = app.create_org(&token, &format!("X{round}"), None).await;
        let (moved, deleted) = join(
            app.put(
                &format!("/xponent/org/{x}"),
                &token,
                &json!({ "parentId": home }),
            ),
            app.delete(&format!("/xponent/org/{x}"), &token),
        )
        .await;
        // The deletion goes through; the move happened first, or finds nothing to move.
        if deleted.status != StatusCode::OK
            || ![StatusCode::OK, StatusCode::NOT_FOUND].contains(&moved.status)
        {
            failed.push((round, moved.status, deleted.status));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {ROUNDS} rounds failed: {failed:?}",
        failed.len()
    );
    app.assert_tree_is_sound().await;
    app.stop().await;
}

#[tokio::test]
async fn race_of_an_update_and_a_deletion_of_one_user_never_fails() {
    let app = TestApp::spawn().await;
    let (_, token) = app.root_with_token().await;
    // Users of a child organization: made Owners by the update, the root's Owner still
    // administers them (a fellow Owner of its own organization it may not).
    let below = app.create_org(&token, "Below", None).await;
    let mut failed = Vec::new();
    for round in 0..ROUNDS {
        let user = app
            .post(
                &format!("/xponent/user/org/{below}"),
                &token,
                &json!([{ "name": "U", "email": format!("u{round}@root.test") }]),
            )
            .await
            .xponent_items("users")[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = format!("/xponent/user/{user}");
        let (updated, deleted) = join(
            app.put(
                &path,
                &token,
                &json!({ "name": "Renamed", "role": "Owner" }),
            ),
            app.delete(&path, &token),
        )
        .await;
        // The deletion goes through; the update happened first, or finds no user.
        let update_ok = match updated.status {
            StatusCode::OK => updated.body["users"][0]["name"] == "Renamed",
            StatusCode::NOT_FOUND => {
                updated.body["metadata"]["message"] == format!("User with id '{user}' not found")
            }
            _ => false,
        };
        if deleted.status != StatusCode::OK || !update_ok {
            failed.push((round, updated.status, deleted.status));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {ROUNDS} rounds failed: {failed:?}",
        failed.len()
    );
    let users = app
        .get("/xponent/user", &token)
        .await
        .xponent_items("users");
    assert_eq!(users.len(), 1, "only the owner is left");
    app.assert_tree_is_sound().await;
    app.stop().await;
}
