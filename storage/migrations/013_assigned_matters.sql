-- Matters assigned by superiors (上级交办): source, document number, content, deadline, owner,
-- an optional case; the result reported (text and attachments) and what the deadline sweep has
-- said of it (early, on the day, overdue), each once.
CREATE TABLE assigned_matters (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    doc_number TEXT NOT NULL,
    content TEXT NOT NULL,
    due_at TEXT NOT NULL,
    owner_id INTEGER NOT NULL REFERENCES users (telegram_id),
    case_id INTEGER REFERENCES cases (id),
    registered_by INTEGER NOT NULL REFERENCES users (telegram_id),
    created_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'reported')),
    result TEXT,
    result_media TEXT,
    reported_at TEXT,
    warned_at TEXT,
    reminded_at TEXT,
    overdue_at TEXT
);
CREATE INDEX assigned_matters_open ON assigned_matters (due_at) WHERE state = 'open';
