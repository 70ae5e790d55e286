"""Every update: who is asking; /start, /help, /lang, /cancel; unknown commands; errors."""

from __future__ import annotations

import logging

from telegram import Chat, ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import MinqingContext
from bot.faults import signature
from bot.services import front, people
from bot.services import staff_chat as staff_chat_service
from bot.services.unit import UpdateAlreadyHandled, Who
from bot.settings import LANGUAGES
from bot.texts import t
from handlers.base import PRIVATE, answer, guarded, lang_of, service_command

log = logging.getLogger(__name__)


async def load_actor(update: Update, context: MinqingContext) -> None:
    """Record who is asking; leave any group that is not the staff chat (the bot may have been
    added to it), and stop its updates there."""
    chat = update.effective_chat
    if chat is not None and chat.type != Chat.PRIVATE:
        await _staff_chat_news(update, context, chat.id)
        if chat.id != context.request.settings.staff_chat_id:
            await _leave(context, chat.id)
            raise ApplicationHandlerStop
    user = update.effective_user
    if user is None or user.is_bot:
        raise ApplicationHandlerStop
    # Recorded and loaded by the handler's own transaction (one hop per update).
    context.request.who = Who(telegram_id=user.id, name=user.full_name, username=user.username)


async def _staff_chat_news(update: Update, context: MinqingContext, chat_id: int) -> None:
    """The staff group became a supergroup (Telegram says so in both the old group and the
    new), or the bot was removed from it or added back."""
    request = context.request
    staff_chat = request.settings.staff_chat_id
    message = update.effective_message
    if message is not None and staff_chat is not None:
        if message.migrate_to_chat_id and chat_id == staff_chat:
            await request.staff_chat_moved(chat_id, message.migrate_to_chat_id)
            raise ApplicationHandlerStop
        if message.migrate_from_chat_id and message.migrate_from_chat_id == staff_chat:
            await request.staff_chat_moved(staff_chat, chat_id)
            raise ApplicationHandlerStop
    member = update.my_chat_member
    if member is not None and chat_id == staff_chat:
        status = member.new_chat_member.status
        if status in (ChatMember.LEFT, ChatMember.BANNED):
            why = t(request.settings.default_language, "why_removed")
            await request.note(staff_chat_service.lost, chat_id, why)
        elif status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR):
            await request.note(staff_chat_service.back, chat_id)
        raise ApplicationHandlerStop


async def _leave(context: MinqingContext, chat_id: int) -> None:
    log.warning("leaving chat %s: it is not the staff chat", chat_id)
    try:
        await context.bot.leave_chat(chat_id)
    except TelegramError as exc:
        log.warning("could not leave chat %s: %s", chat_id, exc)


@guarded
async def start(update: Update, context: MinqingContext) -> None:
    """Greet, show the contact card and the menu; a deep-link token grants an invited role."""
    token = context.args[0] if context.args else None
    await context.request.run_as(front.welcome, token)


@guarded
async def lang(update: Update, context: MinqingContext) -> None:
    """Switch between Chinese and English; remembered."""
    if context.args and context.args[0] in LANGUAGES:
        await context.request.run_as(people.set_language, context.args[0])
        return
    await context.request.run_as(front.choose_language)


async def unknown_command(update: Update, context: MinqingContext) -> None:
    """Answer a command nobody handles."""
    log.info("update %s: unknown command", update.update_id)
    await answer(update, context, "unknown_command")


async def on_error(update: object, context: MinqingContext) -> None:
    """Log the update id, note the failure for the inbox, and tell the user once."""
    update_id = getattr(update, "update_id", None)
    mark = context.request.mark
    if isinstance(context.error, UpdateAlreadyHandled):
        log.info("update %s is a repeat of one handled before; nothing changed", update_id)
        if mark is not None:
            mark.done = True
        return
    error = signature(context.error) if context.error else "unknown"
    # The signature names the failure without anyone's words; the traceback (whose message
    # may quote them) only at DEBUG.
    log.error("update %s failed: %s", update_id, error)
    log.debug("update %s", update_id, exc_info=context.error)
    if mark is not None:
        mark.error = error
        if not mark.final and not mark.done:
            return  # it will be tried again; tell the user only when it is set aside
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(
                chat_id=update.effective_chat.id, text=t(await lang_of(context), "err_generic")
            )
        except (TelegramError, OSError, RuntimeError):
            log.warning("could not tell chat %s about the failure", update.effective_chat.id)


async def chat_status(update: Update, context: MinqingContext) -> None:
    """A citizen blocked the bot, or unblocked it: Telegram tells us in their private chat."""
    member = update.my_chat_member
    assert member is not None
    blocked = member.new_chat_member.status == ChatMember.BANNED
    await context.request.run_as(people.chat_status, blocked)


def pre_handlers() -> list[BaseHandler]:
    return [TypeHandler(Update, load_actor)]


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("start", start, filters=PRIVATE),
        CommandHandler("help", service_command(front.help_text, "The asker's commands."),
                       filters=PRIVATE),
        CommandHandler("lang", lang, filters=PRIVATE),
        CommandHandler("cancel", service_command(front.cancel, "Leave the dialogue."),
                       filters=PRIVATE),
        ChatMemberHandler(chat_status, ChatMemberHandler.MY_CHAT_MEMBER),
    ]


def fallback_handlers() -> list[BaseHandler]:
    return [MessageHandler(PRIVATE & filters.COMMAND, unknown_command)]
