-- foreign_keys: off
-- Public announcements (公示、听证、新闻发布会) and who subscribes to each kind; the monthly
-- circular's once-only record; outbox rows that belong to a broadcast; and hearings among the
-- talk slots' kinds, so that a hearing's seats and reminders are a slot's. SQLite changes no
-- CHECK constraint in place, so talk_slots is rebuilt with every column and index.
CREATE TABLE talk_slots_new (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL
        CHECK (kind IN ('talk_day', 'talk_meeting', 'one_on_one', 'reception_day', 'hearing')),
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
    updated_at TEXT NOT NULL,
    cancel_reason TEXT
);
INSERT INTO talk_slots_new (id, kind, starts_at, ends_at, place, host_id, capacity, topic, state,
                            series_id, series_day, created_by, created_at, updated_at,
                            cancel_reason)
    SELECT id, kind, starts_at, ends_at, place, host_id, capacity, topic, state, series_id,
           series_day, created_by, created_at, updated_at, cancel_reason FROM talk_slots;
DROP TABLE talk_slots;
ALTER TABLE talk_slots_new RENAME TO talk_slots;
CREATE INDEX talk_slots_start ON talk_slots (state, starts_at);
CREATE INDEX talk_slots_host ON talk_slots (host_id, starts_at);
CREATE UNIQUE INDEX talk_slots_series_day ON talk_slots (series_id, series_day)
    WHERE series_id IS NOT NULL;

CREATE TABLE announcements (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('notice', 'hearing', 'press')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    media TEXT,                      -- JSON: the attachment, as Telegram described it
    event_at TEXT,                   -- the hearing's or press conference's moment
    place TEXT,
    seats INTEGER,                   -- a hearing taking registrations: how many
    slot_id INTEGER REFERENCES talk_slots (id),  -- and the talk slot that holds them
    -- draft (being looked over by its creator), pending (awaiting a leader), rejected,
    -- sending (its broadcast under way), sent
    state TEXT NOT NULL CHECK (state IN ('draft', 'pending', 'rejected', 'sending', 'sent')),
    created_by INTEGER NOT NULL REFERENCES users (telegram_id),
    created_at TEXT NOT NULL,
    decided_by INTEGER,
    decided_at TEXT,
    -- The broadcast's cursor: subscribers are queued in chunks by id; a restart goes on from it.
    queued_upto INTEGER NOT NULL DEFAULT 0,
    queued INTEGER NOT NULL DEFAULT 0,
    progress_row INTEGER,            -- the outbox row of the sender's progress message
    progress_text TEXT,              -- what it last said, so that an unchanged count is not sent
    sent_at TEXT
);
CREATE INDEX announcements_created ON announcements (created_at);
CREATE INDEX announcements_sending ON announcements (id) WHERE state = 'sending';

CREATE TABLE subscriptions (
    kind TEXT NOT NULL CHECK (kind IN ('notice', 'hearing', 'press')),
    user_id INTEGER NOT NULL REFERENCES users (telegram_id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, user_id)
) WITHOUT ROWID;
CREATE INDEX subscriptions_user ON subscriptions (user_id);

ALTER TABLE outbox ADD COLUMN broadcast_id INTEGER REFERENCES announcements (id);
CREATE INDEX outbox_broadcast ON outbox (broadcast_id, state) WHERE broadcast_id IS NOT NULL;

CREATE TABLE circulars (
    leader_id INTEGER NOT NULL REFERENCES users (telegram_id),
    period TEXT NOT NULL,            -- the month circulated, 2031-12
    sent_at TEXT NOT NULL,
    PRIMARY KEY (leader_id, period)
) WITHOUT ROWID;
