//! Users of the organizations in an actor's subtree.

use std::collections::HashMap;

use anyhow::Context;
use serde_json::json;

use super::Services;
use super::actor::{Access, Actor};
use super::error::TextField;
use super::error::{
    Conflict, FieldRule, Forbidden, Invalid, ServiceError, ServiceResult, on_unique,
    password_failure,
};
use super::event_data;
use super::events::{Origin, event};
use super::lookup::{
    find_org, find_org_locked, find_user, find_user_locked, lock_tenant, parse_email, parse_name,
    parse_role, standing,
};
use super::precondition::{self, Expect};
use super::quotas::Quota;
use super::records::{ProjectMembership, User};
use crate::crypto::PasswordGate;
use crate::domain::events::EventType;
use crate::domain::{Email, Kind, OrgPath, PublicId, Role, now_millis};
use crate::store::{Exec, NewEvent, NewUser, RowLock, Store, UniqueKey, UserRow};

pub struct NewUserRequest {
    pub name: String,
    pub email: String,
    pub role: Option<String>,
    /// Lets the user sign in with an email and password (Surfsight `POST /authenticate`).
    pub password: Option<String>,
}

#[derive(Default)]
pub struct UserChanges {
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
    pub password: Option<String>,
}

const MIN_PASSWORD_CHARS: usize = 8;

/// The most users one `POST /user/org/{id}` may create: each may carry a password to hash.
pub const MAX_BULK_ITEMS: usize = 1_000;

/// Refuses a password too short to be worth guessing at. Cheap: every password of a request
/// is checked before the first is hashed.
fn check_password_rule(password: Option<&str>) -> ServiceResult<()> {
    match password {
        Some(password) if password.chars().count() < MIN_PASSWORD_CHARS => {
            Err(ServiceError::Invalid(Invalid::Field {
                field: "password",
                rule: FieldRule::MinChars(MIN_PASSWORD_CHARS),
            }))
        }
        _ => Ok(()),
    }
}

/// Hashes a new password (checked by `check_password_rule`) under the password gate.
async fn new_password_hash(
    gate: &PasswordGate,
    password: Option<&str>,
) -> ServiceResult<Option<String>> {
    let Some(password) = password else {
        return Ok(None);
    };
    let hash = gate
        .hash_password_blocking(password.to_owned())
        .await
        .map_err(|e| password_failure(e, "hashing a user's new password"))?;
    Ok(Some(hash))
}

async fn with_projects(exec: Exec<'_>, row: UserRow) -> ServiceResult<User> {
    let projects = exec
        .memberships_of_user(row.id)
        .await
        .with_context(|| format!("reading the projects of user {}", row.public_id))?
        .into_iter()
        .map(|(project, role)| ProjectMembership {
            project_public_id: project.to_string(),
            role,
        })
        .collect();
    Ok(User::from_row(row, projects))
}

/// The user `id`, just written in `exec`'s transaction.
async fn written_user(exec: Exec<'_>, id: i64) -> ServiceResult<UserRow> {
    Ok(exec
        .user_by_id(id)
        .await
        .context("reading a user just written")?
        .context("a user just written is missing")?)
}

fn user_event(actor: &Actor, kind: EventType, user: &UserRow) -> NewEvent {
    event(
        Origin::Actor(actor),
        kind,
        user.into(),
        event_data::user(user),
    )
}

/// Users per page of `Services::list_users`: what one request holds in memory at a time.
const USER_PAGE_SIZE: usize = 500;

/// The users of an actor's organization and of the organizations below it, in creation order,
/// read a page at a time. Each page is its own short read on the pool: nothing (connection,
/// transaction) is held between pages, so a slow reader of a long list blocks no one. Pages
/// are not one snapshot: a user created or deleted while the list is read may or may not be
/// in it, and no user is listed twice.
pub struct UserPages {
    store: Store,
    root: OrgPath,
    /// The id of the last user listed (ids grow in creation order).
    after: i64,
    done: bool,
}

impl UserPages {
    /// The next page of users (never empty), or `None` when every user has been listed.
    pub async fn next_page(&mut self) -> ServiceResult<Option<Vec<User>>> {
        if self.done {
            return Ok(None);
        }
        let rows = self
            .store
            .read()
            .users_in_subtree_after(&self.root, self.after, USER_PAGE_SIZE as i64)
            .await
            .context("reading a page of users")?;
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            self.done = true;
            return Ok(None);
        };
        let (first, last) = (first.id, last.id);
        let mut memberships: HashMap<i64, Vec<ProjectMembership>> = HashMap::new();
        for (user_id, project, role) in self
            .store
            .read()
            .memberships_in_subtree_between(&self.root, first, last)
            .await
            .context("reading the project memberships of a page of users")?
        {
            memberships
                .entry(user_id)
                .or_default()
                .push(ProjectMembership {
                    project_public_id: project.to_string(),
                    role,
                });
        }
        self.after = last;
        self.done = rows.len() < USER_PAGE_SIZE;
        Ok(Some(
            rows.into_iter()
                .map(|row| {
                    let projects = memberships.remove(&row.id).unwrap_or_default();
                    User::listed(row, projects)
                })
                .collect(),
        ))
    }
}

