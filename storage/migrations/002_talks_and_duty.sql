-- Talks (民情恳谈) and the leaders' duty roster, with reminders recorded once.

CREATE TABLE holidays (
    day TEXT PRIMARY KEY,               -- local date YYYY-MM-DD
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),  -- workday: an extra working day (调休)
    name TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at TEXT NOT NULL
);

-- A recurring rule: weekly on a weekday or monthly on a day of the month.
CREATE TABLE talk_series (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    rule TEXT NOT NULL,                 -- 'weekly:3' (ISO weekday) or 'monthly:15'
    start_time TEXT NOT NULL,           -- local HH:MM
    end_time TEXT NOT NULL,
    place TEXT NOT NULL,
    host_id INTEGER NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity >= 1),
    topic TEXT NOT NULL DEFAULT '',
    created_by INTEGER,
    created_at TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE talk_slots (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('talk_day', 'talk_meeting', 'one_on_one', 'reception_day')),
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    place TEXT NOT NULL,
    host_id INTEGER NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity >= 1),
    topic TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'cancelled')),
    series_id INTEGER REFERENCES talk_series (id),
    series_day TEXT,
    created_by INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX talk_slots_start ON talk_slots (state, starts_at);
CREATE INDEX talk_slots_host ON talk_slots (host_id, starts_at);
CREATE UNIQUE INDEX talk_slots_series_day ON talk_slots (series_id, series_day)
    WHERE series_id IS NOT NULL;

CREATE TABLE bookings (
    id INTEGER PRIMARY KEY,
    slot_id INTEGER NOT NULL REFERENCES talk_slots (id),
    citizen_id INTEGER NOT NULL REFERENCES users (telegram_id),
    topic TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('booked', 'waitlisted', 'cancelled', 'declined')),
    attendance TEXT CHECK (attendance IN ('attended', 'no_show')),
    outcome TEXT,
    case_id INTEGER REFERENCES cases (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX bookings_slot ON bookings (slot_id, state, id);
CREATE INDEX bookings_citizen ON bookings (citizen_id, state);
-- One seat (or one waitlist place) per citizen per slot.
CREATE UNIQUE INDEX bookings_one_per_slot ON bookings (slot_id, citizen_id)
    WHERE state IN ('booked', 'waitlisted');

-- Which leaders take turns, by week or by working day, from a first day.
CREATE TABLE duty_rotation (
    id INTEGER PRIMARY KEY,
    unit TEXT NOT NULL CHECK (unit IN ('week', 'day')),
    leaders TEXT NOT NULL,              -- JSON list of telegram ids
    starts_on TEXT NOT NULL,            -- local date
    created_by INTEGER,
    reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

-- One-off overrides (a swap is two of them), each with who and why.
CREATE TABLE duty_overrides (
    day TEXT PRIMARY KEY,
    leader_id INTEGER NOT NULL,
    changed_by INTEGER,
    reason TEXT NOT NULL,
    changed_at TEXT NOT NULL
);

-- Every reminder queued (or dropped), by a key naming what it is about: queued once.
CREATE TABLE reminders (
    key TEXT PRIMARY KEY,
    due_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('sent', 'dropped')),
    recorded_at TEXT NOT NULL
);

ALTER TABLE cases ADD COLUMN booking_id INTEGER REFERENCES bookings (id);
