-- Every mail about a case carries a reply address and thread ids that name
-- the case and the customer (app/mailref): the outbox row keeps which case
-- (kind + id) and customer it is about, so the mailer can make them and a
-- reply quoting the row's Message-ID finds its case. The key that signs
-- them is a generated secret kept here, like the session key.
ALTER TABLE outbox ADD COLUMN customer_id bigint;
--bun:split
ALTER TABLE outbox ADD COLUMN case_kind text NOT NULL DEFAULT '';
--bun:split
ALTER TABLE outbox ADD COLUMN case_id bigint;
--bun:split
CREATE TABLE secrets (
    name text PRIMARY KEY,
    value text NOT NULL
);
