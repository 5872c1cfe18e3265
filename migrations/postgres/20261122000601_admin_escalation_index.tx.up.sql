DROP INDEX escalations_inquiry_open;
--bun:split
CREATE INDEX escalations_inquiry ON escalations (inquiry_id, is_open);
