-- Events as the audit log and the outbox of hooks; hooks, their deliveries and attempts
-- (SQLite). Keep in step with ../postgres/0003_events_hooks.sql. See docs/hooks.md.

-- Each event now has a public id (UUIDv7), a type from the catalog (src/domain/events.rs), its
-- organization's public id and path as they were, the actor (JSON), the request id and the
-- resource (JSON `data`). Rows written before this migration keep their kind and payload, and
-- get the id 00000000-0000-4000-8000-<row id in hex> and the actor {"kind":"unknown"}.
CREATE TABLE events_0003 (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id      TEXT    NOT NULL UNIQUE,
    type           TEXT    NOT NULL,
    -- Not a foreign key: an organization's events outlive it (audit).
    org_id         INTEGER NOT NULL,
    org_public_id  TEXT    NOT NULL,
    -- The organization's path when the event occurred: who may see it, which hooks get it.
    org_path       TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    request_id     TEXT,
    data           TEXT    NOT NULL,
    occurred_at    INTEGER NOT NULL
);
INSERT INTO events_0003 (id, public_id, type, org_id, org_public_id, org_path, actor,
                         request_id, data, occurred_at)
SELECT e.id, '00000000-0000-4000-8000-' || printf('%012x', e.id), e.kind, COALESCE(e.org_id, 0),
       COALESCE(o.public_id, ''), COALESCE(o.path, ''), '{"kind":"unknown"}', NULL, e.payload,
       e.created_at
FROM events e LEFT JOIN organizations o ON o.id = e.org_id;
DROP TABLE events;
ALTER TABLE events_0003 RENAME TO events;
CREATE INDEX events_occurred_idx ON events (occurred_at);
CREATE INDEX events_org_path_idx ON events (org_path, id);

-- A hook: an endpoint of an organization that receives its events (and, with
-- include_descendants, those of the organizations below it). The URL may carry credentials and
-- the secret signs deliveries: both sealed, associated data hooks.url:<public id> and
-- hooks.secret:<public id>. After a rotation the previous secret signs too, until
-- previous_secret_until.
CREATE TABLE hooks (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id              TEXT    NOT NULL UNIQUE,
    org_id                 INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    url_sealed             BLOB    NOT NULL,
    secret_sealed          BLOB    NOT NULL,
    previous_secret_sealed BLOB,
    previous_secret_until  INTEGER,
    -- 1: every event type; 0: the types in hook_event_types.
    all_types              INTEGER NOT NULL,
    include_descendants    INTEGER NOT NULL,
    -- How many deliveries to this endpoint one node makes at once.
    max_in_flight          INTEGER NOT NULL,
    enabled                INTEGER NOT NULL,
    -- The first failed attempt since the last success: five days of failures disable the hook.
    failing_since          INTEGER,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);
CREATE INDEX hooks_org_idx ON hooks (org_id);

CREATE TABLE hook_event_types (
    hook_id  INTEGER NOT NULL REFERENCES hooks (id) ON DELETE CASCADE,
    type     TEXT    NOT NULL,
    PRIMARY KEY (hook_id, type)
);

-- One event for one hook, written with the event (the outbox). While pending, next_attempt_at
-- is when it is due; a claim moves it to the end of the claim's lease, so a delivery whose
-- worker died is due again when the lease ends. `claims` counts the claims: an outcome is
-- recorded only by the worker holding the latest one.
CREATE TABLE hook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id         INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    hook_id          INTEGER NOT NULL REFERENCES hooks (id) ON DELETE CASCADE,
    -- pending, succeeded or failed
    status           TEXT    NOT NULL,
    -- Attempts since it was written or last replayed: where it is in the retry schedule.
    attempts         INTEGER NOT NULL,
    next_attempt_at  INTEGER NOT NULL,
    claims           INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (event_id, hook_id)
);
CREATE INDEX hook_deliveries_due_idx ON hook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX hook_deliveries_hook_due_idx ON hook_deliveries (hook_id, next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX hook_deliveries_hook_idx ON hook_deliveries (hook_id, status, updated_at);

-- The delivery log: every attempt, successful or not.
CREATE TABLE hook_attempts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id   INTEGER NOT NULL REFERENCES hook_deliveries (id) ON DELETE CASCADE,
    hook_id       INTEGER NOT NULL,
    attempted_at  INTEGER NOT NULL,
    status_code   INTEGER,
    latency_ms    INTEGER NOT NULL,
    -- The first bytes of the response body (lossy UTF-8).
    response      TEXT,
    error         TEXT,
    succeeded     INTEGER NOT NULL
);
CREATE INDEX hook_attempts_hook_idx ON hook_attempts (hook_id, id);
CREATE INDEX hook_attempts_delivery_idx ON hook_attempts (delivery_id);
