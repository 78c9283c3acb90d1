-- The admin home's figures count the registrations and conflicts of this
-- week and the last 30 days (internal/domain/dashboard.go): by time, per
-- tenant, without reading the tenant's whole history.

-- +goose Up
CREATE INDEX IF NOT EXISTS registrations_registered_idx ON registrations (tenant_id, registered_at);
CREATE INDEX IF NOT EXISTS conflicts_created_idx ON conflicts (tenant_id, created_at);

-- +goose Down
DROP INDEX IF EXISTS conflicts_created_idx;
DROP INDEX IF EXISTS registrations_registered_idx;
