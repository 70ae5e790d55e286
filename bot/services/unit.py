"""A unit of work: one transaction, the moment it happens at, and what it says to whom.

Services are plain functions over a `Unit`, run whole on the database thread by `Services.run`
(one hop per update). What they say (`bot.core.said`) is rendered and queued in the outbox in
the same transaction, by the renderer the runtime hands in; services never build payloads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, TypeVar

from bot.clock import Clock
from bot.core.rules import RuleError
from bot.core.said import Keyboard, Renderer, Said, Tell
from bot.settings import Settings
from bot.texts import Moment, Term, t, words
from storage.db import Database, InboxMark, UpdateAlreadyHandled
from storage.models import Dialogue, User
from storage.repos import Tx

__all__ = ["InboxMark", "Request", "Services", "Unit", "UpdateAlreadyHandled", "Who"]
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
    renderer: Renderer | None = None  # None: a read, which says nothing
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

    def words(self, user: User | None, term: Term) -> str:
        """A text parameter (`bot.texts.Term`) in the person's language."""
        return words(self.lang(user), term)

    def tell(self, *said: Said) -> None:
        """Queue what is said, in this transaction."""
        if self.renderer is None:
            raise RuntimeError("a read says nothing")
        for item in said:
            self.renderer.deliver(self.tx, item, self.now)

    def say(self, user: User, key: str, buttons: Keyboard | None = None,
            **params: object) -> None:
        """Queue a text from the catalogue to a person, in their language."""
        self.tell(Tell(user.telegram_id, self.lang(user), key, params, buttons))

    def show(self, viewer: User, view: object) -> None:
        """Queue a view's data to the person who asked for it, rendered for them."""
        assert self.renderer is not None
        self.tell(*self.renderer.present(view, self.lang(viewer)))

    def say_to(self, user_id: int, key: str, buttons: Keyboard | None = None,
               **params: object) -> None:
        user = self.tx.users.get(user_id) or User(telegram_id=user_id)
        self.say(user, key, buttons, **params)

    def refuse(self, user: User, error: RuleError) -> None:
        self.say(user, error.key, **error.params)

    def typed(self, user: User, text: str, limit: int, too_long: str,
              *, collapse: bool = False) -> str | None:
        """A dialogue's typed answer, or None after saying why it is refused (empty, or over
        `limit` characters: the `too_long` text); the dialogue waits for another."""
        words = " ".join(text.split()) if collapse else text.strip()
        if not words:
            self.say(user, "err_need_text")
            return None
        if len(words) > limit:
            self.say(user, too_long, max=limit, length=len(words))
            return None
        return words

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

    def __init__(self, db: Database, clock: Clock, settings: Settings,
                 renderer: Renderer) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.renderer = renderer
        # Set by the runtime: follow the staff group to its new id (it patches the handlers).
        self.on_staff_chat_moved: Callable[[int, int], Awaitable[None]] | None = None

    async def run(
        self, work: Callable[Concatenate[Unit, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Run `work` in a transaction of its own (no update's inbox row rides along)."""
        now = self.clock.now()
        return await self.db.write(
            lambda tx: work(Unit(tx, now, self.settings, self.renderer), *args, **kwargs))

    async def run_as(
        self,
        who: Who,
        work: Callable[Concatenate[Unit, User, P], R],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        return await self.request(who, None).run_as(work, *args, **kwargs)

    def request(self, who: Who | None, mark: InboxMark | None) -> Request:
        return Request(self, who, mark)

    async def read(
        self, work: Callable[Concatenate[Unit, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        now = self.clock.now()
        return await self.db.read(lambda tx: work(Unit(tx, now, self.settings), *args, **kwargs))


@dataclass
class Request:
    """One update's way into the services: who is asking, and the inbox row (`mark`) that the
    first transaction of its effect completes. The inbox hands it to the handlers with the
    update; handlers reach the office only through it."""

    services: Services
    who: Who | None
    mark: InboxMark | None

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def asker(self) -> Who:
        if self.who is None:
            raise RuntimeError("no person behind this update")
        return self.who

    async def run_as(
        self, work: Callable[Concatenate[Unit, User, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Run `work` for the person asking: their row is recorded (profile kept current) and
        loaded in the same transaction as the effect and the inbox row's done mark, so one
        update costs one hop."""
        who = self.asker
        services = self.services
        now = services.clock.now()

        def transaction(tx: Tx) -> R:
            unit = Unit(tx, now, services.settings, services.renderer)
            who.user = tx.users.seen(who.telegram_id, who.name[:128], who.username, now)
            return work(unit, who.user, *args, **kwargs)

        return await services.db.write(transaction, completes=self.mark)

    async def run(
        self, work: Callable[Concatenate[Unit, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Run `work` as the update's effect, with nobody in particular asking."""
        services = self.services
        now = services.clock.now()
        return await services.db.write(
            lambda tx: work(Unit(tx, now, services.settings, services.renderer), *args,
                            **kwargs),
            completes=self.mark)

    async def show(
        self, view: Callable[Concatenate[Unit, User, P], object], *args: P.args,
        **kwargs: P.kwargs
    ) -> None:
        """A read-only view for the person asking: its data read on a read connection (never
        holding the writer), rendered for them, then queued with their row's update and the
        inbox row's done mark in one short write."""
        who = self.asker
        services = self.services
        now = services.clock.now()

        def look(tx: Tx) -> object:
            viewer = tx.users.get(who.telegram_id) or User(telegram_id=who.telegram_id)
            return view(Unit(tx, now, services.settings), viewer, *args, **kwargs)

        data = await services.db.read(look)

        def queue(tx: Tx) -> None:
            unit = Unit(tx, now, services.settings, services.renderer)
            who.user = tx.users.seen(who.telegram_id, who.name[:128], who.username, now)
            unit.show(who.user, data)

        await services.db.write(queue, completes=self.mark)

    async def note(
        self, work: Callable[Concatenate[Unit, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Bookkeeping before the update's real effect: it does not complete the row."""
        return await self.services.run(work, *args, **kwargs)

    async def language(self) -> str:
        """The asker's language: from the row a service loaded, else looked up (bad-input
        paths, which change nothing)."""
        default = self.settings.default_language
        who = self.who
        if who is None:
            return default
        user = who.user
        if user is None:
            user = await self.services.db.read(lambda tx: tx.users.get(who.telegram_id))
        return (user.language if user is not None else None) or default

    async def staff_chat_moved(self, old: int, new: int) -> None:
        if self.services.on_staff_chat_moved is not None:
            await self.services.on_staff_chat_moved(old, new)
