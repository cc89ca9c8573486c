-- Native access tokens (SQLite). Keep in step with ../postgres/0009_native_tokens.sql.
--
-- A native access token (`POST /api/v1/oauth/token`, OAuth 2.0 client credentials) is issued
-- to an API key acting as the OAuth client: the token names the key, so that introspection
-- reports it as the token's `client_id`, and the key's revocation ends the tokens issued on
-- it (checked on every use; the rows go with the key's revocation or its deletion). Every
-- other kind of token has no key.
ALTER TABLE tokens ADD COLUMN api_key_id INTEGER REFERENCES api_keys (id) ON DELETE CASCADE;
CREATE INDEX tokens_api_key_idx ON tokens (api_key_id) WHERE api_key_id IS NOT NULL;
