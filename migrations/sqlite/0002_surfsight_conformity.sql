-- The Surfsight and Cloud Conformity faces (SQLite). Keep in step with
-- ../postgres/0002_surfsight_conformity.sql.

-- Surfsight: the SSO secret partners sign organization JWTs with, sealed (it must be read back
-- to check a signature).
ALTER TABLE organizations ADD COLUMN sso_secret_sealed BLOB;
-- Cloud Conformity: the organisation's singleton external ID, set by its first cloud account.
ALTER TABLE organizations ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX organizations_external_id_key ON organizations (external_id);

-- Temporary external IDs (POST /external-ids), valid one hour.
CREATE TABLE external_ids (
    public_id    TEXT    PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    valid_until  INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX external_ids_org_idx ON external_ids (org_id);

CREATE TABLE cloud_accounts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id       TEXT    NOT NULL UNIQUE,
    org_id          INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    environment     TEXT    NOT NULL,
    -- JSON array of strings.
    tags            TEXT    NOT NULL,
    aws_account_id  TEXT    NOT NULL,
    role_arn        TEXT    NOT NULL,
    external_id     TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX cloud_accounts_org_idx ON cloud_accounts (org_id);
