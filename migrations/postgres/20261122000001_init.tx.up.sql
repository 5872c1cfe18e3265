CREATE TABLE settings (
    id bigint PRIMARY KEY,
    business_name text NOT NULL,
    support_email text NOT NULL,
    default_locale text NOT NULL,
    reply_hours integer NOT NULL,
    last_resort_manager_id bigint,
    session_key text NOT NULL
);
--bun:split
CREATE TABLE staff (
    id bigserial PRIMARY KEY,
    email text NOT NULL,
    full_name text NOT NULL,
    title text NOT NULL,
    phone text NOT NULL DEFAULT '',
    manager_id bigint REFERENCES staff(id),
    is_admin boolean NOT NULL DEFAULT false,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
--bun:split
CREATE UNIQUE INDEX staff_email ON staff (lower(email));
--bun:split
ALTER TABLE settings ADD FOREIGN KEY (last_resort_manager_id) REFERENCES staff(id);
--bun:split
CREATE TABLE customers (
    id bigserial PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL,
    locale text NOT NULL DEFAULT '',
    locale_set boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
--bun:split
CREATE UNIQUE INDEX customers_email ON customers (lower(email));
--bun:split
CREATE TABLE customer_facts (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    label text NOT NULL,
    value text NOT NULL,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL
);
--bun:split
CREATE INDEX customer_facts_customer ON customer_facts (customer_id, id);
--bun:split
CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    ref text NOT NULL UNIQUE,
    customer_id bigint NOT NULL REFERENCES customers(id),
    owner_id bigint NOT NULL REFERENCES staff(id),
    status text NOT NULL CHECK (status IN ('received','confirmed','processing','shipped','out_for_delivery','delivered','cancelled','returned')),
    is_open boolean NOT NULL,
    placed_at timestamptz,
    expected_delivery text NOT NULL DEFAULT '',
    delivered_at timestamptz,
    delivery_confirmed_by text NOT NULL DEFAULT '',
    items text NOT NULL DEFAULT '[]',
    total text NOT NULL DEFAULT '',
    currency text NOT NULL DEFAULT '',
    carrier text NOT NULL DEFAULT '',
    tracking_number text NOT NULL DEFAULT '',
    tracking_url text NOT NULL DEFAULT '',
    recipient_name text NOT NULL DEFAULT '',
    locale text NOT NULL DEFAULT '',
    payload_hash text NOT NULL DEFAULT '',
    last_activity_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
--bun:split
CREATE INDEX orders_customer_activity ON orders (customer_id, is_open DESC, last_activity_at DESC, id DESC);
--bun:split
CREATE INDEX orders_owner_open ON orders (owner_id, is_open);
--bun:split
CREATE TABLE inquiries (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    order_id bigint REFERENCES orders(id),
    subject text NOT NULL,
    owner_id bigint NOT NULL REFERENCES staff(id),
    status text NOT NULL CHECK (status IN ('open','waiting_customer','waiting_third_party','resolved')),
    is_open boolean NOT NULL,
    third_party_name text NOT NULL DEFAULT '',
    third_party_expected text NOT NULL DEFAULT '',
    reply_due_at timestamptz,
    last_activity_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    resolved_at timestamptz
);
--bun:split
CREATE INDEX inquiries_customer_activity ON inquiries (customer_id, is_open DESC, last_activity_at DESC, id DESC);
--bun:split
CREATE INDEX inquiries_owner_open ON inquiries (owner_id, is_open);
--bun:split
CREATE INDEX inquiries_queue ON inquiries (is_open, reply_due_at);
--bun:split
CREATE INDEX inquiries_order ON inquiries (order_id);
--bun:split
CREATE TABLE messages (
    id bigserial PRIMARY KEY,
    inquiry_id bigint NOT NULL REFERENCES inquiries(id),
    author_kind text NOT NULL CHECK (author_kind IN ('customer','staff','system')),
    author_staff_id bigint REFERENCES staff(id),
    body text NOT NULL,
    internal boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL
);
--bun:split
CREATE INDEX messages_inquiry ON messages (inquiry_id, id);
--bun:split
CREATE TABLE escalations (
    id bigserial PRIMARY KEY,
    subject text NOT NULL,
    order_id bigint REFERENCES orders(id),
    inquiry_id bigint REFERENCES inquiries(id),
    customer_id bigint NOT NULL REFERENCES customers(id),
    requested_by_kind text NOT NULL,
    requested_by_staff_id bigint REFERENCES staff(id),
    manager_id bigint NOT NULL REFERENCES staff(id),
    reason text NOT NULL DEFAULT '',
    state text NOT NULL CHECK (state IN ('open','acknowledged','resolved')),
    is_open boolean NOT NULL,
    created_at timestamptz NOT NULL,
    acknowledged_at timestamptz,
    resolved_at timestamptz,
    CHECK ((order_id IS NULL) <> (inquiry_id IS NULL))
);
--bun:split
CREATE UNIQUE INDEX escalations_one_open ON escalations (subject) WHERE is_open;
--bun:split
CREATE INDEX escalations_manager ON escalations (manager_id, is_open, created_at);
--bun:split
CREATE INDEX escalations_customer ON escalations (customer_id, is_open);
--bun:split
CREATE TABLE timeline_events (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers(id),
    order_id bigint REFERENCES orders(id),
    inquiry_id bigint REFERENCES inquiries(id),
    kind text NOT NULL,
    actor_kind text NOT NULL,
    actor_staff_id bigint REFERENCES staff(id),
    actor_name text NOT NULL DEFAULT '',
    data text NOT NULL DEFAULT '{}',
    customer_visible boolean NOT NULL,
    created_at timestamptz NOT NULL
);
--bun:split
CREATE INDEX timeline_order ON timeline_events (order_id, id) WHERE order_id IS NOT NULL;
--bun:split
CREATE INDEX timeline_inquiry ON timeline_events (inquiry_id, id) WHERE inquiry_id IS NOT NULL;
--bun:split
CREATE TABLE outbox (
    id bigserial PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE,
    template text NOT NULL,
    locale text NOT NULL,
    to_email text NOT NULL,
    to_name text NOT NULL DEFAULT '',
    data text NOT NULL DEFAULT '{}',
    state text NOT NULL CHECK (state IN ('pending','sending','sent','failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    lease_until timestamptz,
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    sent_at timestamptz
);
--bun:split
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
--bun:split
CREATE TABLE login_tokens (
    id bigserial PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    purpose text NOT NULL CHECK (purpose IN ('customer','staff')),
    subject_id bigint NOT NULL,
    email text NOT NULL,
    code_hmac text NOT NULL,
    code_tries integer NOT NULL DEFAULT 0,
    browser_hash text NOT NULL DEFAULT '',
    return_to text NOT NULL DEFAULT '',
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL
);
--bun:split
CREATE INDEX login_tokens_subject ON login_tokens (purpose, subject_id);
--bun:split
CREATE TABLE sessions (
    id_hash text PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('customer','staff')),
    subject_id bigint NOT NULL,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
--bun:split
CREATE INDEX sessions_subject ON sessions (kind, subject_id);
--bun:split
CREATE TABLE api_keys (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    prefix text NOT NULL,
    key_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at timestamptz
);
