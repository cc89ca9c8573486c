//! The idOS face's records: companies by slug, identities, handlers, credentials and their end
//! users, hooks, member roles, invitations, settings, widgets and subscriptions.

use super::{Exec, StoreResult, Tx, on_exec, on_tx};
use crate::domain::{Millis, OrgPath, PublicId, Role};

/// An organization as the idOS face shows it (a company).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CompanyRow {
    pub id: i64,
    pub public_id: PublicId,
    pub name: String,
    pub slug: String,
    pub parent_id: Option<i64>,
    pub path: OrgPath,
    pub region: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

macro_rules! company_columns {
    () => {
        "SELECT id, public_id, name, COALESCE(slug, '') AS slug, parent_id, path, region, \
         created_at, updated_at FROM organizations "
    };
}

/// An identity with the user and organization it acts as.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdentityActorRow {
    pub id: i64,
    pub public_key: String,
    pub private_key_sealed: Vec<u8>,
    pub user_id: i64,
    pub user_public_id: PublicId,
    pub role: Role,
    pub partner: bool,
    /// The user's region.
    pub region: String,
    pub org_id: i64,
    pub org_public_id: PublicId,
    pub org_path: OrgPath,
}

/// An identity as its user's list shows it: never its private key.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdentityRow {
    pub id: i64,
    pub user_id: i64,
    pub public_key: String,
    pub created_at: Millis,
}

