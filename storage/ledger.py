"""The ledger's (台帐) rows, streamed: each method returns a cursor that the writer consumes
row by row, so an export's memory never grows with the period. Every query starts from an
index over the period (cases_created, talk_slots_start, announcements_created, the rounds' day,
assigned matters by id) and reaches the rest by primary keys."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime

from storage.times import ts

# A person as the ledger names them: the real name they gave, else their Telegram name.
NAME = "COALESCE(NULLIF({u}.real_name, ''), NULLIF({u}.display_name, ''), {id})"
# Staff see the cases they own or owned (首问负责 and every hand-over after it).
_OWNED = ("(c.owner_id = :owner OR EXISTS (SELECT 1 FROM case_owners o"
          " WHERE o.case_id = c.id AND o.owner_id = :owner))")


class Ledger:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.c = conn

    def count_cases(self, first: datetime, last: datetime, owner: int | None = None) -> int:
        where = " AND " + _OWNED if owner is not None else ""
        return self.c.execute(
            f"SELECT COUNT(*) FROM cases c WHERE c.created_at >= :first AND c.created_at < :last"
            f"{where}", {"first": ts(first), "last": ts(last), "owner": owner}).fetchone()[0]

    def cases(self, first: datetime, last: datetime, owner: int | None = None
              ) -> Iterator[sqlite3.Row]:
        """One row per case received in [first, last), oldest first, with its owner chain,
        deadlines, unit and screening round."""
        where = " AND " + _OWNED if owner is not None else ""
        return self.c.execute(
            "SELECT c.id, c.number, c.channel, c.kind, c.category, c.created_at, c.state,"
            " c.anonymous, COALESCE(NULLIF(c.real_name, ''), c.citizen_name) AS citizen,"
            " c.citizen_phone, c.text, un.name AS unit,"
            " (SELECT group_concat(name, ' → ') FROM (SELECT "
            + NAME.format(u="ou", id="o.owner_id") + " AS name FROM case_owners o"
            " LEFT JOIN users ou ON ou.telegram_id = o.owner_id"
            " WHERE o.case_id = c.id AND o.owner_id IS NOT NULL ORDER BY o.id)) AS owners,"
            " a.due_at AS accept_due, a.met_at AS accept_met,"
            " h.due_at AS handle_due, h.met_at AS handle_met, h.extended_days,"
            " r.day AS round_day, COALESCE(si.guarantor_name, "
            + NAME.format(u="gu", id="si.guarantor_id") + ") AS guarantor,"
            " si.guarantor_phone"
            " FROM cases c"
            " LEFT JOIN units un ON un.id = c.unit_id"
            " LEFT JOIN case_deadlines a ON a.case_id = c.id AND a.kind = 'accept'"
            " LEFT JOIN case_deadlines h ON h.case_id = c.id AND h.kind = 'handle'"
            " LEFT JOIN screening_items si ON si.case_id = c.id"
            " LEFT JOIN screening_rounds r ON r.id = si.round_id"
            " LEFT JOIN users gu ON gu.telegram_id = si.guarantor_id"
            " WHERE c.created_at >= :first AND c.created_at < :last" + where
            + " ORDER BY c.created_at, c.id",
            {"first": ts(first), "last": ts(last), "owner": owner})

    def talks(self, first: datetime, last: datetime, host: int | None = None
              ) -> Iterator[sqlite3.Row]:
        """One row per booking of each slot starting in [first, last) (a slot nobody booked
        has one row of its own)."""
        where = " AND s.host_id = :host" if host is not None else ""
        return self.c.execute(
            "SELECT s.id, s.kind, s.starts_at, s.ends_at, s.place, s.capacity, s.state, s.topic,"
            " " + NAME.format(u="hu", id="s.host_id") + " AS host,"
            " " + NAME.format(u="cu", id="b.citizen_id") + " AS citizen,"
            " b.topic AS booking_topic, b.state AS booking_state, b.attendance, b.outcome"
            " FROM talk_slots s"
            " LEFT JOIN users hu ON hu.telegram_id = s.host_id"
            " LEFT JOIN bookings b ON b.slot_id = s.id"
            " LEFT JOIN users cu ON cu.telegram_id = b.citizen_id"
            " WHERE s.starts_at >= :first AND s.starts_at < :last" + where
            + " ORDER BY s.starts_at, s.id, b.id",
            {"first": ts(first), "last": ts(last), "host": host})

    def rounds(self, first: str, last: str, owner: int | None = None) -> Iterator[sqlite3.Row]:
        """One row per unit prompted in each round of the days [first, last] (local dates),
        with each item it reported (staff: only the items whose case they own or owned)."""
        where = (" AND (c.id IS NULL OR " + _OWNED + ")") if owner is not None else ""
        return self.c.execute(
            "SELECT r.day, r.cadence, un.name AS unit, sa.state AS answer, sa.answered_at,"
            " c.number, c.state AS case_state, si.parties, si.people, si.demand, si.risk_level,"
            " COALESCE(si.guarantor_name, " + NAME.format(u="gu", id="si.guarantor_id")
            + ") AS guarantor, si.guarantor_phone, h.due_at AS target, h.met_at AS settled"
            " FROM screening_rounds r"
            " JOIN (SELECT DISTINCT round_id, unit_id FROM screening_prompts) p"
            "   ON p.round_id = r.id"
            " JOIN units un ON un.id = p.unit_id"
            " LEFT JOIN screening_answers sa ON sa.round_id = r.id AND sa.unit_id = p.unit_id"
            " LEFT JOIN screening_items si ON si.round_id = r.id AND si.unit_id = p.unit_id"
            " LEFT JOIN cases c ON c.id = si.case_id"
            " LEFT JOIN case_deadlines h ON h.case_id = c.id AND h.kind = 'handle'"
            " LEFT JOIN users gu ON gu.telegram_id = si.guarantor_id"
            " WHERE r.day >= :first AND r.day <= :last" + where
            + " ORDER BY r.day, un.name, c.id",
            {"first": first, "last": last, "owner": owner})

    def matters(self, first: datetime, last: datetime, owner: int | None = None
                ) -> Iterator[sqlite3.Row]:
        where = " AND m.owner_id = :owner" if owner is not None else ""
        return self.c.execute(
            "SELECT m.id, m.source, m.doc_number, m.content, m.created_at, m.due_at, m.state,"
            " m.result, m.reported_at, m.overdue_at, c.number AS case_number,"
            " " + NAME.format(u="ou", id="m.owner_id") + " AS owner"
            " FROM assigned_matters m"
            " LEFT JOIN users ou ON ou.telegram_id = m.owner_id"
            " LEFT JOIN cases c ON c.id = m.case_id"
            " WHERE m.created_at >= :first AND m.created_at < :last" + where
            + " ORDER BY m.created_at, m.id",
            {"first": ts(first), "last": ts(last), "owner": owner})

    def announcements(self, first: datetime, last: datetime) -> Iterator[sqlite3.Row]:
        return self.c.execute(
            "SELECT a.id, a.kind, a.title, a.created_at, a.state, a.event_at, a.place,"
            " a.sent_at, a.queued, " + NAME.format(u="cu", id="a.created_by") + " AS creator,"
            " (SELECT COUNT(*) FROM outbox WHERE broadcast_id = a.id AND state = 'sent') AS sent,"
            " (SELECT COUNT(*) FROM outbox WHERE broadcast_id = a.id AND state = 'blocked')"
            "   AS blocked,"
            " (SELECT COUNT(*) FROM outbox WHERE broadcast_id = a.id AND state = 'failed')"
            "   AS failed"
            " FROM announcements a"
            " LEFT JOIN users cu ON cu.telegram_id = a.created_by"
            " WHERE a.created_at >= :first AND a.created_at < :last ORDER BY a.created_at, a.id",
            {"first": ts(first), "last": ts(last)})
