-- Outbound notifications: channels a tenant's admin configures (e-mail
-- over SMTP, WeCom and DingTalk group robots, a generic JSON webhook), and
-- the durable outbox they are delivered from. A trigger on notifications
-- queues each new notification for every enabled channel that subscribes
-- to its event, in the transaction of the event itself, so no notifying
-- rule can forget it and none is lost when the server stops before
-- delivery.

-- +goose Up
-- The address e-mail channels send a user's notifications to ('' = none).
ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT '';

CREATE TABLE outbound_channels (
	tenant_id     bigint NOT NULL REFERENCES tenants (id),
	id            bigint GENERATED ALWAYS AS IDENTITY,
	kind          text NOT NULL CHECK (kind IN ('email', 'wecom', 'dingtalk', 'webhook')),
	name          text NOT NULL,
	enabled       boolean NOT NULL DEFAULT true,
	events        text[] NOT NULL CHECK (events <@ ARRAY['conflict', 'consent', 'expiry', 'dispute_decision']),
	url           text NOT NULL DEFAULT '',  -- webhooks: where to POST
	secret        text NOT NULL DEFAULT '',  -- DingTalk sign secret; generic webhook HMAC key
	keyword       text NOT NULL DEFAULT '',  -- DingTalk security keyword, put in every message
	markdown      boolean NOT NULL DEFAULT false, -- WeCom: markdown instead of text
	smtp_host     text NOT NULL DEFAULT '',
	smtp_port     int NOT NULL DEFAULT 0,
	smtp_username text NOT NULL DEFAULT '',
	smtp_password text NOT NULL DEFAULT '',
	smtp_from     text NOT NULL DEFAULT '',
	created_at    timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, name)
);
CALL baobei_protect('outbound_channels', 'SELECT, INSERT, UPDATE');

-- One row per (notification, channel). pending rows are due at
-- next_attempt_at ('-infinity': at once); a worker claims one with
-- FOR UPDATE SKIP LOCKED, holds the lock while sending and records the
-- outcome, so two servers never send one message at the same time.
CREATE TABLE outbox (
	tenant_id       bigint NOT NULL REFERENCES tenants (id),
	id              bigint GENERATED ALWAYS AS IDENTITY,
	channel_id      bigint NOT NULL,
	notification_id bigint NOT NULL,
	status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
	attempts        int NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL DEFAULT '-infinity',
	last_error      text NOT NULL DEFAULT '',
	created_at      timestamptz NOT NULL DEFAULT now(),
	delivered_at    timestamptz,
	PRIMARY KEY (tenant_id, id),
	UNIQUE (tenant_id, notification_id, channel_id),
	FOREIGN KEY (tenant_id, channel_id) REFERENCES outbound_channels (tenant_id, id),
	FOREIGN KEY (tenant_id, notification_id) REFERENCES notifications (tenant_id, id)
);
CREATE INDEX outbox_due_idx ON outbox (tenant_id, next_attempt_at) WHERE status = 'pending';
CALL baobei_protect('outbox', 'SELECT, INSERT, UPDATE');

-- outbound_event names the event a notification kind belongs to, as
-- channels subscribe to them (NULL: not sent outside the app).
-- +goose StatementBegin
CREATE FUNCTION outbound_event(kind text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE kind
		WHEN 'conflict' THEN 'conflict'
		WHEN 'arbitration' THEN 'conflict'
		WHEN 'consent' THEN 'consent'
		WHEN 'expiry_notice' THEN 'expiry'
		WHEN 'claim_ended' THEN 'expiry'
		WHEN 'dispute_decision' THEN 'dispute_decision'
	END
$$;
-- +goose StatementEnd

-- E-mail goes only to users with an address; webhooks post every message.
-- +goose StatementBegin
CREATE FUNCTION notifications_outbound() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO outbox (tenant_id, channel_id, notification_id)
	SELECT n.tenant_id, c.id, n.id
	FROM new_rows n
	JOIN outbound_channels c ON c.tenant_id = n.tenant_id AND c.enabled AND outbound_event(n.kind) = ANY (c.events)
	WHERE c.kind <> 'email' OR EXISTS (
		SELECT FROM users u WHERE u.tenant_id = n.tenant_id AND u.id = n.user_id AND u.email <> '');
	RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER notifications_outbound AFTER INSERT ON notifications
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notifications_outbound();

-- +goose Down
DROP TRIGGER notifications_outbound ON notifications;
DROP FUNCTION notifications_outbound();
DROP FUNCTION outbound_event(text);
DROP TABLE outbox, outbound_channels;
ALTER TABLE users DROP COLUMN email;