macro_rules! identity_columns {
    () => {
        "SELECT id, user_id, public_key, created_at FROM idos_identities "
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HandlerRow {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub auth_username: String,
    pub public_key: String,
    pub private_key_sealed: Vec<u8>,
    pub enabled: bool,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

macro_rules! handler_columns {
    () => {
        "SELECT id, org_id, name, auth_username, public_key, private_key_sealed, enabled, created_at, updated_at FROM idos_handlers "
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CredentialRow {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub slug: String,
    pub public_key: String,
    pub private_key_sealed: Vec<u8>,
    pub production: bool,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

macro_rules! credential_columns {
    () => {
        "SELECT id, org_id, name, slug, public_key, private_key_sealed, production, created_at, updated_at FROM idos_credentials "
    };
}

/// An end user of a credential (a UserToken's subject).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdosUserRow {
    pub id: i64,
    pub credential_id: i64,
    pub username: String,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

/// An orghub user seen as an idOS company member.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    pub id: i64,
    pub public_id: PublicId,
    pub org_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub idos_role: Option<String>,
    pub identity_id: Option<i64>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

macro_rules! member_columns {
    () => {
        "SELECT u.id, u.public_id, u.org_id, u.name, u.email, u.role, r.role AS idos_role, \
     (SELECT MIN(i.id) FROM idos_identities i WHERE i.user_id = u.id) AS identity_id, \
     u.created_at, u.updated_at \
     FROM users u LEFT JOIN idos_member_roles r ON r.user_id = u.id "
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: i64,
    pub org_id: i64,
    pub credential_id: i64,
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: String,
    pub expires_at: Millis,
    /// The invited member has an identity: the invitation was used.
    pub voided: bool,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

macro_rules! invitation_columns {
    () => {
        "SELECT v.id, v.org_id, v.credential_id, v.user_id, v.name, v.email, v.role, v.expires_at, \
     EXISTS (SELECT 1 FROM idos_identities i WHERE i.user_id = v.user_id) AS voided, \
     v.created_at, v.updated_at FROM idos_invitations v "
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SettingRow {
    pub id: i64,
    pub org_id: i64,
    pub section: String,
    pub property: String,
    pub value: String,
    pub protected: bool,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

macro_rules! setting_columns {
    () => {
        "SELECT id, org_id, section, property, value, protected, created_at, updated_at FROM idos_settings "
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WidgetRow {
    pub id: i64,
    pub org_id: i64,
    pub credential_id: Option<i64>,
    pub credential_public_key: Option<String>,
    pub hash: String,
    pub label: String,
    pub kind: String,
    pub enabled: bool,
    pub config: String,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

macro_rules! widget_columns {
    () => {
        "SELECT w.id, w.org_id, w.credential_id, c.public_key AS credential_public_key, w.hash, w.label, w.type AS kind, \
     w.enabled, w.config, w.created_at, w.updated_at \
     FROM idos_widgets w LEFT JOIN idos_credentials c ON c.id = w.credential_id "
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubscriptionRow {
    pub id: i64,
    pub credential_id: i64,
    pub category_slug: String,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

/// A company profile: an end user of one of the company's credentials.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProfileRow {
    pub id: i64,
    pub username: String,
    pub credential_public_key: String,
    pub created_at: Millis,
    pub updated_at: Option<Millis>,
}

macro_rules! profile_columns {
    () => {
        "SELECT u.id, u.username, c.public_key AS credential_public_key, u.created_at, u.updated_at \
     FROM idos_users u JOIN idos_credentials c ON c.id = u.credential_id "
    };
}

pub struct NewWidget<'a> {
    pub org_id: i64,
    pub credential_id: Option<i64>,
    pub hash: &'a str,
    pub label: &'a str,
    pub kind: &'a str,
    pub enabled: bool,
    pub config: &'a str,
}

impl Exec<'_> {
    pub async fn company_by_slug(self, slug: &str) -> StoreResult<Option<CompanyRow>> {
        let sql = concat!(company_columns!(), "WHERE slug = $1");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, CompanyRow>(sql)
                .bind(slug)
                .fetch_optional(c)
                .await?
        }))
    }

    pub async fn company_by_public_id(self, id: &PublicId) -> StoreResult<Option<CompanyRow>> {
        let sql = concat!(company_columns!(), "WHERE public_id = $1");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, CompanyRow>(sql)
                .bind(id.to_string())
                .fetch_optional(c)
                .await?
        }))
    }

    pub async fn company_by_id(self, id: i64) -> StoreResult<Option<CompanyRow>> {
        let sql = concat!(company_columns!(), "WHERE id = $1");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, CompanyRow>(sql)
                .bind(id)
                .fetch_optional(c)
                .await?
        }))
    }

    /// The companies of the subtree at `root` created in `[after, before)`, in creation order.
    pub async fn companies_in_subtree(
        self,
        root: &OrgPath,
        after: Millis,
        before: Millis,
    ) -> StoreResult<Vec<CompanyRow>> {
        let sql = concat!(
            company_columns!(),
            "WHERE path >= $1 AND path < $2 AND created_at >= $3 AND created_at < $4 ORDER BY id"
        );
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, CompanyRow>(sql)
                .bind(root.as_str())
                .bind(root.subtree_upper_bound())
                .bind(after)
                .bind(before)
                .fetch_all(c)
                .await?
        }))
    }

    pub async fn identity_by_public_key(
        self,
        public_key: &str,
    ) -> StoreResult<Option<IdentityActorRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, IdentityActorRow>(
                "SELECT i.id, i.public_key, i.private_key_sealed, u.id AS user_id, \
                 u.public_id AS user_public_id, u.role, u.partner, u.region, o.id AS org_id, \
                 o.public_id AS org_public_id, o.path AS org_path \
                 FROM idos_identities i JOIN users u ON u.id = i.user_id \
                 JOIN organizations o ON o.id = u.org_id WHERE i.public_key = $1",
            )
            .bind(public_key)
            .fetch_optional(c)
            .await?
        }))
    }

    /// At most `limit` identities of the user after the identity `after` (its row id), in id
    /// order.
    pub async fn identities_of_user(
        self,
        user_id: i64,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<IdentityRow>> {
        let sql = concat!(
            identity_columns!(),
            "WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, IdentityRow>(sql)
                .bind(user_id)
                .bind(after)
                .bind(limit)
                .fetch_all(c)
                .await?
        }))
    }

    /// The identity `public_key` of the user `user_id`; another user's is none.
    pub async fn identity_of_user(
        self,
        user_id: i64,
        public_key: &str,
    ) -> StoreResult<Option<IdentityRow>> {
        let sql = concat!(
            identity_columns!(),
            "WHERE user_id = $1 AND public_key = $2"
        );
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, IdentityRow>(sql)
                .bind(user_id)
                .bind(public_key)
                .fetch_optional(c)
                .await?
        }))
    }

    pub async fn handler_by_public_key(self, public_key: &str) -> StoreResult<Option<HandlerRow>> {
        let sql = concat!(handler_columns!(), "WHERE public_key = $1");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, HandlerRow>(sql)
                .bind(public_key)
                .fetch_optional(c)
                .await?
        }))
    }

    pub async fn handler_by_id(self, id: i64) -> StoreResult<Option<HandlerRow>> {
        let sql = concat!(handler_columns!(), "WHERE id = $1");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, HandlerRow>(sql)
                .bind(id)
                .fetch_optional(c)
                .await?
        }))
    }

    /// At most `limit` handlers of the organization after the handler `after` (its row id),
    /// in id order.
    pub async fn handlers_of_org(
        self,
        org_id: i64,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<HandlerRow>> {
        let sql = concat!(
            handler_columns!(),
            "WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, HandlerRow>(sql)
                .bind(org_id)
                .bind(after)
                .bind(limit)
                .fetch_all(c)
                .await?
        }))
    }

    pub async fn credential_by_public_key(
        self,
        public_key: &str,
    ) -> StoreResult<Option<CredentialRow>> {
        let sql = concat!(credential_columns!(), "WHERE public_key = $1");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, CredentialRow>(sql)
                .bind(public_key)
                .fetch_optional(c)
                .await?
        }))
    }

    /// At most `limit` credentials of the organization after the credential `after` (its row
    /// id), in id order.
    pub async fn credentials_of_org(
        self,
        org_id: i64,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<CredentialRow>> {
        let sql = concat!(
            credential_columns!(),
            "WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, CredentialRow>(sql)
                .bind(org_id)
                .bind(after)
                .bind(limit)
                .fetch_all(c)
                .await?
        }))
    }

    /// The ids of the (events engine) hooks of a credential, in creation order.
    pub async fn idos_hook_ids(self, credential_id: i64) -> StoreResult<Vec<i64>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_scalar(
                "SELECT hook_id FROM idos_hooks WHERE credential_id = $1 ORDER BY hook_id",
            )
            .bind(credential_id)
            .fetch_all(c)
            .await?
        }))
    }

    pub async fn members_of_org(self, org_id: i64) -> StoreResult<Vec<MemberRow>> {
        let sql = concat!(member_columns!(), "WHERE u.org_id = $1 ORDER BY u.id");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, MemberRow>(sql)
                .bind(org_id)
                .fetch_all(c)
                .await?
        }))
    }

    pub async fn member_by_id(self, id: i64) -> StoreResult<Option<MemberRow>> {
        let sql = concat!(member_columns!(), "WHERE u.id = $1");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, MemberRow>(sql)
                .bind(id)
                .fetch_optional(c)
                .await?
        }))
    }

    pub async fn invitations_of_org(self, org_id: i64) -> StoreResult<Vec<InvitationRow>> {
        let sql = concat!(invitation_columns!(), "WHERE v.org_id = $1 ORDER BY v.id");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, InvitationRow>(sql)
                .bind(org_id)
                .fetch_all(c)
                .await?
        }))
    }

    pub async fn invitation_by_id(self, id: i64) -> StoreResult<Option<InvitationRow>> {
        let sql = concat!(invitation_columns!(), "WHERE v.id = $1");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, InvitationRow>(sql)
                .bind(id)
                .fetch_optional(c)
                .await?
        }))
    }

    pub async fn settings_of_org(self, org_id: i64) -> StoreResult<Vec<SettingRow>> {
        let sql = concat!(setting_columns!(), "WHERE org_id = $1 ORDER BY id");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, SettingRow>(sql)
                .bind(org_id)
                .fetch_all(c)
                .await?
        }))
    }

    pub async fn setting_by_id(self, id: i64) -> StoreResult<Option<SettingRow>> {
        let sql = concat!(setting_columns!(), "WHERE id = $1");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, SettingRow>(sql)
                .bind(id)
                .fetch_optional(c)
                .await?
        }))
    }

    pub async fn widgets_of_org(self, org_id: i64) -> StoreResult<Vec<WidgetRow>> {
        let sql = concat!(widget_columns!(), "WHERE w.org_id = $1 ORDER BY w.id");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, WidgetRow>(sql)
                .bind(org_id)
                .fetch_all(c)
                .await?
        }))
    }

    pub async fn widget_by_hash(self, hash: &str) -> StoreResult<Option<WidgetRow>> {
        let sql = concat!(widget_columns!(), "WHERE w.hash = $1");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, WidgetRow>(sql)
                .bind(hash)
                .fetch_optional(c)
                .await?
        }))
    }

    pub async fn subscriptions_of_credential(
        self,
        credential_id: i64,
    ) -> StoreResult<Vec<SubscriptionRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, SubscriptionRow>(
                "SELECT id, credential_id, category_slug, created_at, updated_at \
                 FROM idos_subscriptions WHERE credential_id = $1 ORDER BY id",
            )
            .bind(credential_id)
            .fetch_all(c)
            .await?
        }))
    }

    pub async fn subscription_by_id(self, id: i64) -> StoreResult<Option<SubscriptionRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, SubscriptionRow>(
                "SELECT id, credential_id, category_slug, created_at, updated_at \
                 FROM idos_subscriptions WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(c)
            .await?
        }))
    }

    pub async fn profiles_of_org(self, org_id: i64) -> StoreResult<Vec<ProfileRow>> {
        let sql = concat!(profile_columns!(), "WHERE c.org_id = $1 ORDER BY u.id");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ProfileRow>(sql)
                .bind(org_id)
                .fetch_all(c)
                .await?
        }))
    }

    /// The profile `id` when it belongs to a credential of organization `org_id`.
    pub async fn profile_of_org(self, org_id: i64, id: i64) -> StoreResult<Option<ProfileRow>> {
        let sql = concat!(profile_columns!(), "WHERE c.org_id = $1 AND u.id = $2");
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, ProfileRow>(sql)
                .bind(org_id)
                .bind(id)
                .fetch_optional(c)
                .await?
        }))
    }
}

