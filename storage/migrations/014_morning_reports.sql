-- The leaders' morning report (日报告 / 排查日报) and the weekly summary: one row per leader per
-- period, written in the same transaction as the report's outbox rows, so that a restart or a
-- second run of the job never sends one twice. `until` is where the next report starts.
CREATE TABLE morning_reports (
    leader_id INTEGER NOT NULL REFERENCES users (telegram_id),
    kind TEXT NOT NULL CHECK (kind IN ('daily', 'weekly')),
    period TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (leader_id, kind, period)
) WITHOUT ROWID;
CREATE INDEX morning_reports_until ON morning_reports (kind, until);
