"""The figures of assessment (考核) and of the circular (通报): the cases, screening items and
talks of a period, one row each with what the figures are computed from, streamed (cursors).
Each query starts from an index over the period (cases_created, case_deadlines_met and _unmet,
talk_slots_start) and reaches the rest by primary keys; the repeat check uses cases_citizen."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime

from storage.ledger import NAME
from storage.times import ts

REPEAT_DAYS = 90


class Assessment:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    def received(self, first: datetime, last: datetime) -> Iterator[sqlite3.Row]:
        """Each case received in [first, last): who owns it, the unit, its kind and text, its
        accept deadline, the first message from the office to the citizen, whether the same
        citizen raised the same kind about the same unit within the 90 days before."""
        return self.c.execute(
            "SELECT c.id, c.owner_id, c.unit_id, c.kind, c.channel, c.state, c.text,"
            " c.created_at, c.resolved_at,"
            " a.due_at AS accept_due, a.met_at AS accept_met,"
            " (SELECT MIN(e.at) FROM case_events e WHERE e.case_id = c.id"
            "  AND e.direction = 'out' AND e.at >= c.created_at) AS first_out,"
            " EXISTS (SELECT 1 FROM cases p WHERE p.citizen_id = c.citizen_id"
            "  AND p.kind = c.kind AND p.unit_id IS c.unit_id AND p.id <> c.id"
            "  AND p.created_at < c.created_at"
            f"  AND p.created_at >= strftime('%Y-%m-%d %H:%M:%f', c.created_at,"
            f" '-{REPEAT_DAYS} days')) AS repeat"
            " FROM cases c"
            " LEFT JOIN case_deadlines a ON a.case_id = c.id AND a.kind = 'accept'"
            " WHERE c.created_at >= ? AND c.created_at < ?",
            (ts(first), ts(last)))

    def handled(self, first: datetime, last: datetime) -> Iterator[sqlite3.Row]:
        """Each handling deadline met in [first, last), or due in it and still unmet: the
        按期办结率's cases, with how long each took from its receipt."""
        return self.c.execute(
            "SELECT c.id, c.owner_id, c.unit_id, c.kind, c.created_at, d.due_at, d.met_at"
            " FROM case_deadlines d JOIN cases c ON c.id = d.case_id"
            " WHERE d.kind = 'handle' AND d.met_at >= ? AND d.met_at < ?"
            " UNION ALL "
            "SELECT c.id, c.owner_id, c.unit_id, c.kind, c.created_at, d.due_at, NULL"
            " FROM case_deadlines d JOIN cases c ON c.id = d.case_id"
            " WHERE d.kind = 'handle' AND d.met_at IS NULL AND d.due_at >= ? AND d.due_at < ?"
            " AND c.state IN ('new', 'accepted')",
            (ts(first), ts(last), ts(first), ts(last)))

    def items(self, first: datetime, last: datetime) -> Iterator[sqlite3.Row]:
        """Screening items reported in [first, last), with their case's owner and state."""
        return self.c.execute(
            "SELECT si.case_id, si.unit_id, c.owner_id, c.state FROM screening_items si"
            " JOIN cases c ON c.id = si.case_id"
            " WHERE si.created_at >= ? AND si.created_at < ?", (ts(first), ts(last)))

    def talks(self, first: datetime, last: datetime) -> Iterator[sqlite3.Row]:
        """Talk slots held (not cancelled, begun) in [first, last), with their bookings'
        attendance as marked."""
        return self.c.execute(
            "SELECT s.id, s.host_id, s.kind,"
            " (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id AND b.state = 'booked')"
            "   AS booked,"
            " (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id"
            "  AND b.attendance = 'attended') AS attended,"
            " (SELECT COUNT(*) FROM bookings b WHERE b.slot_id = s.id"
            "  AND b.attendance = 'no_show') AS no_show"
            " FROM talk_slots s WHERE s.state = 'open' AND s.starts_at >= ? AND s.starts_at < ?",
            (ts(first), ts(last)))

    def overdue_cases(self, until: datetime) -> int:
        return self.c.execute(
            "SELECT COUNT(DISTINCT d.case_id) FROM case_deadlines d JOIN cases c"
            " ON c.id = d.case_id WHERE d.met_at IS NULL AND d.due_at < ?"
            " AND d.kind <> 'classify' AND c.state IN ('new', 'accepted')",
            (ts(until),)).fetchone()[0]

    def transfers(self, first: datetime, last: datetime) -> Iterator[sqlite3.Row]:
        """Internal hand-overs (转交) in [first, last): the case, its unit, who handed it to
        whom, when and why. Read once a year (the annual report): it scans the events."""
        return self.c.execute(
            "SELECT c.number, un.name AS unit, e.at, e.text AS reason, "
            + NAME.format(u="fu", id="e.actor_id") + " AS by_name,"
            " (SELECT " + NAME.format(u="tu", id="o.owner_id") + " FROM case_owners o"
            "  LEFT JOIN users tu ON tu.telegram_id = o.owner_id"
            "  WHERE o.case_id = e.case_id AND o.assigned_at = e.at ORDER BY o.id DESC LIMIT 1)"
            "   AS to_name"
            " FROM case_events e JOIN cases c ON c.id = e.case_id"
            " LEFT JOIN units un ON un.id = c.unit_id"
            " LEFT JOIN users fu ON fu.telegram_id = e.actor_id"
            " WHERE e.kind = 'transfer' AND e.at >= ? AND e.at < ? ORDER BY e.at, e.id",
            (ts(first), ts(last)))
