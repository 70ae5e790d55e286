"""Build the Application: the one place where every handler is registered, in order."""

from __future__ import annotations

from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot.context import MinqingContext
from bot.settings import Settings
from handlers import admin, buttons, citizen, common, desk, ledger, talks

PRE_GROUP = -1  # who is asking, and which chats are served, before anything else


def build_application(
    settings: Settings,
    token: str,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> Application:
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .context_types(ContextTypes(context=MinqingContext))
        .defaults(Defaults(tzinfo=settings.tz))
        # Minqing fetches updates itself so that they are stored before Telegram forgets them.
        .updater(None)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(updates_request or request)
    else:
        proxy = settings.telegram_proxy
        builder = builder.request(HTTPXRequest(connection_pool_size=32, proxy=proxy))
        builder = builder.get_updates_request(HTTPXRequest(read_timeout=40, proxy=proxy))
    app = builder.build()
    register_handlers(app, settings)
    return app


def register_handlers(app: Application, settings: Settings) -> None:
    app.add_handlers(common.pre_handlers(), group=PRE_GROUP)
    # Plain messages first: their filters exclude commands, so a plain message (most updates)
    # is not tried against every command (~48 filter checks) before it finds its handler. Then
    # commands, then buttons (one handler per journey); unknown commands last.
    app.add_handlers(
        [
            *desk.staff_chat_handlers(settings.staff_chat_id),
            *citizen.message_handlers(),
            *common.handlers(),
            *citizen.handlers(),
            *desk.handlers(),
            *ledger.handlers(),
            *admin.handlers(),
            *talks.handlers(),
            *buttons.handlers(),
            *common.fallback_handlers(),
        ]
    )
    app.add_error_handler(common.on_error)
