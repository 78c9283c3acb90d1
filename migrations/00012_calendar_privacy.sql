-- Working days and personal information (PIPL): the tenant's holiday
-- calendar, the store of personal values the audit log refers to, and
-- the column grants that erasing a contact needs.

-- +goose Up
-- The tenant's calendar: public holidays and make-up working days (调休).
-- A day not listed is a working day from Monday to Friday.
CREATE TABLE calendar_days (
	tenant_id bigint NOT NULL REFERENCES tenants (id),
	day       date NOT NULL,
	kind      text NOT NULL CHECK (kind IN ('holiday', 'workday')),
	name      text NOT NULL DEFAULT '',
	PRIMARY KEY (tenant_id, day)
);
CALL baobei_protect('calendar_days', 'SELECT, INSERT, UPDATE, DELETE');

-- Personal values (phones, names of people) that audit entries refer to
-- as "pii:<id>" instead of holding them: the audit log and its seals stay
-- append-only, and erasing a contact blanks value here (domain/personal.go).
-- entity and entity_id are those of the audit entry the value was
-- recorded for.
CREATE TABLE personal_values (
	tenant_id  bigint NOT NULL REFERENCES tenants (id),
	id         bigint GENERATED ALWAYS AS IDENTITY,
	kind       text NOT NULL CHECK (kind IN ('phone', 'name')),
	value      text,
	entity     text NOT NULL,
	entity_id  bigint,
	erased_at  timestamptz,
	PRIMARY KEY (tenant_id, id),
	CHECK ((value IS NULL) = (erased_at IS NOT NULL))
);
CREATE INDEX personal_values_entity_idx ON personal_values (tenant_id, entity, entity_id);
CALL baobei_protect('personal_values', 'SELECT, INSERT, UPDATE (value, erased_at)');

-- Erasing a contact rewrites the personal fields of otherwise
-- append-only records.
GRANT UPDATE (visitor_name, phone, customer_name, note) ON visits TO baobei_app;
GRANT UPDATE (note) ON follow_ups TO baobei_app;
GRANT UPDATE (reason, evidence) ON dispute_statements TO baobei_app;

-- +goose Down
REVOKE UPDATE (reason, evidence) ON dispute_statements FROM baobei_app;
REVOKE UPDATE (note) ON follow_ups FROM baobei_app;
REVOKE UPDATE (visitor_name, phone, customer_name, note) ON visits FROM baobei_app;
DROP TABLE personal_values, calendar_days;
