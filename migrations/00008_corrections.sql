-- Corrections: a mistaken walk-in visit or deal is voided (作废) with a
-- reason, never deleted. A voided record stays visible, marked, and no
-- longer counts: a voided visit confirms nothing, a voided deal credits
-- nobody (attribution, performance, grades, the history rule).

-- +goose Up
ALTER TABLE visits ADD COLUMN voided_at timestamptz,
	ADD COLUMN voided_by bigint,
	ADD COLUMN void_reason text NOT NULL DEFAULT '',
	ADD FOREIGN KEY (tenant_id, voided_by) REFERENCES users (tenant_id, id);
-- Visits stay append-only but for the voiding columns.
GRANT UPDATE (voided_at, voided_by, void_reason) ON visits TO baobei_app;

ALTER TABLE deals ADD COLUMN voided_at timestamptz,
	ADD COLUMN voided_by bigint,
	ADD COLUMN void_reason text NOT NULL DEFAULT '',
	ADD FOREIGN KEY (tenant_id, voided_by) REFERENCES users (tenant_id, id);

-- +goose Down
REVOKE UPDATE (voided_at, voided_by, void_reason) ON visits FROM baobei_app;
ALTER TABLE deals DROP COLUMN voided_at, DROP COLUMN voided_by, DROP COLUMN void_reason;
ALTER TABLE visits DROP COLUMN voided_at, DROP COLUMN voided_by, DROP COLUMN void_reason;
