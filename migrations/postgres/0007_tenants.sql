-- Tenants (PostgreSQL). Keep in step with ../sqlite/0007_tenants.sql.
--
-- 1. Organization names are unique within a root organization's tree, no longer across the
--    server: one tenant could learn and reserve another's names. `root_id` (the first id of
--    `path`, the root's own id for a root) carries the tree; roots' names stay unique among
--    roots (only the operator creates roots). Emails stay unique across the server.
-- 2. `tenant_usage`: how many organizations and users each tree holds, kept by triggers in the
--    transaction of every insert and delete (cascades included), so that quotas are checked
--    without counting. Its row is also the tenant's lock (`SELECT … FOR UPDATE`, see
--    store/locks.rs): writes that change a tree's shape or counts take it first.

-- The root of the tree (a root's own id). NULL only between a root's insert and the update that
-- sets its path, in the same transaction. Not a foreign key: a denormalization of `path`.
ALTER TABLE organizations ADD COLUMN root_id BIGINT;
UPDATE organizations SET root_id = split_part(path, '/', 2)::BIGINT;
ALTER TABLE organizations DROP CONSTRAINT organizations_name_key;
ALTER TABLE organizations ADD CONSTRAINT organizations_tree_name_key UNIQUE (root_id, name);
CREATE UNIQUE INDEX organizations_root_name_key ON organizations (name) WHERE parent_id IS NULL;

-- A user's tree, so that deleting an organization (which cascades to its users) can count
-- them out without reading the organization being deleted.
ALTER TABLE users ADD COLUMN root_id BIGINT;
UPDATE users u SET root_id = o.root_id FROM organizations o WHERE o.id = u.org_id;
CREATE INDEX users_root_idx ON users (root_id);

CREATE TABLE tenant_usage (
    root_id  BIGINT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    orgs     BIGINT NOT NULL DEFAULT 0,
    users    BIGINT NOT NULL DEFAULT 0
);
INSERT INTO tenant_usage (root_id, orgs, users)
SELECT r.id,
    (SELECT count(*) FROM organizations o WHERE o.root_id = r.id),
    (SELECT count(*) FROM users u WHERE u.root_id = r.id)
FROM organizations r WHERE r.parent_id IS NULL;

-- Statement-level: a multi-row insert of organizations updates each tree's row once. A root
-- (root_id still NULL at its insert) is counted by the store when it creates its usage row.
CREATE FUNCTION orghub_orgs_counted_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tenant_usage t SET orgs = t.orgs + n.added
    FROM (SELECT root_id, count(*) AS added FROM new_orgs WHERE root_id IS NOT NULL
          GROUP BY root_id) n
    WHERE t.root_id = n.root_id;
    RETURN NULL;
END $$;
CREATE FUNCTION orghub_orgs_counted_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tenant_usage t SET orgs = t.orgs - n.removed
    FROM (SELECT root_id, count(*) AS removed FROM old_orgs WHERE root_id IS NOT NULL
          GROUP BY root_id) n
    WHERE t.root_id = n.root_id;
    RETURN NULL;
END $$;
CREATE FUNCTION orghub_users_counted_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tenant_usage t SET users = t.users + n.added
    FROM (SELECT root_id, count(*) AS added FROM new_users GROUP BY root_id) n
    WHERE t.root_id = n.root_id;
    RETURN NULL;
END $$;
CREATE FUNCTION orghub_users_counted_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tenant_usage t SET users = t.users - n.removed
    FROM (SELECT root_id, count(*) AS removed FROM old_users GROUP BY root_id) n
    WHERE t.root_id = n.root_id;
    RETURN NULL;
END $$;
CREATE TRIGGER organizations_counted_in AFTER INSERT ON organizations
    REFERENCING NEW TABLE AS new_orgs FOR EACH STATEMENT EXECUTE FUNCTION orghub_orgs_counted_in();
CREATE TRIGGER organizations_counted_out AFTER DELETE ON organizations
    REFERENCING OLD TABLE AS old_orgs FOR EACH STATEMENT EXECUTE FUNCTION orghub_orgs_counted_out();
CREATE TRIGGER users_counted_in AFTER INSERT ON users
    REFERENCING NEW TABLE AS new_users FOR EACH STATEMENT EXECUTE FUNCTION orghub_users_counted_in();
CREATE TRIGGER users_counted_out AFTER DELETE ON users
    REFERENCING OLD TABLE AS old_users FOR EACH STATEMENT EXECUTE FUNCTION orghub_users_counted_out();
