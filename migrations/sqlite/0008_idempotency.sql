-- Idempotency keys of the native API (SQLite). Keep in step with ../postgres/0008_idempotency.sql.
--
-- A POST sent with an `Idempotency-Key` is answered once: its answer is kept here for 24 hours,
-- under the caller's scope (its tenant and its user, API key or organization) and the key, and
-- a retry of the same request gets it again. `fingerprint` is the SHA-256 of the operation's
-- path and the body's JSON: the same key with another request is refused. A row without a
-- status is a request still being answered.
CREATE TABLE idempotency_keys (
    scope        TEXT    NOT NULL,
    idem_key     TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    status       INTEGER,
    headers      TEXT,
    body         BLOB,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
