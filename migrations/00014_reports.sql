-- Reports (报表): the range scans their figures need. Each figure reads
-- one timestamp over a period of at most 366 days; the visits, deals,
-- ended and filed claims have their indexes already (00003, 00004, 00013).

-- +goose Up
-- Registrations filed in the period (registrations, conflicts, funnel)
-- use registrations_registered_idx (00013).
-- Claims rejected in the period (decisions by rule).
CREATE INDEX registrations_rejected_idx ON registrations (tenant_id, status_changed_at) WHERE status = 'rejected';
-- The funnel's last step: did a registration earn a deal.
CREATE INDEX deals_registration_idx ON deals (tenant_id, registration_id) WHERE registration_id IS NOT NULL;

-- +goose Down
DROP INDEX deals_registration_idx;
DROP INDEX registrations_rejected_idx;
