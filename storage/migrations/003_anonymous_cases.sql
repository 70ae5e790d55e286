-- A case raised by someone who declined the privacy notice keeps only their Telegram id (to
-- route the answers), never a name or a phone; staff see it marked anonymous.
ALTER TABLE cases ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;
