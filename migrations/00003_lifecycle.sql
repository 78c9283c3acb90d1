-- Protection lifecycle: follow-ups (跟进记录), expiry notices, consent
-- requests (征得原销售人员同意) with the assistants they make, and the
-- generic approvals queue (renewals, ownership cap, cross-region,
-- escalated consents, and the kinds later issues add).

-- +goose Up
-- expiry_notice_for is the protected_until an expiry notice was sent for:
-- one notice per protection period, and a renewal earns a new one.
ALTER TABLE registrations ADD COLUMN expiry_notice_for timestamptz;
-- The follow-up-grace sweep looks for active claims by due date.
CREATE INDEX registrations_follow_up_due_idx ON registrations (tenant_id, next_follow_up_due) WHERE status = 'active';
-- The public pool lists customers by when they returned: a pooled
-- customer's newest ended claim is the one that returned it, at pooled_at,
-- so the ended claims are the pool's index. customers.pooled_at itself is
-- not indexed and customers pages keep room, so that pooling a customer
-- is a HOT update that leaves its trigram indexes alone.
CREATE INDEX registrations_ended_idx ON registrations (tenant_id, status_changed_at DESC, id DESC)
	WHERE status IN ('expired', 'released', 'lapsed');
ALTER TABLE customers SET (fillfactor = 90);

-- One logged contact with the customer of a registration. Append-only.
CREATE TABLE follow_ups (
	tenant_id       bigint NOT NULL REFERENCES tenants (id),
	id              bigint GENERATED ALWAYS AS IDENTITY,
	registration_id bigint NOT NULL,
	user_id         bigint NOT NULL,
	channel         text NOT NULL CHECK (channel IN ('call', 'visit', 'wechat', 'email', 'other')),
	note            text NOT NULL DEFAULT '',
	at              timestamptz NOT NULL,   -- when the contact happened
	grade_before    text NOT NULL DEFAULT '',
	grade_after     text NOT NULL DEFAULT '',
	created_at      timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, registration_id) REFERENCES registrations (tenant_id, id),
	FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX follow_ups_registration_idx ON follow_ups (tenant_id, registration_id, at DESC);
CALL baobei_protect('follow_ups', 'SELECT, INSERT');

-- A salesperson's request to contact a customer another salesperson
-- maintains. owner_id is the claim's owner when asked. At most one open
-- request per requester and claim.
CREATE TABLE consent_requests (
	tenant_id       bigint NOT NULL REFERENCES tenants (id),
	id              bigint GENERATED ALWAYS AS IDENTITY,
	registration_id bigint NOT NULL,
	requester_id    bigint NOT NULL,
	owner_id        bigint NOT NULL,
	reason          text NOT NULL,
	status          text NOT NULL CHECK (status IN ('pending', 'escalated', 'accepted', 'declined', 'cancelled')),
	created_at      timestamptz NOT NULL,
	escalated_at    timestamptz,
	answered_at     timestamptz,
	answered_by     bigint,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, registration_id) REFERENCES registrations (tenant_id, id),
	FOREIGN KEY (tenant_id, requester_id) REFERENCES users (tenant_id, id),
	FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id),
	FOREIGN KEY (tenant_id, answered_by) REFERENCES users (tenant_id, id)
);
CREATE UNIQUE INDEX consent_requests_open_idx ON consent_requests (tenant_id, registration_id, requester_id)
	WHERE status IN ('pending', 'escalated');
CREATE INDEX consent_requests_registration_idx ON consent_requests (tenant_id, registration_id);
CREATE INDEX consent_requests_owner_idx ON consent_requests (tenant_id, owner_id, id DESC);
CREATE INDEX consent_requests_requester_idx ON consent_requests (tenant_id, requester_id, id DESC);
CREATE INDEX consent_requests_pending_idx ON consent_requests (tenant_id, created_at) WHERE status = 'pending';
CALL baobei_protect('consent_requests', 'SELECT, INSERT, UPDATE');

-- Assistants (协助人员) of a registration: assist credit only.
CREATE TABLE registration_assistants (
	tenant_id       bigint NOT NULL REFERENCES tenants (id),
	registration_id bigint NOT NULL,
	user_id         bigint NOT NULL,
	consent_id      bigint,
	created_at      timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, registration_id, user_id),
	FOREIGN KEY (tenant_id, registration_id) REFERENCES registrations (tenant_id, id),
	FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
	FOREIGN KEY (tenant_id, consent_id) REFERENCES consent_requests (tenant_id, id)
);
CREATE INDEX registration_assistants_user_idx ON registration_assistants (tenant_id, user_id);
CALL baobei_protect('registration_assistants', 'SELECT, INSERT');

-- Approvals: one request for a decision by an approver. kind names the
-- rule that decides what approval means (domain/approval.go); entity and
-- entity_id the thing it is about. The approvers are users of
-- approver_role — for 'manager', the managers of team_id (admins when it
-- is NULL) — and admins; never the requester. At most one pending
-- approval per kind and entity.
CREATE TABLE approvals (
	tenant_id     bigint NOT NULL REFERENCES tenants (id),
	id            bigint GENERATED ALWAYS AS IDENTITY,
	kind          text NOT NULL,
	entity        text NOT NULL,
	entity_id     bigint NOT NULL,
	requested_by  bigint NOT NULL,
	approver_role text NOT NULL CHECK (approver_role IN ('manager', 'clerk', 'admin')),
	team_id       bigint,
	status        text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
	summary_zh    text NOT NULL,
	summary_en    text NOT NULL,
	link          text NOT NULL DEFAULT '',
	detail        jsonb NOT NULL DEFAULT '{}',
	reason        text NOT NULL DEFAULT '',
	decided_by    bigint,
	decided_at    timestamptz,
	created_at    timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, requested_by) REFERENCES users (tenant_id, id),
	FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id),
	FOREIGN KEY (tenant_id, decided_by) REFERENCES users (tenant_id, id)
);
CREATE UNIQUE INDEX approvals_pending_idx ON approvals (tenant_id, kind, entity, entity_id) WHERE status = 'pending';
CREATE INDEX approvals_entity_idx ON approvals (tenant_id, entity, entity_id);
CREATE INDEX approvals_queue_idx ON approvals (tenant_id, status, id DESC);
CALL baobei_protect('approvals', 'SELECT, INSERT, UPDATE');

-- +goose Down
DROP TABLE approvals, registration_assistants, consent_requests, follow_ups;
ALTER TABLE customers RESET (fillfactor);
DROP INDEX registrations_ended_idx;
DROP INDEX registrations_follow_up_due_idx;
ALTER TABLE registrations DROP COLUMN expiry_notice_for;
