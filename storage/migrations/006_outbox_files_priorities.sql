-- Files the office generates (a chart, a ledger) wait here, in the private database, until
-- Telegram has accepted them; then only Telegram's file_id is kept, so the same file sent to
-- several people is uploaded once.
CREATE TABLE outbox_files (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    content BLOB,          -- NULL once Telegram has it (or nobody is waiting for it any more)
    file_id TEXT,          -- Telegram's id for it, once uploaded
    created_at TEXT NOT NULL
);
CREATE INDEX outbox_files_sha ON outbox_files (sha256, kind);

-- 0 answers, replies to citizens and new cases; 1 a citizen's further messages relayed to
-- staff; 2 reminders and reports; 3 broadcasts (bot.core.said).
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN file_ref INTEGER REFERENCES outbox_files (id);
CREATE INDEX outbox_file ON outbox (file_ref) WHERE file_ref IS NOT NULL;