const CREDENTIAL_BY_KEY: super::locks::LockingRead = super::locks::locking_read!(
    concat!(credential_columns!(), "WHERE public_key = $1"),
    "idos_credentials"
);
const HANDLER_BY_ID: super::locks::LockingRead = super::locks::locking_read!(
    concat!(handler_columns!(), "WHERE id = $1"),
    "idos_handlers"
);
const HANDLER_BY_KEY: super::locks::LockingRead = super::locks::locking_read!(
    concat!(handler_columns!(), "WHERE public_key = $1"),
    "idos_handlers"
);

/// Credentials and handlers read and locked (see `locks`) before they are changed.
impl Tx {
    pub async fn credential_locked(
        &mut self,
        public_key: &str,
        lock: super::RowLock,
    ) -> StoreResult<Option<CredentialRow>> {
        let sql = self.locking(&CREDENTIAL_BY_KEY, lock);
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, CredentialRow>(sql)
                .bind(public_key)
                .fetch_optional(c)
                .await?
        }))
    }

    pub async fn handler_by_id_locked(
        &mut self,
        id: i64,
        lock: super::RowLock,
    ) -> StoreResult<Option<HandlerRow>> {
        let sql = self.locking(&HANDLER_BY_ID, lock);
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, HandlerRow>(sql)
                .bind(id)
                .fetch_optional(c)
                .await?
        }))
    }

    pub async fn handler_by_public_key_locked(
        &mut self,
        public_key: &str,
        lock: super::RowLock,
    ) -> StoreResult<Option<HandlerRow>> {
        let sql = self.locking(&HANDLER_BY_KEY, lock);
        Ok(on_tx!(self, |c| {
            sqlx::query_as::<_, HandlerRow>(sql)
                .bind(public_key)
                .fetch_optional(c)
                .await?
        }))
    }
}

