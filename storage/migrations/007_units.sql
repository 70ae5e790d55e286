-- The bureau's subordinate units (下属单位): each with its liaisons and a responsible leader;
-- a case may name the unit it concerns (the report and the figures group by it).
CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    leader_id INTEGER REFERENCES users (telegram_id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE unit_liaisons (
    unit_id INTEGER NOT NULL REFERENCES units (id),
    user_id INTEGER NOT NULL REFERENCES users (telegram_id),
    PRIMARY KEY (unit_id, user_id)
);
CREATE INDEX unit_liaisons_user ON unit_liaisons (user_id);
ALTER TABLE cases ADD COLUMN unit_id INTEGER REFERENCES units (id);
CREATE INDEX cases_unit ON cases (unit_id) WHERE unit_id IS NOT NULL;
