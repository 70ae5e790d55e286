-- Why a slot was cancelled: 'holiday' marks one a holiday entered later took away, which comes
-- back if the holiday is removed; staff cancellations stay cancelled.
ALTER TABLE talk_slots ADD COLUMN cancel_reason TEXT;