impl Tx {
    pub async fn insert_identity(
        &mut self,
        user_id: i64,
        public_key: &str,
        private_key_sealed: &[u8],
        now: Millis,
    ) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO idos_identities (user_id, public_key, private_key_sealed, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(user_id)
            .bind(public_key)
            .bind(private_key_sealed)
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_handler(
        &mut self,
        org_id: i64,
        name: &str,
        auth_username: &str,
        auth_password_sealed: &[u8],
        public_key: &str,
        private_key_sealed: &[u8],
        enabled: bool,
        now: Millis,
    ) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO idos_handlers (org_id, name, auth_username, auth_password_sealed, \
                 public_key, private_key_sealed, enabled, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(org_id)
            .bind(name)
            .bind(auth_username)
            .bind(auth_password_sealed)
            .bind(public_key)
            .bind(private_key_sealed)
            .bind(enabled)
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }

    pub async fn update_handler(
        &mut self,
        id: i64,
        name: &str,
        auth_username: &str,
        enabled: bool,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE idos_handlers SET name = $1, auth_username = $2, enabled = $3, updated_at = $4 \
                 WHERE id = $5",
            )
            .bind(name)
            .bind(auth_username)
            .bind(enabled)
            .bind(now)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    pub async fn set_handler_password(&mut self, id: i64, sealed: &[u8]) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("UPDATE idos_handlers SET auth_password_sealed = $1 WHERE id = $2")
                .bind(sealed)
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_credential(
        &mut self,
        org_id: i64,
        name: &str,
        slug: &str,
        public_key: &str,
        private_key_sealed: &[u8],
        production: bool,
        now: Millis,
    ) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO idos_credentials (org_id, name, slug, public_key, private_key_sealed, \
                 production, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(org_id)
            .bind(name)
            .bind(slug)
            .bind(public_key)
            .bind(private_key_sealed)
            .bind(production)
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }

    pub async fn rename_credential(
        &mut self,
        id: i64,
        name: &str,
        slug: &str,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE idos_credentials SET name = $1, slug = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(name)
            .bind(slug)
            .bind(now)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Creates the end user `username` of credential `credential_id` unless it exists; true
    /// when it was created.
    pub async fn insert_idos_user(
        &mut self,
        credential_id: i64,
        username: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let created: Option<i64> = on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO idos_users (credential_id, username, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (credential_id, username) DO NOTHING RETURNING id",
            )
            .bind(credential_id)
            .bind(username)
            .bind(now)
            .fetch_optional(c)
            .await?
        });
        Ok(created.is_some())
    }
}

