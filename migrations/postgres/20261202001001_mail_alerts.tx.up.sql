-- Standing mail transport problems a person must fix (a relay with no TLS,
-- a refused password, relaying denied, an unreadable mailbox), one row per
-- kind, for the admin outbox page; deleted when the transport works again.
CREATE TABLE mail_alerts (
    kind text PRIMARY KEY,
    message text NOT NULL,
    detail text NOT NULL DEFAULT '',
    first_at timestamptz NOT NULL,
    last_at timestamptz NOT NULL,
    count integer NOT NULL DEFAULT 1
);
