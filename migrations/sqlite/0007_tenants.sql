-- Tenants (SQLite). Keep in step with ../postgres/0007_tenants.sql.
--
-- 1. Organization names are unique within a root organization's tree, no longer across the
--    server: one tenant could learn and reserve another's names. `root_id` (the first id of
--    `path`, the root's own id for a root) carries the tree; roots' names stay unique among
--    roots (only the operator creates roots). Emails stay unique across the server.
-- 2. `tenant_usage`: how many organizations and users each tree holds, kept by triggers in the
--    transaction of every insert and delete (cascades included), so that quotas are checked
--    without counting and cannot be overshot by concurrent writes.
--
-- The server-wide unique name of 0001 (`organizations_name_key`, a table constraint) is
-- dropped when the store opens, right after the migrations (src/store/sqlite_rebuild.rs):
-- SQLite cannot drop a table constraint, so the table is rebuilt. A rebuild must keep every
-- column, index and trigger that any migration gave `organizations` (sso_epoch of 0006, the
-- idOS `slug` and its unique index of 0005 once that branch is in, root_id and the indexes and
-- triggers below): a list of columns written here would lose what it forgot, so the rebuild
-- is made from the table's own definition in the database, less that one constraint.

-- The root of the tree (a root's own id). NULL only between a root's insert and the update
-- that sets its path, in the same transaction.
ALTER TABLE organizations ADD COLUMN root_id INTEGER;
UPDATE organizations SET root_id = CAST(substr(path, 2, instr(substr(path, 2), '/') - 1) AS INTEGER);
CREATE UNIQUE INDEX organizations_tree_name_key ON organizations (root_id, name);
CREATE UNIQUE INDEX organizations_root_name_key ON organizations (name) WHERE parent_id IS NULL;

-- A user's tree, so that deleting an organization (which cascades to its users) can count
-- them out without reading the organization being deleted.
ALTER TABLE users ADD COLUMN root_id INTEGER;
UPDATE users SET root_id = (SELECT o.root_id FROM organizations o WHERE o.id = users.org_id);
CREATE INDEX users_root_idx ON users (root_id);

CREATE TABLE tenant_usage (
    root_id  INTEGER PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    orgs     INTEGER NOT NULL DEFAULT 0,
    users    INTEGER NOT NULL DEFAULT 0
);
INSERT INTO tenant_usage (root_id, orgs, users)
SELECT r.id,
    (SELECT count(*) FROM organizations o WHERE o.root_id = r.id),
    (SELECT count(*) FROM users u WHERE u.root_id = r.id)
FROM organizations r WHERE r.parent_id IS NULL;

-- A root is counted by the store when it creates the root's usage row (its root_id is set
-- after its insert); every other organization and every user is counted here.
CREATE TRIGGER organizations_counted_in AFTER INSERT ON organizations
WHEN NEW.root_id IS NOT NULL
BEGIN
    UPDATE tenant_usage SET orgs = orgs + 1 WHERE root_id = NEW.root_id;
END;
CREATE TRIGGER organizations_counted_out AFTER DELETE ON organizations
WHEN OLD.root_id IS NOT NULL
BEGIN
    UPDATE tenant_usage SET orgs = orgs - 1 WHERE root_id = OLD.root_id;
END;
CREATE TRIGGER users_counted_in AFTER INSERT ON users
BEGIN
    UPDATE tenant_usage SET users = users + 1 WHERE root_id = NEW.root_id;
END;
CREATE TRIGGER users_counted_out AFTER DELETE ON users
BEGIN
    UPDATE tenant_usage SET users = users - 1 WHERE root_id = OLD.root_id;
END;

-- The database's change generation: every write transaction that may change what a server
-- caches adds one (see store/changes.rs), so that every process sharing the file sees it.
CREATE TABLE change_generation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    generation  INTEGER NOT NULL
);
INSERT INTO change_generation (id, generation) VALUES (1, 0);
