-- Screening rounds (排查调处): each round, the prompts its liaisons got (recorded with their
-- outbox rows, so a prompt or a reminder goes once), each unit's answer (a zero report, or its
-- items reported), and the items, each one a case of kind 'dispute'.
CREATE TABLE screening_rounds (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL UNIQUE,
    cadence TEXT NOT NULL CHECK (cadence IN ('semimonthly', 'daily')),
    opens_at TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    closed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE screening_prompts (
    round_id INTEGER NOT NULL REFERENCES screening_rounds (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    liaison_id INTEGER NOT NULL REFERENCES users (telegram_id),
    prompted_at TEXT NOT NULL,
    reminded_at TEXT,
    PRIMARY KEY (round_id, unit_id, liaison_id)
);
CREATE TABLE screening_answers (
    round_id INTEGER NOT NULL REFERENCES screening_rounds (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    state TEXT NOT NULL CHECK (state IN ('zero', 'reported')),
    liaison_id INTEGER REFERENCES users (telegram_id),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (round_id, unit_id)
);
CREATE TABLE screening_items (
    case_id INTEGER PRIMARY KEY REFERENCES cases (id),
    round_id INTEGER NOT NULL REFERENCES screening_rounds (id),
    unit_id INTEGER NOT NULL REFERENCES units (id),
    parties TEXT NOT NULL,
    people INTEGER NOT NULL,
    demand TEXT NOT NULL,
    risk_level INTEGER NOT NULL CHECK (risk_level BETWEEN 1 AND 4),
    guarantor_id INTEGER REFERENCES users (telegram_id),
    guarantor_name TEXT,
    guarantor_phone TEXT,
    reported_by INTEGER REFERENCES users (telegram_id),
    created_at TEXT NOT NULL
);
CREATE INDEX screening_items_round ON screening_items (round_id, unit_id);
