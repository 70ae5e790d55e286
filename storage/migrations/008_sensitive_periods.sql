-- Sensitive periods (敏感时期): screening runs daily from their start (or the day after they were
-- declared) to their end, holidays included. Ending one early sets its last day to that day
-- (one that had not begun then ends before its first day and covers none).
CREATE TABLE sensitive_periods (
    id INTEGER PRIMARY KEY,
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL,
    declared_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    ended_by INTEGER
);
CREATE INDEX sensitive_periods_last ON sensitive_periods (last_day);
