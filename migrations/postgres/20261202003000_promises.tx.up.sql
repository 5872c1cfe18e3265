-- Promises (issue 11): every open case has a next step with a holder and a
-- deadline, kept as a record of how it ended; business hours and closed
-- dates; escalations that climb the management chain; late orders noticed
-- once; feedback on resolved inquiries.
ALTER TABLE settings ADD COLUMN ack_hours integer NOT NULL DEFAULT 4;
--bun:split
ALTER TABLE settings ADD COLUMN open_days text NOT NULL DEFAULT '1234567';
--bun:split
ALTER TABLE settings ADD COLUMN open_from text NOT NULL DEFAULT '00:00';
--bun:split
ALTER TABLE settings ADD COLUMN open_until text NOT NULL DEFAULT '24:00';
--bun:split
CREATE TABLE closed_days (
    day text PRIMARY KEY,
    label text NOT NULL DEFAULT ''
);
--bun:split
CREATE TABLE promises (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    order_id bigint REFERENCES orders(id),
    inquiry_id bigint REFERENCES inquiries(id),
    kind text NOT NULL CHECK (kind IN ('reply','action','third_party','delivery','escalation','customer')),
    holder_kind text NOT NULL CHECK (holder_kind IN ('staff','third_party','customer')),
    holder_staff_id bigint REFERENCES staff(id),
    holder_name text NOT NULL DEFAULT '',
    what text NOT NULL DEFAULT '',
    made_by_kind text NOT NULL,
    made_by_staff_id bigint REFERENCES staff(id),
    made_by_name text NOT NULL DEFAULT '',
    due_at timestamptz,
    due_day text NOT NULL DEFAULT '',
    state text NOT NULL CHECK (state IN ('open','missed','kept','kept_late','withdrawn','done')),
    is_next boolean NOT NULL,
    outstanding boolean NOT NULL,
    missed_at timestamptz,
    ended_at timestamptz,
    reason text NOT NULL DEFAULT '',
    escalation_id bigint REFERENCES escalations(id),
    created_at timestamptz NOT NULL,
    CHECK ((order_id IS NULL) <> (inquiry_id IS NULL)),
    CHECK (holder_kind = 'customer' OR due_at IS NOT NULL)
);
--bun:split
CREATE UNIQUE INDEX promises_next_inquiry ON promises (inquiry_id) WHERE is_next AND inquiry_id IS NOT NULL;
--bun:split
CREATE UNIQUE INDEX promises_next_order ON promises (order_id) WHERE is_next AND order_id IS NOT NULL;
--bun:split
CREATE UNIQUE INDEX promises_open_escalation ON promises (escalation_id) WHERE state = 'open' AND escalation_id IS NOT NULL;
--bun:split
CREATE INDEX promises_breach ON promises (due_at, id) WHERE state = 'open' AND due_at IS NOT NULL;
--bun:split
CREATE INDEX promises_inquiry ON promises (inquiry_id, id) WHERE inquiry_id IS NOT NULL;
--bun:split
CREATE INDEX promises_order ON promises (order_id, id) WHERE order_id IS NOT NULL;
--bun:split
CREATE INDEX promises_customer ON promises (customer_id, id) WHERE outstanding;
--bun:split
CREATE INDEX promises_missed ON promises (missed_at, id) WHERE outstanding AND missed_at IS NOT NULL;
--bun:split
CREATE INDEX promises_due ON promises (due_at, holder_staff_id);
--bun:split
ALTER TABLE escalations ADD COLUMN cause text NOT NULL DEFAULT 'customer';
--bun:split
UPDATE escalations SET cause = CASE requested_by_kind WHEN 'system' THEN 'breach' WHEN 'staff' THEN 'staff' ELSE 'customer' END;
--bun:split
ALTER TABLE escalations ADD COLUMN level integer NOT NULL DEFAULT 1;
--bun:split
ALTER TABLE escalations ADD COLUMN visited text NOT NULL DEFAULT '';
--bun:split
UPDATE escalations SET visited = CAST(manager_id AS text);
--bun:split
ALTER TABLE escalations ADD COLUMN promise_id bigint REFERENCES promises(id);
--bun:split
CREATE INDEX escalations_inbox ON escalations (is_open, cause, created_at);
--bun:split
ALTER TABLE orders ADD COLUMN late_inquiry_id bigint REFERENCES inquiries(id);
--bun:split
CREATE INDEX orders_late ON orders (expected_delivery, id) WHERE is_open AND expected_delivery <> '';
--bun:split
ALTER TABLE inquiries ADD COLUMN origin text NOT NULL DEFAULT '';
--bun:split
CREATE TABLE feedback (
    id bigserial PRIMARY KEY,
    inquiry_id bigint NOT NULL REFERENCES inquiries(id),
    customer_id bigint NOT NULL REFERENCES customers(id),
    resolved_at timestamptz NOT NULL,
    solved boolean NOT NULL,
    comment text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    UNIQUE (inquiry_id, resolved_at)
);
--bun:split
CREATE INDEX feedback_created ON feedback (created_at, id);
