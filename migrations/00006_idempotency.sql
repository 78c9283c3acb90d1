-- Idempotency keys: a retried API POST with the same Idempotency-Key
-- returns the first response and creates nothing twice (api.md).

-- +goose Up
CREATE TABLE idempotency_keys (
	tenant_id    bigint NOT NULL REFERENCES tenants (id),
	user_id      bigint NOT NULL,
	key          text NOT NULL,
	method       text NOT NULL,
	path         text NOT NULL,
	status       int,                 -- NULL while the first request runs
	content_type text NOT NULL DEFAULT '',
	body         bytea,
	created_at   timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, user_id, key),
	FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CALL baobei_protect('idempotency_keys', 'SELECT, INSERT, UPDATE, DELETE');

-- +goose Down
DROP TABLE idempotency_keys;
