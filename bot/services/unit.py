"""A unit of work: one transaction, the moment it happens at, and what it says to whom.

Services are plain functions over a `Unit`, run whole on the database thread by `Services.run`
(one hop per update). Whatever they say is queued in the outbox in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, TypeVar

from bot import render
from bot.clock import Clock
from bot.core.rules import RuleError
from bot.settings import Settings
from bot.texts import Moment, t
from storage.db import Database
from storage.models import Dialogue, Outgoing, User
from storage.repos import Tx

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Who:
    """The person behind an update, as Telegram describes them; `user` is their row once a
    service has loaded it."""

    telegram_id: int
    name: str
    username: str | None = None
    user: User | None = None


@dataclass
class Unit:
    tx: Tx
    now: datetime
    settings: Settings
    notes: dict[str, Any] = field(default_factory=dict)

    def moment(self, at: datetime | None) -> Moment:
        """A moment as a text parameter: written in the reader's language, in the office's
        zone (2026年12月5日（周六）14:30 · Sat 5 Dec 2026, 14:30)."""
        return Moment(at, self.settings.tz)

    def lang(self, user: User | None) -> str:
        if user is not None and user.language:
            return user.language
        return self.settings.default_language

    def text(self, user: User | None, key: str, **params: object) -> str:
        return t(self.lang(user), key, **params)

    def send(self, messages: Sequence[Outgoing]) -> None:
        for message in messages:
            self.tx.outbox.add(message, self.now)

    def say(
        self,
        user: User,
        key: str,
        buttons: Sequence[Sequence[render.Button]] | None = None,
        **params: object,
    ) -> None:
        """Queue a text from the catalogue to a person, in their language."""
        self.send(render.text(user.telegram_id, t(self.lang(user), key, **params), buttons))

    def say_to(self, user_id: int, key: str, **params: object) -> None:
        user = self.tx.users.get(user_id) or User(telegram_id=user_id)
        self.say(user, key, **params)

    def refuse(self, user: User, error: RuleError) -> None:
        self.say(user, error.key, **error.params)

    def dialogue(self, user: User, name: str, *steps: str) -> Dialogue:
        """The person's dialogue `name`, at one of `steps` (at any step if none are given); a
        button from another dialogue or an earlier step is stale."""
        dialogue = self.tx.dialogues.get(user.telegram_id)
        if dialogue is None or dialogue.name != name or (steps and dialogue.step not in steps):
            raise RuleError("err_stale_button")
        return dialogue

    def advance(self, dialogue: Dialogue, step: str | None = None, **data: object) -> Dialogue:
        """Store the dialogue at `step` (the same step if None) with `data` merged into it."""
        update: dict[str, object] = {"data": {**dialogue.data, **data}}
        if step is not None:
            update["step"] = step
        advanced = dialogue.model_copy(update=update)
        self.tx.dialogues.put(advanced, self.now)
        return advanced


class Services:
    """Runs service functions in one transaction each, with the clock and the settings."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings

    async def run(
        self, work: Callable[Concatenate[Unit, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        now = self.clock.now()
        return await self.db.write(lambda tx: work(Unit(tx, now, self.settings), *args, **kwargs))

    async def run_as(
        self,
        who: Who,
        work: Callable[Concatenate[Unit, User, P], R],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """Run `work` for the person asking: their row is recorded (profile kept current) and
        loaded in the same transaction, so one update costs one hop."""
        now = self.clock.now()

        def transaction(tx: Tx) -> R:
            unit = Unit(tx, now, self.settings)
            who.user = tx.users.seen(who.telegram_id, who.name[:128], who.username, now)
            return work(unit, who.user, *args, **kwargs)

        return await self.db.write(transaction)

    async def run_preamble(
        self, work: Callable[Concatenate[Unit, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Like `run`, for bookkeeping before the update's real effect (it does not complete
        the inbox update)."""
        now = self.clock.now()
        return await self.db.write(
            lambda tx: work(Unit(tx, now, self.settings), *args, **kwargs),
            completes_update=False,
        )

    async def read(
        self, work: Callable[Concatenate[Unit, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        now = self.clock.now()
        return await self.db.read(lambda tx: work(Unit(tx, now, self.settings), *args, **kwargs))
