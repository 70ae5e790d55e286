"""The typed context: handlers reach the services and the person asking without string lookups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram.ext import Application, CallbackContext, ExtBot

from bot.services.unit import Who

if TYPE_CHECKING:
    from bot.runtime import Minqing


class MinqingContext(CallbackContext[ExtBot, dict, dict, dict]):
    def __init__(
        self, application: Application, chat_id: int | None = None, user_id: int | None = None
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.who: Who | None = None

    @property
    def minqing(self) -> Minqing:
        return self.application.bot_data["minqing"]

    @property
    def asker(self) -> Who:
        """The person behind the update (their row is loaded by the first service call)."""
        if self.who is None:
            raise RuntimeError("no person behind this update")
        return self.who
