-- Cloud Conformity: account settings, Azure and GCP accounts, groups and users (SQLite).
-- Keep in step with ../postgres/0004_conformity_settings_groups.sql.

-- The Conformity Bot settings of an account (PATCH /accounts/{id}/settings/bot): one JSON
-- object, as stored by the last change.
CREATE TABLE cloud_account_bot_settings (
    account_id  INTEGER PRIMARY KEY REFERENCES cloud_accounts (id) ON DELETE CASCADE,
    bot         TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- The configured rule settings of an account (PATCH /accounts/{id}/settings/rules/{ruleId}),
-- one per rule. A change deletes and re-inserts the row, so ids order the rules by their last
-- change.
CREATE TABLE cloud_account_rule_settings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES cloud_accounts (id) ON DELETE CASCADE,
    rule_id     TEXT    NOT NULL,
    -- The ruleSetting object, JSON.
    setting     TEXT    NOT NULL,
    note        TEXT,
    -- The public id of the user who wrote the note, when a user did.
    noted_by    TEXT,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT cloud_account_rule_settings_rule_key UNIQUE (account_id, rule_id)
);

-- Azure active directories (POST /azure/active-directories). The application key is sealed.
CREATE TABLE azure_active_directories (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id                  INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name                    TEXT    NOT NULL,
    -- As given, and lower-cased for lookups and uniqueness (GUIDs ignore case).
    directory_id            TEXT    NOT NULL,
    directory_key           TEXT    NOT NULL,
    application_id          TEXT    NOT NULL,
    application_key_sealed  BLOB    NOT NULL,
    created_at              INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    CONSTRAINT azure_active_directories_directory_key UNIQUE (org_id, directory_key)
);

-- The Azure subscription of an Azure cloud account.
CREATE TABLE azure_subscriptions (
    account_id           INTEGER PRIMARY KEY REFERENCES cloud_accounts (id) ON DELETE CASCADE,
    org_id               INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    active_directory_id  INTEGER NOT NULL REFERENCES azure_active_directories (id),
    subscription_id      TEXT    NOT NULL,
    subscription_key     TEXT    NOT NULL,
    CONSTRAINT azure_subscriptions_subscription_key UNIQUE (org_id, subscription_key)
);
CREATE INDEX azure_subscriptions_directory_idx ON azure_subscriptions (active_directory_id);

-- GCP organisations (POST /gcp/organisations): a service account, its whole key JSON sealed.
CREATE TABLE gcp_organisations (
    id                         INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id                  TEXT    NOT NULL UNIQUE,
    org_id                     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    service_account_name       TEXT    NOT NULL,
    -- The key's client_id: the service account's unique id.
    service_account_unique_id  TEXT    NOT NULL,
    key_sealed                 BLOB    NOT NULL,
    created_at                 INTEGER NOT NULL,
    CONSTRAINT gcp_organisations_service_account_key UNIQUE (org_id, service_account_unique_id)
);

-- The GCP project of a GCP cloud account, reached through a GCP organisation's service account.
CREATE TABLE gcp_projects (
    account_id           INTEGER PRIMARY KEY REFERENCES cloud_accounts (id) ON DELETE CASCADE,
    org_id               INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    gcp_organisation_id  INTEGER NOT NULL REFERENCES gcp_organisations (id),
    project_id           TEXT    NOT NULL,
    project_name         TEXT    NOT NULL,
    CONSTRAINT gcp_projects_project_key UNIQUE (org_id, project_id)
);
CREATE INDEX gcp_projects_organisation_idx ON gcp_projects (gcp_organisation_id);

-- Groups of accounts (/groups): an account belongs to a group when it has one of its tags.
CREATE TABLE conformity_groups (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id   TEXT    NOT NULL UNIQUE,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    -- JSON array of strings.
    tags        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX conformity_groups_org_idx ON conformity_groups (org_id);

-- What Cloud Conformity knows of a user beyond orghub's users row: its Conformity role
-- (ADMIN, POWER_USER, USER or READ_ONLY), the first and last names it was added with (the
-- user's name is "<first> <last>"), and how it was added.
CREATE TABLE conformity_users (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('ADMIN', 'POWER_USER', 'USER', 'READ_ONLY')),
    first_name  TEXT,
    last_name   TEXT,
    -- 'invited' (POST /users), 'sso' (POST /users/sso) or 'role' (only its role was set).
    origin      TEXT    NOT NULL CHECK (origin IN ('invited', 'sso', 'role'))
);

-- A user's access level to an account (NONE, READONLY or FULL).
CREATE TABLE conformity_account_access (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES cloud_accounts (id) ON DELETE CASCADE,
    level       TEXT    NOT NULL CHECK (level IN ('NONE', 'READONLY', 'FULL')),
    PRIMARY KEY (user_id, account_id)
);
CREATE INDEX conformity_account_access_account_idx ON conformity_account_access (account_id);
