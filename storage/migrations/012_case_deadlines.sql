-- foreign_keys: off
-- One deadline model (bot.core.deadlines): a case's deadlines live in case_deadlines, one row
-- per kind (accept, handle, classify) with its due moment, any extension, when it was met, and
-- what the sweep has said of it (reminded early, on the day, overdue), each once. The single
-- cases.due_at, which intake wrote and a claim overwrote, goes; a petition's or complaint's
-- category (2022 信访工作条例 arts. 29-31) comes. SQLite changes no CHECK in place, so the table
-- is rebuilt as in 009.
CREATE TABLE case_deadlines (
    case_id INTEGER NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('accept', 'handle', 'classify')),
    starts_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    days INTEGER,
    counting TEXT NOT NULL CHECK (counting IN ('calendar', 'working', 'date')),
    extended_days INTEGER NOT NULL DEFAULT 0,
    original_due_at TEXT,
    met_at TEXT,
    warned_at TEXT,
    reminded_at TEXT,
    overdue_at TEXT,
    PRIMARY KEY (case_id, kind)
) WITHOUT ROWID;
-- The sweep reads unmet deadlines not yet overdue; the report reads all unmet ones, and those
-- met lately (for the overdue count of each past day).
CREATE INDEX case_deadlines_pending ON case_deadlines (due_at)
    WHERE met_at IS NULL AND overdue_at IS NULL;
CREATE INDEX case_deadlines_unmet ON case_deadlines (due_at) WHERE met_at IS NULL;
CREATE INDEX case_deadlines_met ON case_deadlines (met_at) WHERE met_at IS NOT NULL;

-- What the old column said, kept: a new case's deadline was the one to accept it; an accepted
-- case's (or a dispute's) the one to handle it, met when it was resolved or closed. An accepted
-- case's acceptance is recorded met at its acceptance, 15 days after its arrival.
INSERT INTO case_deadlines (case_id, kind, starts_at, due_at, days, counting, met_at)
SELECT id, 'accept', created_at, due_at, 15, 'calendar',
       CASE WHEN state = 'new' THEN NULL ELSE coalesce(accepted_at, closed_at, updated_at) END
FROM cases WHERE state = 'new' AND due_at IS NOT NULL AND kind <> 'dispute';
INSERT INTO case_deadlines (case_id, kind, starts_at, due_at, days, counting, met_at)
SELECT id, 'accept', created_at, strftime('%Y-%m-%d %H:%M:%f', created_at, '+15 days'), 15,
       'calendar', coalesce(accepted_at, closed_at, updated_at)
FROM cases WHERE state <> 'new' AND kind <> 'dispute';
INSERT INTO case_deadlines (case_id, kind, starts_at, due_at, days, counting, met_at,
                            extended_days, original_due_at)
SELECT c.id, 'handle', coalesce(c.accepted_at, c.created_at), c.due_at, NULL, 'date',
       CASE WHEN c.state IN ('accepted', 'new') THEN NULL
            ELSE coalesce(c.resolved_at, c.closed_at, c.updated_at) END,
       CASE WHEN e.id IS NULL THEN 0 ELSE 30 END,
       CASE WHEN e.id IS NULL THEN NULL
            ELSE strftime('%Y-%m-%d %H:%M:%f', c.due_at, '-30 days') END
FROM cases c LEFT JOIN case_events e ON e.case_id = c.id AND e.kind = 'extended'
WHERE c.due_at IS NOT NULL AND (c.state <> 'new' OR c.kind = 'dispute')
GROUP BY c.id;

CREATE TABLE cases_new (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL
        CHECK (kind IN ('help', 'complaint', 'petition', 'suggestion', 'inquiry', 'dispute')),
    channel TEXT NOT NULL DEFAULT 'chat'
        CHECK (channel IN ('chat', 'visit', 'phone', 'letter', 'screening')),
    state TEXT NOT NULL DEFAULT 'new'
        CHECK (state IN ('new', 'accepted', 'resolved', 'closed', 'rejected', 'withdrawn')),
    category TEXT CHECK (category IN ('suggestion', 'accusation', 'route', 'claim')),
    citizen_id INTEGER REFERENCES users (telegram_id),
    citizen_name TEXT NOT NULL DEFAULT '',
    citizen_phone TEXT,
    real_name TEXT,
    text TEXT NOT NULL,
    owner_id INTEGER REFERENCES users (telegram_id),
    topic_id INTEGER,
    link_code TEXT,
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
    citizen_phone, real_name, text, owner_id, topic_id, link_code, created_at,
    updated_at, accepted_at, resolved_at, closed_at, outcome, booking_id, anonymous, unit_id)
SELECT id, number, kind, channel, state, citizen_id, citizen_name, citizen_phone, real_name,
    text, owner_id, topic_id, link_code, created_at, updated_at, accepted_at,
    resolved_at, closed_at, outcome, booking_id, anonymous, unit_id
FROM cases;
DROP TABLE cases;
ALTER TABLE cases_new RENAME TO cases;
CREATE INDEX cases_citizen ON cases (citizen_id, state);
CREATE INDEX cases_state ON cases (state, created_at);
CREATE INDEX cases_owner ON cases (owner_id, state);
CREATE INDEX cases_unit ON cases (unit_id) WHERE unit_id IS NOT NULL;
-- The morning report counts what arrived and what ended in a span of days.
CREATE INDEX cases_created ON cases (created_at);
CREATE INDEX cases_closed ON cases (closed_at) WHERE closed_at IS NOT NULL;
