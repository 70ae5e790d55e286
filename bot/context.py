"""The typed context: handlers reach the services through the update's `Request` (who is asking,
and the inbox row its effect completes), never the runtime or the database."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.services.unit import Request, Services, Who

SERVICES = "services"  # bot_data keys, set once by the runtime
MARKS = "inbox_marks"  # update id -> its InboxMark while the inbox hands it to the handlers


class MinqingContext(CallbackContext[ExtBot, dict, dict, dict]):
    def __init__(
        self, application: Application, chat_id: int | None = None, user_id: int | None = None
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        services: Services = application.bot_data[SERVICES]
        self.request: Request = services.request(None, None)

    @classmethod
    def from_update(cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
                    ) -> MinqingContext:
        context = super().from_update(update, application)
        if isinstance(update, Update):
            context.request.mark = application.bot_data.get(MARKS, {}).get(update.update_id)
        return context  # type: ignore[return-value]

    @property
    def asker(self) -> Who:
        """The person behind the update (their row is loaded by the first service call)."""
        return self.request.asker
