-- Mail both ways: every incoming message by its Message-ID (read twice,
-- handled once), messages held for staff to accept or reject, and
-- customers' addresses that bounced.
CREATE TABLE inbound_mail (
    id bigserial PRIMARY KEY,
    message_id text NOT NULL UNIQUE,
    from_email text NOT NULL,
    subject text NOT NULL DEFAULT '',
    outcome text NOT NULL,
    detail text NOT NULL DEFAULT '',
    customer_id bigint,
    inquiry_id bigint,
    held_id bigint,
    received_at timestamptz NOT NULL
);
--bun:split
CREATE TABLE held_mail (
    id bigserial PRIMARY KEY,
    message_id text NOT NULL,
    from_email text NOT NULL,
    from_name text NOT NULL DEFAULT '',
    subject text NOT NULL DEFAULT '',
    body text NOT NULL,
    reason text NOT NULL,
    case_kind text NOT NULL DEFAULT '',
    case_id bigint,
    customer_id bigint REFERENCES customers(id),
    state text NOT NULL CHECK (state IN ('held','accepted','rejected')),
    decided_by_staff_id bigint REFERENCES staff(id),
    decided_at timestamptz,
    inquiry_id bigint REFERENCES inquiries(id),
    received_at timestamptz NOT NULL
);
--bun:split
CREATE INDEX held_mail_state ON held_mail (state, received_at);
--bun:split
CREATE TABLE address_problems (
    customer_id bigint PRIMARY KEY REFERENCES customers(id),
    email text NOT NULL,
    reason text NOT NULL,
    failing_since timestamptz NOT NULL,
    last_at timestamptz NOT NULL,
    bounces integer NOT NULL DEFAULT 1
);
