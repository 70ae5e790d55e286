"""Admin: invitations, people with roles, revocation, updates set aside."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.context import MinqingContext
from bot.core.rules import ascii_number
from bot.services import people, screening, units
from bot.texts import Term
from handlers.base import PRIVATE, answer, guarded, view_command


@guarded
async def invite(update: Update, context: MinqingContext) -> None:
    """/invite staff|leader|liaison|admin: a one-time deep link, valid 72 hours."""
    if not context.args:
        await answer(update, context, "err_usage", usage=Term("usage_invite"))
        return
    await context.request.run_as(people.send_invite, context.args[0].lower(), context.bot.username
    )


@guarded
async def revoke(update: Update, context: MinqingContext) -> None:
    """/revoke <telegram id>: back to citizen; their open cases return to the queue."""
    target = ascii_number(context.args[0]) if context.args else None
    if target is None:
        await answer(update, context, "err_usage", usage=Term("usage_revoke"))
        return
    await context.request.run_as(people.revoke_by_admin, target)


@guarded
async def sensitive(update: Update, context: MinqingContext) -> None:
    """Sensitive periods: /sensitive · /sensitive add FIRST LAST reason · /sensitive end P1."""
    args = context.args or []
    if not args:
        await context.request.show(screening.list_periods)
    elif args[0] == "add" and len(args) >= 4:
        await context.request.run_as(screening.add_period, args[1], args[2],
                                     " ".join(args[3:]))
    elif args[0] == "end" and len(args) == 2:
        await context.request.run_as(screening.end_period, args[1])
    else:
        await answer(update, context, "err_usage", usage=Term("usage_sensitive"))


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("invite", invite, filters=PRIVATE),
        CommandHandler("users", view_command(people.show_users, "People with roles."),
                       filters=PRIVATE),
        CommandHandler("revoke", revoke, filters=PRIVATE),
        CommandHandler("units", view_command(units.list_units, "The subordinate units."),
                       filters=PRIVATE),
        CommandHandler("sensitive", sensitive, filters=PRIVATE),
        CommandHandler("failed", view_command(people.show_failed, "Updates set aside."),
                       filters=PRIVATE),
    ]
