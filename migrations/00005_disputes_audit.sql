-- Disputes and arbitration (申诉与仲裁), stored files (evidence and dealer
-- documents), generic approval chains, dealer onboarding (新经销商报备) and
-- the hash chain over the append-only audit log.

-- +goose Up
-- Uploaded files live in the database, so that a backup holds them. Only
-- four sniffed types are accepted; a file is staged by its uploader and
-- then attached, once, to the dispute or dealer it belongs to. The
-- contents can never change: the application may update only the
-- attachment columns.
CREATE TABLE files (
	tenant_id    bigint NOT NULL REFERENCES tenants (id),
	id           bigint GENERATED ALWAYS AS IDENTITY,
	uploaded_by  bigint NOT NULL,
	name         text NOT NULL,
	content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/webp')),
	size         int NOT NULL CHECK (size BETWEEN 1 AND 10485760),
	sha256       bytea NOT NULL,
	data         bytea NOT NULL,
	attached_to  text CHECK (attached_to IN ('dispute', 'dealer')),
	attached_id  bigint,
	purpose      text NOT NULL DEFAULT '',
	created_at   timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, uploaded_by) REFERENCES users (tenant_id, id),
	CHECK ((attached_to IS NULL) = (attached_id IS NULL))
);
-- PDF, JPEG, PNG and WEBP are compressed already: store them as they are.
ALTER TABLE files ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE INDEX files_attached_idx ON files (tenant_id, attached_to, attached_id);
CALL baobei_protect('files', 'SELECT, INSERT, UPDATE (attached_to, attached_id, purpose)');

-- A dispute (申诉) is a case about a conflict or a deal's attribution. The
-- rule engine opens one (opened_by NULL) when a conflict goes to
-- arbitration; a party opens one on a conflict it lost or on a deal. One
-- case per conflict and per deal.
CREATE TABLE disputes (
	tenant_id     bigint NOT NULL REFERENCES tenants (id),
	id            bigint GENERATED ALWAYS AS IDENTITY,
	kind          text NOT NULL CHECK (kind IN ('conflict', 'deal')),
	conflict_id   bigint,
	deal_id       bigint,
	-- open: waiting for the first decision; decided: appealable; appealed:
	-- waiting for an admin; final: no further appeal.
	status        text NOT NULL CHECK (status IN ('open', 'decided', 'appealed', 'final')),
	opened_by     bigint,
	respondent_id bigint,             -- a deal's credited user when the case was opened
	created_at    timestamptz NOT NULL,
	updated_at    timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, conflict_id),
	UNIQUE (tenant_id, deal_id),
	FOREIGN KEY (tenant_id, conflict_id) REFERENCES conflicts (tenant_id, id),
	FOREIGN KEY (tenant_id, deal_id) REFERENCES deals (tenant_id, id),
	FOREIGN KEY (tenant_id, opened_by) REFERENCES users (tenant_id, id),
	FOREIGN KEY (tenant_id, respondent_id) REFERENCES users (tenant_id, id),
	CHECK ((kind = 'conflict') = (conflict_id IS NOT NULL) AND (kind = 'deal') = (deal_id IS NOT NULL))
);
CREATE INDEX disputes_status_idx ON disputes (tenant_id, status, id);
CALL baobei_protect('disputes', 'SELECT, INSERT, UPDATE');

-- What the parties said: each party's opening statement (once per case)
-- and the appeal (once per case: the database refuses a second one).
CREATE TABLE dispute_statements (
	tenant_id  bigint NOT NULL,
	id         bigint GENERATED ALWAYS AS IDENTITY,
	dispute_id bigint NOT NULL,
	author_id  bigint NOT NULL,
	kind       text NOT NULL CHECK (kind IN ('open', 'appeal')),
	reason     text NOT NULL,
	evidence   text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, dispute_id) REFERENCES disputes (tenant_id, id),
	FOREIGN KEY (tenant_id, author_id) REFERENCES users (tenant_id, id)
);
CREATE UNIQUE INDEX dispute_statements_open_idx ON dispute_statements (tenant_id, dispute_id, author_id) WHERE kind = 'open';
CREATE UNIQUE INDEX dispute_statements_appeal_idx ON dispute_statements (tenant_id, dispute_id) WHERE kind = 'appeal';
CALL baobei_protect('dispute_statements', 'SELECT, INSERT');

-- The decisions: instance 1 by the deciding manager (or an admin), 2 by an
-- admin on appeal, final. One decision per instance.
CREATE TABLE dispute_decisions (
	tenant_id              bigint NOT NULL,
	dispute_id             bigint NOT NULL,
	instance               smallint NOT NULL CHECK (instance IN (1, 2)),
	decided_by             bigint NOT NULL,
	winner_registration_id bigint,
	winner_user_id         bigint NOT NULL,
	reason                 text NOT NULL,
	decided_at             timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, dispute_id, instance),
	FOREIGN KEY (tenant_id, dispute_id) REFERENCES disputes (tenant_id, id),
	FOREIGN KEY (tenant_id, decided_by) REFERENCES users (tenant_id, id),
	FOREIGN KEY (tenant_id, winner_registration_id) REFERENCES registrations (tenant_id, id),
	FOREIGN KEY (tenant_id, winner_user_id) REFERENCES users (tenant_id, id)
);
CALL baobei_protect('dispute_decisions', 'SELECT, INSERT');

-- Every conflict already in arbitration is a case.
INSERT INTO disputes (tenant_id, kind, conflict_id, status, created_at, updated_at)
SELECT tenant_id, 'conflict', id, 'open', created_at, created_at FROM conflicts WHERE status = 'in_dispute';

