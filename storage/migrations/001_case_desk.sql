-- The case desk's spine: people, cases and their history, audit, inbox and outbox.
-- Times are UTC text 'YYYY-MM-DD HH:MM:SS.ffffff'.

CREATE TABLE users (
    telegram_id INTEGER PRIMARY KEY,
    role TEXT NOT NULL DEFAULT 'citizen'
        CHECK (role IN ('citizen', 'staff', 'leader', 'liaison', 'admin')),
    display_name TEXT NOT NULL DEFAULT '',
    username TEXT,
    language TEXT,
    real_name TEXT,
    privacy_agreed_at TEXT,
    blocked_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX users_role ON users (role);

CREATE TABLE invites (
    token TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_by INTEGER,
    used_at TEXT
);

-- A dialogue in progress (a citizen halfway through /new, a staff member who pressed reply).
CREATE TABLE dialogues (
    user_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    step TEXT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
);

CREATE TABLE case_numbers (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('help', 'complaint', 'petition', 'suggestion', 'inquiry')),
    channel TEXT NOT NULL DEFAULT 'chat' CHECK (channel IN ('chat', 'visit', 'phone', 'letter')),
    state TEXT NOT NULL DEFAULT 'new'
        CHECK (state IN ('new', 'accepted', 'resolved', 'closed', 'rejected', 'withdrawn')),
    citizen_id INTEGER REFERENCES users (telegram_id),
    citizen_name TEXT NOT NULL DEFAULT '',
    citizen_phone TEXT,
    real_name TEXT,
    text TEXT NOT NULL,
    owner_id INTEGER REFERENCES users (telegram_id),
    topic_id INTEGER,
    link_code TEXT,
    due_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    accepted_at TEXT,
    resolved_at TEXT,
    closed_at TEXT,
    outcome TEXT
);
CREATE INDEX cases_citizen ON cases (citizen_id, state);
CREATE INDEX cases_state ON cases (state, created_at);
CREATE INDEX cases_owner ON cases (owner_id, state);

-- Every message in both directions and every action, with its case.
-- direction: 'in' (from the citizen), 'out' (to the citizen), 'internal' (staff only).
CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    at TEXT NOT NULL,
    actor_id INTEGER,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out', 'internal', 'system')),
    kind TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    media TEXT
);
CREATE INDEX case_events_case ON case_events (case_id, id);

-- The ownership chain (首问负责 and every recorded hand-over).
CREATE TABLE case_owners (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    owner_id INTEGER,
    assigned_at TEXT NOT NULL,
    assigned_by INTEGER,
    reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_owners_case ON case_owners (case_id, id);

-- Which message in which chat stands for which case (cards in the staff chat), so that a
-- staff member's reply to a card finds its case.
CREATE TABLE case_messages (
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    PRIMARY KEY (chat_id, message_id)
);

-- Append-only: ids and actions only, never citizens' texts.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER,
    action TEXT NOT NULL,
    case_id INTEGER,
    subject_id INTEGER,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE inbox (
    update_id INTEGER PRIMARY KEY,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    received_at TEXT NOT NULL,
    done_at TEXT
);
CREATE INDEX inbox_pending ON inbox (state, update_id);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL,
    method TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'failed', 'blocked')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at TEXT NOT NULL,
    error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    case_id INTEGER,
    -- 'card': remember the sent message as the case's card; 'topic': store the forum topic id.
    purpose TEXT,
    -- Send into the case's forum topic (resolved when sending, after the topic exists).
    in_case_topic INTEGER NOT NULL DEFAULT 0,
    -- Album parts arriving as separate updates are gathered into one pending row.
    album_key TEXT,
    result_message_id INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_at, id);
CREATE INDEX outbox_album ON outbox (album_key) WHERE album_key IS NOT NULL;

CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
