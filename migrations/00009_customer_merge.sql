-- Merging and splitting customers (客户合并与拆分): a customer record found
-- to be the same company as another is merged into it (its registrations,
-- deals, dealers and identity keys move to the survivor) and points at the
-- survivor from then on. What moved is in the audit log (customer.merge),
-- from which the merge can be undone. A case the merge sent to arbitration
-- is withdrawn when the merge is undone before anyone decided it.

-- +goose Up
ALTER TABLE customers ADD COLUMN merged_into bigint, ADD COLUMN merged_at timestamptz,
	ADD FOREIGN KEY (tenant_id, merged_into) REFERENCES customers (tenant_id, id),
	ADD CHECK ((merged_into IS NULL) = (merged_at IS NULL) AND merged_into IS DISTINCT FROM id);
CREATE INDEX customers_merged_into_idx ON customers (tenant_id, merged_into) WHERE merged_into IS NOT NULL;
-- Moving a customer's rows finds them by customer.
CREATE INDEX dealers_customer_idx ON dealers (tenant_id, customer_id) WHERE customer_id IS NOT NULL;

ALTER TABLE disputes DROP CONSTRAINT disputes_status_check,
	ADD CONSTRAINT disputes_status_check CHECK (status IN ('open', 'decided', 'appealed', 'final', 'withdrawn'));

-- +goose Down
ALTER TABLE disputes DROP CONSTRAINT disputes_status_check,
	ADD CONSTRAINT disputes_status_check CHECK (status IN ('open', 'decided', 'appealed', 'final'));
DROP INDEX dealers_customer_idx;
DROP INDEX customers_merged_into_idx;
ALTER TABLE customers DROP COLUMN merged_at, DROP COLUMN merged_into;
