-- Front desk and deals: walk-in visits (到访登记), the duty roster (值班团队),
-- deals with their attribution (业绩归属), assists and claims, and the team
-- pool that a departed salesperson's claims go to (离职).

-- +goose Up
-- A claim in the team pool belongs to its team, not to its (departed)
-- owner: team_pool_at says since when. It keeps its state and its keys, so
-- nobody outside the team can take the customer until a manager reassigns it.
ALTER TABLE registrations ADD COLUMN team_pool_at timestamptz;
CREATE INDEX registrations_team_pool_idx ON registrations (tenant_id, team_id) WHERE team_pool_at IS NOT NULL;

-- One row per walk-in visit, as the front desk logged it, with what the
-- visit did (effect) to which registration. phone is normalised and may be
-- masked (1381234****); it is shown masked to everyone.
CREATE TABLE visits (
	tenant_id       bigint NOT NULL REFERENCES tenants (id),
	id              bigint GENERATED ALWAYS AS IDENTITY,
	visitor_name    text NOT NULL,
	phone           text NOT NULL DEFAULT '',
	company         text NOT NULL DEFAULT '',
	customer_name   text NOT NULL,          -- company, or the visitor for a person
	salesperson_id  bigint,                 -- NULL: a self-visit (自行上门)
	visited_at      timestamptz NOT NULL,
	party_size      int NOT NULL CHECK (party_size BETWEEN 1 AND 999),
	note            text NOT NULL DEFAULT '',
	effect          text NOT NULL CHECK (effect IN ('confirmed', 'registered', 'notified_owner', 'unassigned', 'conflict')),
	registration_id bigint,
	recorded_by     bigint NOT NULL,
	created_at      timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, salesperson_id) REFERENCES users (tenant_id, id),
	FOREIGN KEY (tenant_id, registration_id) REFERENCES registrations (tenant_id, id),
	FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX visits_day_idx ON visits (tenant_id, visited_at);
CALL baobei_protect('visits', 'SELECT, INSERT');

-- The team on reception duty (值班团队) for the week starting week_start, a
-- Monday in the tenant's time zone.
CREATE TABLE duty_roster (
	tenant_id  bigint NOT NULL REFERENCES tenants (id),
	week_start date NOT NULL CHECK (extract(isodow FROM week_start) = 1),
	team_id    bigint NOT NULL,
	set_by     bigint NOT NULL,
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, week_start),
	FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id),
	FOREIGN KEY (tenant_id, set_by) REFERENCES users (tenant_id, id)
);
CALL baobei_protect('duty_roster', 'SELECT, INSERT, UPDATE');

-- A signed contract and who gets credit for it. owner_id/team_id are the
-- credited salesperson and team (for a duty-team deal the team's manager);
-- registration_id the claim that earned it, if any.
CREATE TABLE deals (
	tenant_id       bigint NOT NULL REFERENCES tenants (id),
	id              bigint GENERATED ALWAYS AS IDENTITY,
	contract_no     text NOT NULL,
	customer_id     bigint NOT NULL,
	customer        jsonb NOT NULL,         -- the customer as the deal was recorded
	buyer_phone     text NOT NULL DEFAULT '',
	signed_at       timestamptz NOT NULL,
	amount          numeric(16, 2) NOT NULL CHECK (amount > 0),
	signer_id       bigint NOT NULL,
	signer_team_id  bigint,
	recorded_by     bigint NOT NULL,
	status          text NOT NULL CHECK (status IN ('attributed', 'unclaimed', 'duty_team')),
	rule            text NOT NULL,
	owner_id        bigint,
	team_id         bigint,
	registration_id bigint,
	claim_deadline  timestamptz,
	attributed_at   timestamptz,
	created_at      timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, contract_no),
	FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
	FOREIGN KEY (tenant_id, signer_id) REFERENCES users (tenant_id, id),
	FOREIGN KEY (tenant_id, signer_team_id) REFERENCES teams (tenant_id, id),
	FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id),
	FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id),
	FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id),
	FOREIGN KEY (tenant_id, registration_id) REFERENCES registrations (tenant_id, id)
);
CREATE INDEX deals_unclaimed_idx ON deals (tenant_id, claim_deadline) WHERE status = 'unclaimed';
CREATE INDEX deals_customer_idx ON deals (tenant_id, customer_id, signed_at);
CREATE INDEX deals_signed_idx ON deals (tenant_id, signed_at);
CREATE INDEX deals_owner_idx ON deals (tenant_id, owner_id);
CREATE INDEX deals_signer_idx ON deals (tenant_id, signer_id);
CREATE INDEX deals_team_idx ON deals (tenant_id, team_id);
CALL baobei_protect('deals', 'SELECT, INSERT, UPDATE');

-- Assist credit (协助): the signer when someone else owns the customer.
CREATE TABLE deal_assists (
	tenant_id bigint NOT NULL,
	deal_id   bigint NOT NULL,
	user_id   bigint NOT NULL,
	team_id   bigint,
	PRIMARY KEY (tenant_id, deal_id, user_id),
	FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id),
	FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
	FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id)
);
CREATE INDEX deal_assists_user_idx ON deal_assists (tenant_id, user_id);
CALL baobei_protect('deal_assists', 'SELECT, INSERT, DELETE');

-- A salesperson's claim on an unclaimed deal, with evidence, for a manager
-- to approve or reject. One pending claim per claimant and deal, one
-- approved claim per deal.
CREATE TABLE deal_claims (
	tenant_id   bigint NOT NULL,
	id          bigint GENERATED ALWAYS AS IDENTITY,
	deal_id     bigint NOT NULL,
	claimant_id bigint NOT NULL,
	team_id     bigint,
	evidence    text NOT NULL,
	status      text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
	decided_by  bigint,
	decided_at  timestamptz,
	reason      text NOT NULL DEFAULT '',
	created_at  timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id),
	FOREIGN KEY (tenant_id, claimant_id) REFERENCES users (tenant_id, id),
	FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id),
	FOREIGN KEY (tenant_id, decided_by) REFERENCES users (tenant_id, id)
);
CREATE UNIQUE INDEX deal_claims_pending_idx ON deal_claims (tenant_id, deal_id, claimant_id) WHERE status = 'pending';
CREATE UNIQUE INDEX deal_claims_approved_idx ON deal_claims (tenant_id, deal_id) WHERE status = 'approved';
CREATE INDEX deal_claims_deal_idx ON deal_claims (tenant_id, deal_id);
CALL baobei_protect('deal_claims', 'SELECT, INSERT, UPDATE');

-- +goose Down
DROP TABLE deal_claims, deal_assists, deals, duty_roster, visits;
DROP INDEX registrations_team_pool_idx;
ALTER TABLE registrations DROP COLUMN team_pool_at;
