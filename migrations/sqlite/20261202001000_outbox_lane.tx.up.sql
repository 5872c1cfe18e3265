-- Outbox lanes: sign-in mail (priority 10) is claimed before notices
-- (priority 0), so a person asking for a link never waits behind a bulk
-- import's backlog. The index serves the claim's order on the pending rows.
ALTER TABLE outbox ADD COLUMN priority integer NOT NULL DEFAULT 0;
--bun:split
CREATE INDEX outbox_lane ON outbox (state, priority DESC, next_attempt_at, id);
