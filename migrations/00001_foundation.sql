-- Foundation: the application role, tenants, teams, users, policy, tokens,
-- sessions, sign-in throttling, notifications and the audit log.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- The role every application connection switches to (SET ROLE): not a
-- superuser, not a table owner and without BYPASSRLS, so row-level security
-- holds even when DATABASE_URL names a superuser.
-- +goose StatementBegin
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'baobei_app') THEN
		CREATE ROLE baobei_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT;
	END IF;
	IF NOT pg_has_role(current_user, 'baobei_app', 'MEMBER') THEN
		EXECUTE format('GRANT baobei_app TO %I', current_user);
	END IF;
END $$;
-- +goose StatementEnd
GRANT USAGE ON SCHEMA public TO baobei_app;

-- baobei_protect puts a tenant-owned table under row-level security that
-- fails closed (no tenant set: no rows) and grants the application role the
-- listed privileges on it.
-- +goose StatementBegin
CREATE PROCEDURE baobei_protect(tbl regclass, privileges text) LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
	EXECUTE format('CREATE POLICY tenant_isolation ON %s
		USING (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::bigint)
		WITH CHECK (tenant_id = NULLIF(current_setting(''app.tenant_id'', true), '''')::bigint)', tbl);
	EXECUTE format('GRANT %s ON %s TO baobei_app', privileges, tbl);
END $$;
-- +goose StatementEnd

-- Tenants are looked up by company code at sign-in, before any tenant is set.
CREATE TABLE tenants (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slug       text NOT NULL UNIQUE,
	name       text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT ON tenants TO baobei_app;

CREATE TABLE teams (
	tenant_id  bigint NOT NULL REFERENCES tenants (id),
	id         bigint GENERATED ALWAYS AS IDENTITY,
	name       text NOT NULL,
	region     text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, name)
);
CALL baobei_protect('teams', 'SELECT, INSERT, UPDATE');

CREATE TABLE users (
	tenant_id     bigint NOT NULL REFERENCES tenants (id),
	id            bigint GENERATED ALWAYS AS IDENTITY,
	username      text NOT NULL,
	display_name  text NOT NULL,
	role          text NOT NULL CHECK (role IN ('sales', 'frontdesk', 'manager', 'clerk', 'admin')),
	team_id       bigint,
	region        text NOT NULL DEFAULT '',
	password_hash text NOT NULL,
	lang          text NOT NULL DEFAULT 'zh' CHECK (lang IN ('zh', 'en')),
	active        boolean NOT NULL DEFAULT true,
	created_at    timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, username),
	FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id)
);
CALL baobei_protect('users', 'SELECT, INSERT, UPDATE');

CREATE TABLE team_managers (
	tenant_id bigint NOT NULL,
	team_id   bigint NOT NULL,
	user_id   bigint NOT NULL,
	PRIMARY KEY (tenant_id, team_id, user_id),
	FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE,
	FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CALL baobei_protect('team_managers', 'SELECT, INSERT, DELETE');

-- One row per tenant: the policy settings as JSON (domain.Policy).
CREATE TABLE policies (
	tenant_id  bigint PRIMARY KEY REFERENCES tenants (id),
	settings   jsonb NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);
CALL baobei_protect('policies', 'SELECT, INSERT, UPDATE');

-- API tokens are stored as SHA-256 hashes; the token text carries its tenant
-- id so a look-up never crosses tenants.
CREATE TABLE api_tokens (
	tenant_id    bigint NOT NULL REFERENCES tenants (id),
	id           bigint GENERATED ALWAYS AS IDENTITY,
	user_id      bigint NOT NULL,
	name         text NOT NULL DEFAULT '',
	hash         bytea NOT NULL,
	created_at   timestamptz NOT NULL DEFAULT now(),
	last_used_at timestamptz,
	revoked_at   timestamptz,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, hash),
	FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CALL baobei_protect('api_tokens', 'SELECT, INSERT, UPDATE');

-- scs session store (github.com/alexedwards/scs/pgxstore). Session data
-- names its tenant; the table itself belongs to no tenant.
CREATE TABLE sessions (
	token  text PRIMARY KEY,
	data   bytea NOT NULL,
	expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO baobei_app;

-- Failed sign-ins, keyed by "company/username" or by client address. It
-- belongs to no tenant: the company code typed may not exist.
CREATE TABLE login_failures (
	key       text NOT NULL,
	failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (key, failed_at);
GRANT SELECT, INSERT, DELETE ON login_failures TO baobei_app;

CREATE TABLE notifications (
	tenant_id  bigint NOT NULL REFERENCES tenants (id),
	id         bigint GENERATED ALWAYS AS IDENTITY,
	user_id    bigint NOT NULL,
	kind       text NOT NULL,
	text_zh    text NOT NULL,
	text_en    text NOT NULL,
	link       text NOT NULL DEFAULT '',
	read_at    timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX notifications_user_idx ON notifications (tenant_id, user_id, id DESC);
CALL baobei_protect('notifications', 'SELECT, INSERT, UPDATE');

-- Append-only: the application role may insert and read, never change.
CREATE TABLE audit_log (
	tenant_id  bigint NOT NULL REFERENCES tenants (id),
	id         bigint GENERATED ALWAYS AS IDENTITY,
	at         timestamptz NOT NULL DEFAULT now(),
	actor_id   bigint,
	action     text NOT NULL,
	entity     text NOT NULL,
	entity_id  bigint,
	before     jsonb,
	after      jsonb,
	request_id text NOT NULL DEFAULT '',
	PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_entity_idx ON audit_log (tenant_id, entity, entity_id);
CALL baobei_protect('audit_log', 'SELECT, INSERT');

-- +goose Down
DROP TABLE audit_log, notifications, login_failures, sessions, api_tokens,
	policies, team_managers, users, teams, tenants;
DROP PROCEDURE baobei_protect(regclass, text);
