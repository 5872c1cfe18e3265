-- What the retention purge (store.Purge) looks for, found by index rather
-- than by scanning the tables.
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE state = 'sent';
--bun:split
CREATE INDEX sessions_expires ON sessions (expires_at);
--bun:split
CREATE INDEX login_tokens_created ON login_tokens (created_at);
