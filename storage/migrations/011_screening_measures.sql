-- A serious item's first measures: when they were reported, and when leaders were told again
-- that they were overdue (once).
ALTER TABLE screening_items ADD COLUMN measures_at TEXT;
ALTER TABLE screening_items ADD COLUMN escalated_at TEXT;