impl Services {
    /// Every user of the actor's organization and of the organizations below it, page by page.
    pub fn list_users(&self, actor: &Actor) -> UserPages {
        UserPages {
            store: self.store.clone(),
            root: actor.org_path.clone(),
            after: 0,
            done: false,
        }
    }

    /// Creates all the users or none. In order of cost: the actor is authorized, then the
    /// request's size and every entry are checked, and only then are passwords hashed, so
    /// that a caller without the right, or with a bad entry, costs no hashing.
    pub async fn create_users(
        &self,
        actor: &Actor,
        org_id: &PublicId,
        requests: &[NewUserRequest],
    ) -> ServiceResult<Vec<User>> {
        let org = find_org(self.store.read(), org_id, Kind::Organization).await?;
        actor.authorize(
            Access::Administer,
            &org.path,
            Kind::Organization,
            org.public_id,
        )?;
        if requests.len() > MAX_BULK_ITEMS {
            return Err(ServiceError::Invalid(Invalid::TooManyItems {
                max: MAX_BULK_ITEMS,
            }));
        }
        let parsed = requests
            .iter()
            .map(|r| {
                parse_name(&r.name, TextField::Name)?;
                // The API's default role for a new user.
                let role = r.role.as_deref().map(parse_role).transpose()?;
                let email = parse_email(&r.email)?;
                check_password_rule(r.password.as_deref())?;
                Ok((email, role.unwrap_or(Role::Member)))
            })
            .collect::<ServiceResult<Vec<_>>>()?;
        // A tree already at its quota is refused before any password is hashed (and again,
        // authoritatively, under its lock below).
        if let Some(usage) = self
            .store
            .read()
            .tenant_usage(org.path.root_id())
            .await
            .context("reading a tenant's usage")?
        {
            self.config
                .quotas
                .check(Quota::Users, usage.users, requests.len())?;
        }
        let mut password_hashes = Vec::with_capacity(requests.len());
        for request in requests {
            password_hashes
                .push(new_password_hash(&self.passwords, request.password.as_deref()).await?);
        }

        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to create users")?;
        let seen = find_org(tx.exec(), org_id, Kind::Organization).await?;
        actor.authorize(
            Access::Administer,
            &seen.path,
            Kind::Organization,
            seen.public_id,
        )?;
        // Counted under the tenant's lock, so that concurrent creations cannot overshoot the
        // quota; the organization is read again, locked against its deletion meanwhile.
        let usage = lock_tenant(&mut tx, seen.path.root_id()).await?;
        let org = find_org_locked(&mut tx, org_id, Kind::Organization, RowLock::KeyShare).await?;
        self.config
            .quotas
            .check(Quota::Users, usage.users, requests.len())?;
        let now = now_millis();
        let mut created = Vec::with_capacity(requests.len());
        let mut events = Vec::with_capacity(requests.len());
        for ((request, (email, role)), password_hash) in
            requests.iter().zip(&parsed).zip(&password_hashes)
        {
            let public_id = PublicId::new();
            let id = tx
                .insert_user(
                    &NewUser {
                        public_id: &public_id,
                        org_id: org.id,
                        root_id: org.path.root_id(),
                        name: &request.name,
                        email,
                        role: *role,
                        partner: false,
                        password_hash: password_hash.as_deref(),
                        // Organizations inherit their parent's region; users their org's.
                        region: &org.region,
                    },
                    now,
                )
                .await
                .map_err(|e| {
                    on_unique(
                        e,
                        UniqueKey::UserEmail,
                        || Conflict::Email {
                            email: email.to_string(),
                        },
                        "inserting a user",
                    )
                })?;
            let row = written_user(tx.exec(), id).await?;
            events.push(user_event(actor, EventType::UserCreated, &row));
            created.push(User::from_row(row, Vec::new()));
        }
        // Their events in as few statements as fit: a bulk create is up to thousands of users.
        for chunk in events.chunks(crate::store::MAX_ROWS) {
            tx.insert_events(chunk, now)
                .await
                .context("writing users' creation events")?;
        }
        tx.commit().await.context("committing new users")?;
        Ok(created)
    }