impl Exec<'_> {
    /// The end user `username` of credential `credential_id`.
    pub async fn idos_user(
        self,
        credential_id: i64,
        username: &str,
    ) -> StoreResult<Option<IdosUserRow>> {
        Ok(on_exec!(self, |c| {
            sqlx::query_as::<_, IdosUserRow>(
                "SELECT id, credential_id, username, created_at, updated_at FROM idos_users \
                 WHERE credential_id = $1 AND username = $2",
            )
            .bind(credential_id)
            .bind(username)
            .fetch_optional(c)
            .await?
        }))
    }
}

impl Tx {
    /// Makes the (events engine) hook `hook_id` a hook of credential `credential_id`.
    pub async fn insert_idos_hook(&mut self, hook_id: i64, credential_id: i64) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("INSERT INTO idos_hooks (hook_id, credential_id) VALUES ($1, $2)")
                .bind(hook_id)
                .bind(credential_id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    /// Sets a member's idOS role label (its orghub role is set with the user).
    pub async fn set_idos_member_role(&mut self, user_id: i64, idos_role: &str) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "INSERT INTO idos_member_roles (user_id, role) VALUES ($1, $2) \
                 ON CONFLICT (user_id) DO UPDATE SET role = excluded.role",
            )
            .bind(user_id)
            .bind(idos_role)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_invitation(
        &mut self,
        org_id: i64,
        credential_id: i64,
        user_id: i64,
        name: &str,
        email: &str,
        role: &str,
        expires_at: Millis,
        now: Millis,
    ) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO idos_invitations (org_id, credential_id, user_id, name, email, role, \
                 expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(org_id)
            .bind(credential_id)
            .bind(user_id)
            .bind(name)
            .bind(email)
            .bind(role)
            .bind(expires_at)
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }

