-- The idOS face (SQLite). Keep in step with ../postgres/0005_idos.sql.
-- Times are Unix epoch milliseconds, as everywhere; private keys are sealed.

-- Every organization (an idOS company) has a unique slug, [a-z0-9_-]+, made from its name when
-- it is created (by any face or command). Rows older than this migration get theirs when the
-- store opens (store/idos_slugs.rs), since slugging a name needs more than SQL.
ALTER TABLE organizations ADD COLUMN slug TEXT;
CREATE UNIQUE INDEX organizations_slug_key ON organizations (slug);

-- Identities: key pairs of orghub users, for IdentityTokens (iss = public key, HS256 with the
-- private key).
CREATE TABLE idos_identities (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    public_key          TEXT    NOT NULL,
    private_key_sealed  BLOB    NOT NULL,
    created_at          INTEGER NOT NULL,
    CONSTRAINT idos_identities_public_key_key UNIQUE (public_key)
);
CREATE INDEX idos_identities_user_idx ON idos_identities (user_id);

-- Handlers: services that sign CredentialTokens (iss = handler public key).
CREATE TABLE idos_handlers (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id              INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                TEXT    NOT NULL,
    auth_username       TEXT    NOT NULL,
    auth_password_sealed BLOB   NOT NULL,
    public_key          TEXT    NOT NULL,
    private_key_sealed  BLOB    NOT NULL,
    enabled             BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER,
    CONSTRAINT idos_handlers_public_key_key UNIQUE (public_key)
);
CREATE INDEX idos_handlers_org_idx ON idos_handlers (org_id);

-- Company credentials (API keys): 32 hex characters each.
CREATE TABLE idos_credentials (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id              INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                TEXT    NOT NULL,
    slug                TEXT    NOT NULL,
    public_key          TEXT    NOT NULL,
    private_key_sealed  BLOB    NOT NULL,
    production          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER,
    CONSTRAINT idos_credentials_public_key_key UNIQUE (public_key)
);
CREATE INDEX idos_credentials_org_idx ON idos_credentials (org_id);

-- End users of a credential, named by UserTokens (sub), created on first use.
CREATE TABLE idos_users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    credential_id  INTEGER NOT NULL REFERENCES idos_credentials (id) ON DELETE CASCADE,
    username       TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER,
    CONSTRAINT idos_users_credential_username_key UNIQUE (credential_id, username)
);

-- An idOS hook is a hook of the events engine (hooks, hook_event_types: one type, its trigger;
-- enabled while subscribed; its organization the credential's company, with the companies
-- below it) that belongs to a credential. Deleting a credential deletes its hooks through the service,
-- which records each deletion.
CREATE TABLE idos_hooks (
    hook_id        INTEGER PRIMARY KEY REFERENCES hooks (id) ON DELETE CASCADE,
    credential_id  INTEGER NOT NULL REFERENCES idos_credentials (id) ON DELETE CASCADE
);
CREATE INDEX idos_hooks_credential_idx ON idos_hooks (credential_id, hook_id);

-- The idOS role of a member (an orghub user) when set through idOS: company.owner and
-- company.admin administer (orghub Owner), company.reviewer reads (orghub Member).
CREATE TABLE idos_member_roles (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL
);

-- Invitations: the invited member is an orghub user of the company from the start.
CREATE TABLE idos_invitations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    credential_id  INTEGER NOT NULL REFERENCES idos_credentials (id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           TEXT    NOT NULL,
    email          TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    expires_at     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER
);
CREATE INDEX idos_invitations_org_idx ON idos_invitations (org_id);

CREATE TABLE idos_settings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    section     TEXT    NOT NULL,
    property    TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    protected   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER,
    CONSTRAINT idos_settings_key UNIQUE (org_id, section, property)
);

CREATE TABLE idos_widgets (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    credential_id  INTEGER REFERENCES idos_credentials (id) ON DELETE CASCADE,
    hash           TEXT    NOT NULL,
    label          TEXT    NOT NULL,
    type           TEXT    NOT NULL,
    enabled        BOOLEAN NOT NULL DEFAULT TRUE,
    -- JSON text.
    config         TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER,
    CONSTRAINT idos_widgets_hash_key UNIQUE (hash)
);
CREATE INDEX idos_widgets_org_idx ON idos_widgets (org_id);

CREATE TABLE idos_subscriptions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    credential_id  INTEGER NOT NULL REFERENCES idos_credentials (id) ON DELETE CASCADE,
    category_slug  TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER,
    CONSTRAINT idos_subscriptions_key UNIQUE (credential_id, category_slug)
);