    pub async fn update_user(
        &self,
        actor: &Actor,
        user_id: &PublicId,
        changes: &UserChanges,
    ) -> ServiceResult<User> {
        self.update_user_expecting(actor, user_id, changes, None)
            .await
    }

    /// `update_user`, made only if `expect` holds of the user as it is when locked.
    pub async fn update_user_expecting(
        &self,
        actor: &Actor,
        user_id: &PublicId,
        changes: &UserChanges,
        expect: Expect<'_, User>,
    ) -> ServiceResult<User> {
        // Authorized before anything costly, and again in the transaction (the user may have
        // changed meanwhile).
        actor.administer_user(&standing(&find_user(self.store.read(), user_id).await?))?;
        if let Some(name) = &changes.name {
            parse_name(name, TextField::Name)?;
        }
        let email = changes.email.as_deref().map(parse_email).transpose()?;
        let role = changes.role.as_deref().map(parse_role).transpose()?;
        check_password_rule(changes.password.as_deref())?;
        let password_hash = new_password_hash(&self.passwords, changes.password.as_deref()).await?;
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to update a user")?;
        // Locked: a concurrent deletion waits for this update, or this update finds no user.
        let user = find_user_locked(&mut tx, user_id, RowLock::Update).await?;
        actor.administer_user(&standing(&user))?;
        if expect.is_some() {
            let current = with_projects(tx.exec(), user.clone()).await?;
            precondition::check(expect, &current, Kind::User, &user.public_id.to_string())?;
        }
        let email: &Email = email.as_ref().unwrap_or(&user.email);
        let now = now_millis();
        tx.update_user(
            user.id,
            changes.name.as_deref().unwrap_or(&user.name),
            email,
            role.unwrap_or(user.role),
            now,
        )
        .await
        .map_err(|e| {
            on_unique(
                e,
                UniqueKey::UserEmail,
                || Conflict::Email {
                    email: email.to_string(),
                },
                "updating a user",
            )
        })?;
        if let Some(phc) = &password_hash {
            tx.set_password_hash(user.id, phc, now)
                .await
                .context("storing a user's password hash")?;
            // A new password ends the sessions opened with the old one (or by whoever had it).
            tx.end_user_tokens(user.id)
                .await
                .context("ending a user's tokens")?;
        }
        let updated = written_user(tx.exec(), user.id).await?;
        tx.insert_event(user_event(actor, EventType::UserUpdated, &updated), now)
            .await
            .context("writing a user's update event")?;
        if updated.role != user.role {
            let mut changed = user_event(actor, EventType::UserRoleChanged, &updated);
            changed.data["previousRole"] = json!(user.role.as_str());
            tx.insert_event(changed, now)
                .await
                .context("writing a user's role change event")?;
        }
        let updated = with_projects(tx.exec(), updated).await?;
        tx.commit().await.context("committing a user's update")?;
        Ok(updated)
    }

    /// Deletes a user in the actor's subtree; never the actor itself.
    pub async fn delete_user(&self, actor: &Actor, user_id: &PublicId) -> ServiceResult<User> {
        self.delete_user_expecting(actor, user_id, None).await
    }

    /// `delete_user`, made only if `expect` holds of the user as it is when locked.
    pub async fn delete_user_expecting(
        &self,
        actor: &Actor,
        user_id: &PublicId,
        expect: Expect<'_, User>,
    ) -> ServiceResult<User> {
        let mut tx = self
            .store
            .begin()
            .await
            .context("starting to delete a user")?;
        let seen = find_user(tx.exec(), user_id).await?;
        actor.administer_user(&standing(&seen))?;
        // The tenant's lock first (its user count changes), as every counted write takes it,
        // then the user's row, which a concurrent update may hold.
        lock_tenant(&mut tx, seen.org_path.root_id()).await?;
        let user = find_user_locked(&mut tx, user_id, RowLock::Update).await?;
        actor.administer_user(&standing(&user))?;
        if actor.is_user(user.id) {
            return Err(ServiceError::Forbidden(Forbidden::OwnUser {
                id: user.public_id.to_string(),
            }));
        }
        let deleted = with_projects(tx.exec(), user.clone()).await?;
        precondition::check(expect, &deleted, Kind::User, &user.public_id.to_string())?;
        tx.delete_user(user.id).await.context("deleting a user")?;
        tx.insert_event(
            user_event(actor, EventType::UserDeleted, &user),
            now_millis(),
        )
        .await
        .context("writing a user's deletion event")?;
        tx.commit().await.context("committing a user's deletion")?;
        Ok(deleted)
    }
}