    pub async fn set_invitation_expiry(
        &mut self,
        id: i64,
        expires_at: Millis,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE idos_invitations SET expires_at = $1, updated_at = $2 WHERE id = $3",
            )
            .bind(expires_at)
            .bind(now)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_setting(
        &mut self,
        org_id: i64,
        section: &str,
        property: &str,
        value: &str,
        protected: bool,
        now: Millis,
    ) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO idos_settings (org_id, section, property, value, protected, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(org_id)
            .bind(section)
            .bind(property)
            .bind(value)
            .bind(protected)
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }

    pub async fn set_setting_value(
        &mut self,
        id: i64,
        value: &str,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query("UPDATE idos_settings SET value = $1, updated_at = $2 WHERE id = $3")
                .bind(value)
                .bind(now)
                .bind(id)
                .execute(c)
                .await?
                .rows_affected()
        });
        Ok(())
    }

    pub async fn insert_widget(&mut self, widget: &NewWidget<'_>, now: Millis) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO idos_widgets (org_id, credential_id, hash, label, type, enabled, config, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(widget.org_id)
            .bind(widget.credential_id)
            .bind(widget.hash)
            .bind(widget.label)
            .bind(widget.kind)
            .bind(widget.enabled)
            .bind(widget.config)
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }

    pub async fn update_widget(
        &mut self,
        id: i64,
        widget: &NewWidget<'_>,
        now: Millis,
    ) -> StoreResult<()> {
        on_tx!(self, |c| {
            sqlx::query(
                "UPDATE idos_widgets SET credential_id = $1, label = $2, type = $3, enabled = $4, \
                 config = $5, updated_at = $6 WHERE id = $7",
            )
            .bind(widget.credential_id)
            .bind(widget.label)
            .bind(widget.kind)
            .bind(widget.enabled)
            .bind(widget.config)
            .bind(now)
            .bind(id)
            .execute(c)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    pub async fn insert_subscription(
        &mut self,
        credential_id: i64,
        category_slug: &str,
        now: Millis,
    ) -> StoreResult<i64> {
        Ok(on_tx!(self, |c| {
            sqlx::query_scalar(
                "INSERT INTO idos_subscriptions (credential_id, category_slug, created_at) \
                 VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(credential_id)
            .bind(category_slug)
            .bind(now)
            .fetch_one(c)
            .await?
        }))
    }

    /// Deletes a row of one of the idOS tables by id; the number of rows deleted.
    pub async fn delete_idos_row(&mut self, table: IdosTable, id: i64) -> StoreResult<u64> {
        let sql = table.delete_statement();
        Ok(on_tx!(self, |c| {
            sqlx::query(sql).bind(id).execute(c).await?.rows_affected()
        }))
    }
}

/// The idOS tables whose rows are deleted by id.
#[derive(Debug, Clone, Copy)]
pub enum IdosTable {
    Identities,
    Handlers,
    Credentials,
    Users,
    Invitations,
    Settings,
    Widgets,
    Subscriptions,
}

impl IdosTable {
    fn delete_statement(self) -> &'static str {
        match self {
            Self::Identities => "DELETE FROM idos_identities WHERE id = $1",
            Self::Handlers => "DELETE FROM idos_handlers WHERE id = $1",
            Self::Credentials => "DELETE FROM idos_credentials WHERE id = $1",
            Self::Users => "DELETE FROM idos_users WHERE id = $1",
            Self::Invitations => "DELETE FROM idos_invitations WHERE id = $1",
            Self::Settings => "DELETE FROM idos_settings WHERE id = $1",
            Self::Widgets => "DELETE FROM idos_widgets WHERE id = $1",
            Self::Subscriptions => "DELETE FROM idos_subscriptions WHERE id = $1",
        }
    }
}
