-- Revocation and regions of credentials (PostgreSQL). Keep in step with
-- ../sqlite/0006_credentials.sql.

-- A token carries the epoch of what it was issued on: its user's token epoch, or, for an
-- organization admin token, its organization's SSO epoch. Changing a user's password,
-- rotating its secret key or `orghub token revoke --user` bumps the user's epoch, and
-- `orghub sso-secret rotate` the organization's: tokens of an older epoch are refused, even
-- one issued, in a race, after the change from a credential checked before it.
ALTER TABLE users ADD COLUMN token_epoch BIGINT NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN sso_epoch BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tokens ADD COLUMN epoch BIGINT NOT NULL DEFAULT 0;

-- The region of a user (its organization's, as organizations inherit their parent's) and of
-- an API key (its user's): a server of another --region refuses them, as it refuses tokens.
ALTER TABLE users ADD COLUMN region TEXT NOT NULL DEFAULT '';
UPDATE users SET region = (SELECT o.region FROM organizations o WHERE o.id = users.org_id);
ALTER TABLE api_keys ADD COLUMN region TEXT NOT NULL DEFAULT '';
UPDATE api_keys SET region = (SELECT u.region FROM users u WHERE u.id = api_keys.user_id);
