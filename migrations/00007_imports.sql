-- Bulk import (导入) of existing customers and registrations from CSV or
-- XLSX: the uploaded file, its column mapping and progress in a job row,
-- and each row's outcome (preview, then the import's result).

-- +goose Up
CREATE TABLE import_jobs (
	tenant_id   bigint NOT NULL REFERENCES tenants (id),
	id          bigint GENERATED ALWAYS AS IDENTITY,
	created_by  bigint NOT NULL,
	file_name   text NOT NULL,
	file_data   bytea NOT NULL,          -- the file as uploaded (at most 10 MiB)
	headers     text[] NOT NULL,
	mapping     jsonb NOT NULL,          -- field name → column number (domain.ImportMapping)
	status      text NOT NULL CHECK (status IN ('preview', 'queued', 'running', 'done', 'failed')),
	total       int NOT NULL DEFAULT 0,  -- data rows in the file
	counts      jsonb NOT NULL DEFAULT '{}', -- outcome → rows, of the preview or (once done) the import
	done        int NOT NULL DEFAULT 0,  -- rows the running import has written
	error       text NOT NULL DEFAULT '',
	created_at  timestamptz NOT NULL,
	started_at  timestamptz,
	finished_at timestamptz,
	PRIMARY KEY (tenant_id, id),
	FOREIGN KEY (tenant_id, created_by) REFERENCES users (tenant_id, id)
);
CREATE INDEX import_jobs_status_idx ON import_jobs (tenant_id, status);
CALL baobei_protect('import_jobs', 'SELECT, INSERT, UPDATE');

-- One row per data row of the file: what the preview (or the import)
-- decided for it and why.
CREATE TABLE import_rows (
	tenant_id       bigint NOT NULL,
	job_id          bigint NOT NULL,
	line            int NOT NULL,        -- the row's line in the file (the header is line 1)
	name            text NOT NULL,
	owner           text NOT NULL,
	outcome         text NOT NULL CHECK (outcome IN ('new', 'duplicate', 'conflict', 'invalid')),
	reason_zh       text NOT NULL DEFAULT '',
	reason_en       text NOT NULL DEFAULT '',
	registration_id bigint,
	PRIMARY KEY (tenant_id, job_id, line),
	FOREIGN KEY (tenant_id, job_id) REFERENCES import_jobs (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX import_rows_outcome_idx ON import_rows (tenant_id, job_id, outcome, line);
CALL baobei_protect('import_rows', 'SELECT, INSERT, DELETE');

-- The import writes customers and registrations set-based with ids it
-- draws beforehand, so that keys and registrations can name them.
GRANT USAGE ON SEQUENCE customers_id_seq, registrations_id_seq TO baobei_app;

-- An import grows these tables by thousands of rows in one transaction.
-- Without fresh statistics the planner keeps the foreign-key checks of a
-- small table's plan (a sequential scan) and each batch gets slower than
-- the last; the application role may not ANALYZE, so the import calls
-- this function, which runs as the tables' owner and does nothing else.
-- +goose StatementBegin
CREATE FUNCTION baobei_analyze_import() RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
	ANALYZE customers, customer_keys, registrations, live_keys;
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION baobei_analyze_import() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION baobei_analyze_import() TO baobei_app;

-- +goose Down
DROP FUNCTION baobei_analyze_import();
REVOKE USAGE ON SEQUENCE customers_id_seq, registrations_id_seq FROM baobei_app;
DROP TABLE import_rows, import_jobs;
