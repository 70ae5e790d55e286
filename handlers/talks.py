"""Talks and the duty roster: booking for citizens; slots, attendance, calendar and roster for
staff and admins. Commands take their arguments on one line."""

from __future__ import annotations

from collections.abc import Callable

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import MinqingContext
from bot.core.rules import MAX_SEATS, ascii_number, parse_ref
from bot.services import duty, talks
from bot.texts import Term
from handlers.base import PRIVATE, Handler, answer, guarded, service_command, view_command

MAX_ROTATION = 50  # leaders in one rotation


def _split_topic(words: list[str]) -> tuple[str, str]:
    text = " ".join(words)
    place, _, topic = text.partition("|")
    return place.strip(), topic.strip()


async def _usage(update: Update, context: MinqingContext, name: str) -> None:
    await answer(update, context, "err_usage", usage=Term(f"usage_{name}"))


def _slot_command(service: Callable[..., object], usage: str, doc: str) -> Handler:
    """/slot and /series: kind, day or rule, hours, seats, host, place | topic."""

    @guarded
    async def command(update: Update, context: MinqingContext) -> None:
        args = context.args or []
        seats = ascii_number(args[3], high=MAX_SEATS) if len(args) >= 6 else None
        host = ascii_number(args[4]) if len(args) >= 6 else None
        if seats is None or host is None:
            await _usage(update, context, usage)
            return
        place, topic = _split_topic(args[5:])
        await context.request.run_as(service, args[0], args[1],
                                              args[2], seats, host, place, topic)

    command.__doc__ = doc
    command.__name__ = getattr(service, "__name__", "command")
    return command


new_slot = _slot_command(talks.create_slot, "slot", "Create one talk slot.")
new_series = _slot_command(talks.create_series, "series",
                           "Create recurring talks, generated weeks ahead.")


@guarded
async def cancel_slot(update: Update, context: MinqingContext) -> None:
    """Cancel a slot; everyone booked is told."""
    args = context.args or []
    if len(args) < 2:
        await _usage(update, context, "slot_cancel")
        return
    await context.request.run_as(talks.cancel_slot,
                                          parse_ref(args[0], "slot"), " ".join(args[1:]))


@guarded
async def move_slot(update: Update, context: MinqingContext) -> None:
    """Move a slot; everyone booked keeps the seat and is told."""
    args = context.args or []
    if len(args) != 3:
        await _usage(update, context, "slot_move")
        return
    await context.request.run_as(talks.move_slot,
                                          parse_ref(args[0], "slot"), args[1], args[2])


@guarded
async def attendance(update: Update, context: MinqingContext) -> None:
    """The attendees of a slot, with buttons to mark who came."""
    args = context.args or []
    if len(args) != 1:
        await _usage(update, context, "attendance")
        return
    await context.request.run_as(talks.attendance_list,
                                          parse_ref(args[0], "slot"))


@guarded
async def outcome(update: Update, context: MinqingContext) -> None:
    """Record a talk's outcome; with `case` it opens a case linked to the booking."""
    args = context.args or []
    if len(args) < 2:
        await _usage(update, context, "outcome")
        return
    booking_id = parse_ref(args[0], "booking")
    open_case = args[1].lower() == "case"
    text = " ".join(args[2:] if open_case else args[1:])
    if not text:
        await _usage(update, context, "outcome")
        return
    await context.request.run_as(talks.record_outcome, booking_id,
                                          text, open_case)


@guarded
async def holiday(update: Update, context: MinqingContext) -> None:
    """Mark a public holiday, or remove a day from the calendar."""
    args = context.args or []
    if len(args) >= 2 and args[0] == "remove":
        await context.request.run_as(duty.remove_day, args[1])
        return
    if not args:
        await _usage(update, context, "holiday")
        return
    await context.request.run_as(duty.set_day, "holiday", args[0],
                                          " ".join(args[1:]))


@guarded
async def workday(update: Update, context: MinqingContext) -> None:
    """Mark an extra working day (调休)."""
    args = context.args or []
    if not args:
        await _usage(update, context, "workday")
        return
    await context.request.run_as(duty.set_day, "workday", args[0],
                                          " ".join(args[1:]))


@guarded
async def rotation(update: Update, context: MinqingContext) -> None:
    """Leaders take turns on duty by week or by working day."""
    args = context.args or []
    ids = [ascii_number(i) for i in args[1].split(",")] if len(args) >= 3 else []
    if len(args) < 3 or not ids or len(ids) > MAX_ROTATION or None in ids:
        await _usage(update, context, "rotation")
        return
    await context.request.run_as(duty.set_rotation, args[0],
                                          [i for i in ids if i is not None], args[2],
                                          " ".join(args[3:]))


@guarded
async def duty_set(update: Update, context: MinqingContext) -> None:
    """Put one leader on duty on one day, with a reason."""
    args = context.args or []
    leader = ascii_number(args[1]) if len(args) >= 3 else None
    if leader is None:
        await _usage(update, context, "duty_set")
        return
    await context.request.run_as(duty.override, args[0], leader,
                                          " ".join(args[2:]))


@guarded
async def duty_swap(update: Update, context: MinqingContext) -> None:
    """Swap the leaders of two duty days, with a reason."""
    args = context.args or []
    if len(args) < 3:
        await _usage(update, context, "duty_swap")
        return
    await context.request.run_as(duty.swap, args[0], args[1],
                                          " ".join(args[2:]))


def handlers() -> list[BaseHandler]:
    table = {
        "talks": view_command(talks.list_talks, "Upcoming talks; book or join a waitlist."),
        "mybookings": view_command(talks.my_bookings, "Own bookings: cancel or move."),
        "duty": view_command(duty.show, "Today's duty leader and the reception days."),
        "holidays": service_command(duty.list_days, "The holiday calendar."),
        "slot": new_slot, "series": new_series, "slot_cancel": cancel_slot,
        "slot_move": move_slot, "attendance": attendance, "outcome": outcome,
        "holiday": holiday, "workday": workday, "rotation": rotation, "duty_set": duty_set,
        "duty_swap": duty_swap,
    }
    return [CommandHandler(name, callback, filters=PRIVATE) for name, callback in table.items()]
