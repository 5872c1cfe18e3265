CREATE INDEX escalations_inquiry_open ON escalations (inquiry_id) WHERE is_open AND inquiry_id IS NOT NULL;
--bun:split
CREATE INDEX inquiries_open_status ON inquiries (is_open, status, reply_due_at);
--bun:split
CREATE INDEX inquiries_open_owner_due ON inquiries (is_open, owner_id, reply_due_at);
