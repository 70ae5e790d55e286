-- Who hears when a message is not delivered (the staff member whose reply it carries).
ALTER TABLE outbox ADD COLUMN notify_id INTEGER;
