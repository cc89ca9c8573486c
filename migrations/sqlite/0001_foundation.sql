-- orghub foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql.
-- Times are Unix epoch milliseconds; secrets that must be read back are AEAD-sealed blobs;
-- secrets that need only be checked are stored as hashes.

CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id   TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    parent_id   INTEGER REFERENCES organizations (id) ON DELETE RESTRICT,
    -- Materialized path of ids, "/1/5/23/": subtree checks are a prefix test, subtree lists a range scan.
    path        TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT organizations_name_key UNIQUE (name)
);
CREATE INDEX organizations_path_idx ON organizations (path);
CREATE INDEX organizations_parent_idx ON organizations (parent_id);

CREATE TABLE users (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id         TEXT    NOT NULL UNIQUE,
    org_id            INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name              TEXT    NOT NULL,
    email             TEXT    NOT NULL,
    -- Lower-cased email: uniqueness ignores case.
    email_key         TEXT    NOT NULL,
    role              TEXT    NOT NULL,
    partner           BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash     TEXT,
    secret_key_sealed BLOB,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email_key)
);
CREATE INDEX users_org_idx ON users (org_id);

CREATE TABLE tokens (
    hash        BLOB    PRIMARY KEY,
    kind        TEXT    NOT NULL,
    user_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    region      TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX tokens_user_idx ON tokens (user_id);
CREATE INDEX tokens_org_idx ON tokens (org_id);
CREATE INDEX tokens_expiry_idx ON tokens (expires_at);

-- Nonces accepted by POST /token, per user. They stay while the secret they were hashed with
-- stays: rotating the secret key deletes them, as no hash made with the old secret can match.
CREATE TABLE nonces (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    digest      BLOB    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, digest)
);

CREATE TABLE api_keys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id     TEXT    NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key_hash      BLOB    NOT NULL UNIQUE,
    status        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id);

CREATE TABLE templates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id   TEXT    NOT NULL UNIQUE,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    global      BOOLEAN NOT NULL,
    graphs      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX templates_org_idx ON templates (org_id);

CREATE TABLE template_connections (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    template_id  INTEGER NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    type         TEXT    NOT NULL
);
CREATE INDEX template_connections_template_idx ON template_connections (template_id);

CREATE TABLE projects (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id    TEXT    NOT NULL UNIQUE,
    org_id       INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    template_id  INTEGER REFERENCES templates (id) ON DELETE SET NULL,
    graphs       TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX projects_org_idx ON projects (org_id);

CREATE TABLE project_connections (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id       TEXT    NOT NULL UNIQUE,
    project_id      INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    type            TEXT    NOT NULL,
    -- The whole details object, sealed: it holds passwords and keys.
    details_sealed  BLOB,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX project_connections_project_idx ON project_connections (project_id);

CREATE TABLE project_members (
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user_idx ON project_members (user_id);

-- The outbox: every mutation writes its event in the same transaction.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    org_id      INTEGER,
    subject     TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