-- Generic approval chains: the ordered roles that approve one kind of
-- request (dealer onboarding, …). A tenant without a row has the default.
-- Each step waits in the approvals queue (00003) as an approval of kind
-- chain_step, so only the roles that queue knows may approve.
CREATE TABLE approval_chains (
	tenant_id  bigint NOT NULL REFERENCES tenants (id),
	kind       text NOT NULL,
	roles      text[] NOT NULL CHECK (cardinality(roles) BETWEEN 1 AND 10 AND roles <@ ARRAY['clerk', 'manager', 'admin']),
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, kind)
);
CALL baobei_protect('approval_chains', 'SELECT, INSERT, UPDATE');

-- One request going through its chain: roles is the chain as it stood at
-- submission, step the index of the role whose turn it is. A return sends
-- it back to the submitter; resubmitting starts the chain again.
CREATE TABLE chain_requests (
	tenant_id         bigint NOT NULL REFERENCES tenants (id),
	id                bigint GENERATED ALWAYS AS IDENTITY,
	kind              text NOT NULL,
	subject_id        bigint NOT NULL,
	roles             text[] NOT NULL,
	step              int NOT NULL CHECK (step >= 0 AND step <= cardinality(roles)),
	status            text NOT NULL CHECK (status IN ('pending', 'returned', 'approved')),
	submitted_by      bigint NOT NULL,
	submitter_team_id bigint,
	summary_zh        text NOT NULL,       -- what is asked, for the queue and notifications
	summary_en        text NOT NULL,
	created_at        timestamptz NOT NULL,
	updated_at        timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, kind, subject_id),
	FOREIGN KEY (tenant_id, submitted_by) REFERENCES users (tenant_id, id),
	FOREIGN KEY (tenant_id, submitter_team_id) REFERENCES teams (tenant_id, id)
);
CREATE INDEX chain_requests_pending_idx ON chain_requests (tenant_id, status, kind);
CALL baobei_protect('chain_requests', 'SELECT, INSERT, UPDATE');

-- The history of every request: submissions, approvals and returns.
CREATE TABLE chain_actions (
	tenant_id  bigint NOT NULL,
	id         bigint GENERATED ALWAYS AS IDENTITY,
	request_id bigint NOT NULL,
	step       int NOT NULL,
	role       text NOT NULL,
	actor_id   bigint NOT NULL,
	action     text NOT NULL CHECK (action IN ('submit', 'approve', 'return')),
	reason     text NOT NULL DEFAULT '',
	at         timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, request_id) REFERENCES chain_requests (tenant_id, id),
	FOREIGN KEY (tenant_id, actor_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX chain_actions_request_idx ON chain_actions (tenant_id, request_id, id);
CALL baobei_protect('chain_actions', 'SELECT, INSERT');

-- A dealer being onboarded, with its invoicing details; its documents are
-- files attached to it. customer_id is set when the chain approves it.
CREATE TABLE dealers (
	tenant_id    bigint NOT NULL REFERENCES tenants (id),
	id           bigint GENERATED ALWAYS AS IDENTITY,
	submitted_by bigint NOT NULL,
	company      text NOT NULL,
	bank         text NOT NULL,
	bank_account text NOT NULL,
	tax_no       text NOT NULL,
	address      text NOT NULL,
	phone        text NOT NULL,
	customer_id  bigint,
	created_at   timestamptz NOT NULL,
	updated_at   timestamptz NOT NULL,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, submitted_by) REFERENCES users (tenant_id, id),
	FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
CALL baobei_protect('dealers', 'SELECT, INSERT, UPDATE');

-- The audit hash chain. Writers only append to audit_log; a trigger queues
-- each new row in audit_unsealed (a plain insert of its own key, so
-- concurrent writers never wait on each other or on the sealer). The
-- sealer takes queued rows as they commit, chains them per tenant in the
-- order it sees them (seq) and removes them from the queue.
CREATE TABLE audit_unsealed (
	tenant_id bigint NOT NULL,
	audit_id  bigint NOT NULL,
	PRIMARY KEY (tenant_id, audit_id)
);
CALL baobei_protect('audit_unsealed', 'SELECT, INSERT, DELETE');

-- +goose StatementBegin
CREATE FUNCTION audit_log_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO audit_unsealed (tenant_id, audit_id) SELECT tenant_id, id FROM new_rows;
	RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_enqueue AFTER INSERT ON audit_log
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_log_enqueue();
INSERT INTO audit_unsealed (tenant_id, audit_id) SELECT tenant_id, id FROM audit_log;

-- One seal per audit entry: hash = SHA-256(prev_hash ‖ the entry), seq
-- 1, 2, 3 … per tenant. Append-only like the log itself.
CREATE TABLE audit_seals (
	tenant_id bigint NOT NULL REFERENCES tenants (id),
	seq       bigint NOT NULL CHECK (seq > 0),
	audit_id  bigint NOT NULL,
	prev_hash bytea NOT NULL,
	hash      bytea NOT NULL,
	sealed_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, seq),
	UNIQUE (tenant_id, audit_id)
);
CALL baobei_protect('audit_seals', 'SELECT, INSERT');

-- The admin's audit search filters by actor, action and time.
CREATE INDEX audit_log_at_idx ON audit_log (tenant_id, at);

-- +goose Down
DROP INDEX audit_log_at_idx;
DROP TABLE audit_seals;
DROP TRIGGER audit_log_enqueue ON audit_log;
DROP FUNCTION audit_log_enqueue();
DROP TABLE audit_unsealed, dealers, chain_actions, chain_requests, approval_chains,
	dispute_decisions, dispute_statements, disputes, files;
