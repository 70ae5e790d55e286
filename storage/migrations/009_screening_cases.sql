-- foreign_keys: off
-- A screening item becomes a case: kind 'dispute' (矛盾纠纷), channel 'screening' (排查). SQLite
-- changes no CHECK constraint in place, so the table is rebuilt with every column and index
-- (foreign keys off while the old table goes; every reference is checked before commit).
CREATE TABLE cases_new (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL
        CHECK (kind IN ('help', 'complaint', 'petition', 'suggestion', 'inquiry', 'dispute')),
    channel TEXT NOT NULL DEFAULT 'chat'
        CHECK (channel IN ('chat', 'visit', 'phone', 'letter', 'screening')),
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
    outcome TEXT,
    booking_id INTEGER REFERENCES bookings (id),
    anonymous INTEGER NOT NULL DEFAULT 0,
    unit_id INTEGER REFERENCES units (id)
);
INSERT INTO cases_new (id, number, kind, channel, state, citizen_id, citizen_name,
    citizen_phone, real_name, text, owner_id, topic_id, link_code, due_at, created_at,
    updated_at, accepted_at, resolved_at, closed_at, outcome, booking_id, anonymous, unit_id)
SELECT id, number, kind, channel, state, citizen_id, citizen_name, citizen_phone, real_name,
    text, owner_id, topic_id, link_code, due_at, created_at, updated_at, accepted_at,
    resolved_at, closed_at, outcome, booking_id, anonymous, unit_id
FROM cases;
DROP TABLE cases;
ALTER TABLE cases_new RENAME TO cases;
CREATE INDEX cases_citizen ON cases (citizen_id, state);
CREATE INDEX cases_state ON cases (state, created_at);
CREATE INDEX cases_owner ON cases (owner_id, state);
CREATE INDEX cases_unit ON cases (unit_id) WHERE unit_id IS NOT NULL;
