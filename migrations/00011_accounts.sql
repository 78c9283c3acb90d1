-- Accounts: a forced password change after an admin's reset, API tokens
-- with an expiry and a read-only scope, and each user's sign-in sessions,
-- listed and revocable.

-- +goose Up
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

ALTER TABLE api_tokens
	ADD COLUMN scope text NOT NULL DEFAULT 'write' CHECK (scope IN ('read', 'write')),
	ADD COLUMN expires_at timestamptz;

-- The tenant's index of the scs sessions (table sessions) of its users:
-- one row per sign-in, naming the session by the SHA-256 of its token.
-- A signed-in request counts only while its row exists, so deleting the
-- row (and the session) signs that browser out.
CREATE TABLE user_sessions (
	tenant_id    bigint NOT NULL REFERENCES tenants (id),
	id           bigint GENERATED ALWAYS AS IDENTITY,
	user_id      bigint NOT NULL,
	token_hash   bytea NOT NULL,
	user_agent   text NOT NULL DEFAULT '',
	address      text NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL,
	last_seen_at timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, token_hash),
	FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX user_sessions_user_idx ON user_sessions (tenant_id, user_id);
CALL baobei_protect('user_sessions', 'SELECT, INSERT, UPDATE, DELETE');

-- Finds an scs session by the hash user_sessions keeps. scs tokens are
-- base64url text, so the cast to bytea takes their bytes as they are.
CREATE INDEX sessions_token_hash_idx ON sessions (sha256(token::bytea));

-- +goose Down
DROP INDEX sessions_token_hash_idx;
DROP TABLE user_sessions;
ALTER TABLE api_tokens DROP COLUMN expires_at, DROP COLUMN scope;
ALTER TABLE users DROP COLUMN must_change_password;
