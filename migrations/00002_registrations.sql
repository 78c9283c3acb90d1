-- Registrations (报备): customers, their identity keys, claims, the live-key
-- table that lets only one claim hold a key, and conflicts.

-- +goose Up
-- A customer is the company or person being claimed. Its details are those
-- of the claim that holds it (or held it last); each registration keeps its
-- own typed copy in registrations.details.
CREATE TABLE customers (
	tenant_id    bigint NOT NULL REFERENCES tenants (id),
	id           bigint GENERATED ALWAYS AS IDENTITY,
	kind         text NOT NULL CHECK (kind IN ('company', 'person')),
	name         text NOT NULL,
	name_key     text NOT NULL,
	region       text NOT NULL DEFAULT '',
	details      jsonb NOT NULL,
	pooled_at    timestamptz,          -- when it last returned to the public pool
	pool_reason  text NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL DEFAULT now(),
	updated_at   timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customers_name_key_idx ON customers (tenant_id, name_key);
CREATE INDEX customers_name_trgm_idx ON customers USING gin (tenant_id, name_key gin_trgm_ops);
CALL baobei_protect('customers', 'SELECT, INSERT, UPDATE');

-- Every strong identity key of every customer, in any state: candidates are
-- found here, and a key shared by too many customers stops being evidence.
CREATE TABLE customer_keys (
	tenant_id   bigint NOT NULL,
	kind        text NOT NULL,
	key         text NOT NULL,
	customer_id bigint NOT NULL,
	PRIMARY KEY (tenant_id, kind, key, customer_id),
	FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX customer_keys_customer_idx ON customer_keys (tenant_id, customer_id);
CALL baobei_protect('customer_keys', 'SELECT, INSERT, DELETE');

CREATE TABLE registrations (
	tenant_id          bigint NOT NULL REFERENCES tenants (id),
	id                 bigint GENERATED ALWAYS AS IDENTITY,
	customer_id        bigint NOT NULL,
	owner_id           bigint NOT NULL,
	team_id            bigint,
	status             text NOT NULL CHECK (status IN ('pending_review', 'pending_visit', 'active', 'in_dispute',
		'rejected', 'lapsed', 'expired', 'released', 'converted')),
	details            jsonb NOT NULL,  -- the customer as this registration typed it
	grade              text NOT NULL DEFAULT '' CHECK (grade IN ('', 'H', 'A', 'B', 'C')),
	needs              text NOT NULL DEFAULT '',
	source             text NOT NULL DEFAULT '',
	expected_amount    numeric(16, 2),
	history_claim      text NOT NULL DEFAULT '',
	first_contact_at   timestamptz,
	completeness       int NOT NULL,
	missing            text[] NOT NULL DEFAULT '{}',
	late               boolean NOT NULL DEFAULT false,
	registered_at      timestamptz NOT NULL,
	activated_at       timestamptz,
	protected_until    timestamptz,     -- NULL while active means permanent (protection_days 0)
	last_follow_up_at  timestamptz,
	next_follow_up_due timestamptz,
	visited_at         timestamptz,
	renewals           int NOT NULL DEFAULT 0,
	claim_ref          text NOT NULL,   -- opaque handle for consent requests and disputes
	decision_rule      text NOT NULL DEFAULT '',
	decision_reason_zh text NOT NULL DEFAULT '',
	decision_reason_en text NOT NULL DEFAULT '',
	status_changed_at  timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, claim_ref),
	FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
	FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id),
	FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id)
);
CREATE INDEX registrations_owner_idx ON registrations (tenant_id, owner_id, status);
CREATE INDEX registrations_team_idx ON registrations (tenant_id, team_id, status);
CREATE INDEX registrations_customer_idx ON registrations (tenant_id, customer_id);
CREATE INDEX registrations_status_idx ON registrations (tenant_id, status, protected_until);
CALL baobei_protect('registrations', 'SELECT, INSERT, UPDATE');

-- One row per strong key of each claim that holds its customer (active or
-- pending review, or the holder in a dispute). The primary key is what
-- makes two simultaneous claims on one customer end with one winner.
CREATE TABLE live_keys (
	tenant_id       bigint NOT NULL,
	kind            text NOT NULL,
	key             text NOT NULL,
	registration_id bigint NOT NULL,
	PRIMARY KEY (tenant_id, kind, key),
	FOREIGN KEY (tenant_id, registration_id) REFERENCES registrations (tenant_id, id)
);
CREATE INDEX live_keys_registration_idx ON live_keys (tenant_id, registration_id);
CALL baobei_protect('live_keys', 'SELECT, INSERT, UPDATE, DELETE');

-- A conflict links a new claim to the claim it collided with, the keys
-- that matched and how the rule engine settled it.
CREATE TABLE conflicts (
	tenant_id          bigint NOT NULL,
	id                 bigint GENERATED ALWAYS AS IDENTITY,
	registration_id    bigint NOT NULL,   -- the newer claim
	holder_id          bigint NOT NULL,   -- the claim it collided with
	matched_on         text[] NOT NULL,
	status             text NOT NULL CHECK (status IN ('decided', 'in_dispute')),
	rule               text NOT NULL DEFAULT '',
	winner_id          bigint,
	reason_zh          text NOT NULL DEFAULT '',
	reason_en          text NOT NULL DEFAULT '',
	created_at         timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, registration_id) REFERENCES registrations (tenant_id, id),
	FOREIGN KEY (tenant_id, holder_id) REFERENCES registrations (tenant_id, id)
);
CREATE INDEX conflicts_registration_idx ON conflicts (tenant_id, registration_id);
CREATE INDEX conflicts_holder_idx ON conflicts (tenant_id, holder_id);
CALL baobei_protect('conflicts', 'SELECT, INSERT, UPDATE');

-- Rate-limited actions (registrations, duplicate checks, disputes) per
-- user: the log that bursts are counted and shown from.
CREATE TABLE rate_events (
	tenant_id bigint NOT NULL,
	id        bigint GENERATED ALWAYS AS IDENTITY,
	user_id   bigint NOT NULL,
	kind      text NOT NULL,
	at        timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX rate_events_user_idx ON rate_events (tenant_id, user_id, kind, at);
CALL baobei_protect('rate_events', 'SELECT, INSERT, DELETE');

-- Trigram similarity is not LEAKPROOF, so under row-level security the
-- planner would not use the trigram index; the function is a pure
-- comparison and leaks nothing (verified-facts.md).
ALTER FUNCTION similarity_op(text, text) LEAKPROOF;

-- +goose Down
ALTER FUNCTION similarity_op(text, text) NOT LEAKPROOF;
DROP TABLE rate_events, conflicts, live_keys, registrations, customer_keys, customers;
