"""People and roles: who someone is, what they may do, invitations and revocations."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date

from bot.clock import when, when_day
from bot.core.presses import press
from bot.core.rules import RuleError
from bot.core.said import Membership, SetCommands
from bot.services import desk, duty
from bot.services.delivery import KICK
from bot.services.unit import Unit
from bot.texts import Term
from storage.models import ROLES, Dialogue, InboxItem, TalkSlot, User

INVITE_HOURS = 72
INVITE = "invite"
LEFT_BEHIND_DAYS = 90  # how far ahead a leaving leader's duty days are listed


def seen(unit: Unit, telegram_id: int, display_name: str, username: str | None) -> User:
    return unit.tx.users.seen(telegram_id, display_name[:128], username, unit.now)


def chat_status(unit: Unit, user: User, blocked: bool) -> None:
    """Whether the person's private chat takes the bot's messages (a block is undone by the
    person writing again, too)."""
    if blocked:
        unit.tx.users.mark_blocked(user.telegram_id, unit.now)


def set_language(unit: Unit, user: User, language: str) -> None:
    unit.tx.users.set_language(user.telegram_id, language, unit.now)
    updated = unit.tx.users.get(user.telegram_id)
    assert updated is not None
    unit.say(updated, "lang_set")
    unit.tell(SetCommands(user.telegram_id, updated.role, language))


@dataclass
class RoleChange:
    """What a change of role did: the person before and after, and what they left behind."""

    before: User
    after: User
    returned: list[str] = field(default_factory=list)  # cases back in the queue
    duty_days: list[date] = field(default_factory=list)  # coming duty days now uncovered
    talks: list[TalkSlot] = field(default_factory=list)  # coming talks they were to host


def change_role(unit: Unit, actor_id: int | None, telegram_id: int, role: str) -> RoleChange:
    """The one way a role changes (grant, invite, revoke, ADMIN_IDS): the office's last admin
    keeps the role; someone who no longer works cases hands them back to the queue; a leader
    who leaves the roster leaves their duty days uncovered until an admin reassigns them."""
    if role not in ROLES:
        raise RuleError("err_bad_role", roles=" | ".join(ROLES))
    before = unit.tx.users.get(telegram_id) or User(telegram_id=telegram_id)
    name = desk.display(before) if before.display_name else str(telegram_id)
    if before.role == role:
        raise RuleError("err_already_role", name=name, role=Term(f"role_{role}"))
    if before.role == "admin" and unit.tx.users.count_role("admin") <= 1:
        raise RuleError("err_last_admin", name=name)
    change = RoleChange(before=before, after=before)
    if before.role == "leader":
        # Read before the role goes: afterwards these days no longer count as theirs.
        today = unit.now.astimezone(unit.settings.tz).date()
        change.duty_days = [d for d, who in duty.assigned(unit, today, LEFT_BEHIND_DAYS).items()
                            if who == telegram_id]
        change.talks = unit.tx.talks.hosted_by(telegram_id, unit.now)
    unit.tx.users.set_role(telegram_id, role, unit.now)
    action = "role_revoke" if role == "citizen" else "role_grant"
    unit.tx.audit.append(unit.now, actor_id, action, subject_id=telegram_id,
                         detail=role if role != "citizen" else before.role)
    after = User(**{**before.model_dump(), "role": role})
    change.after = after
    if before.is_staff_side and not after.is_staff_side:
        change.returned = _return_cases(unit, actor_id, before)
        _remove_from_staff_group(unit, telegram_id)
    unit.tell(SetCommands(telegram_id, role, unit.lang(after)))
    return change


def _return_cases(unit: Unit, actor_id: int | None, owner: User) -> list[str]:
    """Their open cases go back to the queue, owned by the office: an accepted case stays
    accepted with its deadline, and the next to claim it takes it as it is."""
    returned: list[str] = []
    for case in unit.tx.cases.open_of_owner(owner.telegram_id):
        unit.tx.cases.update(case.id, unit.now, owner_id=None)
        unit.tx.cases.add_owner(case.id, None, actor_id, "revoked", unit.now)
        unit.tx.cases.add_event(case.id, unit.now, actor_id=actor_id, direction="system",
                                kind="unassigned")
        unit.tx.audit.append(unit.now, actor_id, "case_unassigned", case_id=case.id,
                             subject_id=owner.telegram_id)
        returned.append(case.number)
    if returned:
        for leader in unit.tx.users.with_roles(("leader",)):
            unit.say(leader, "leaders_cases_returned", name=desk.display(owner),
                     numbers=unit.text(leader, "list_sep").join(returned))
    return returned


def _remove_from_staff_group(unit: Unit, telegram_id: int) -> None:
    """Someone who no longer works cases leaves the staff group: banned, then unbanned at once
    so that they can be invited again. Without the right to ban, admins are told to do it by
    hand (bot.services.delivery)."""
    group = desk.staff_group(unit)
    if group is None:
        return
    unit.tell(Membership(group, telegram_id, KICK))


def grant(unit: Unit, actor_id: int | None, telegram_id: int, role: str) -> User:
    return change_role(unit, actor_id, telegram_id, role).after


def bootstrap_admins(unit: Unit, admin_ids: list[int]) -> None:
    """ADMIN_IDS become admins at start, except one an admin took the role from later (that is
    recorded and stands). A database left with no admin at all gets all of them again."""
    nobody = unit.tx.users.count_role("admin") == 0
    for admin_id in admin_ids:
        user = unit.tx.users.get(admin_id)
        if user is not None and user.role == "admin":
            continue
        if not nobody and unit.tx.audit.role_taken_by_someone(admin_id):
            continue
        change_role(unit, None, admin_id, "admin")


def revoke(unit: Unit, actor: User, telegram_id: int) -> RoleChange:
    """Back to citizen. Someone who holds no role is told so, and nothing is recorded."""
    target = unit.tx.users.get(telegram_id)
    if target is None:
        raise RuleError("err_no_such_user", id=telegram_id)
    if target.role == "citizen":
        raise RuleError("err_no_role", name=desk.display(target))
    return change_role(unit, actor.telegram_id, telegram_id, "citizen")


def create_invite(unit: Unit, actor: User, role: str) -> str:
    if role not in ROLES or role == "citizen":
        raise RuleError("err_bad_role", roles=" | ".join(r for r in ROLES if r != "citizen"))
    token = secrets.token_urlsafe(16)
    unit.tx.invites.create(token, role, actor.telegram_id, unit.now, INVITE_HOURS)
    unit.tx.audit.append(unit.now, actor.telegram_id, "invite_create", detail=role)
    return token


def redeem_invite(unit: Unit, user: User, token: str) -> User | None:
    """An invite that would change a role someone already holds asks them first (old → new);
    None while it waits for that answer."""
    invite = unit.tx.invites.get(token)
    if invite is None or invite.used_by is not None or invite.expires_at <= unit.now:
        raise RuleError("err_invite_invalid")
    if user.role == invite.role:
        raise RuleError("err_already_role", name=desk.display(user),
                        role=Term(f"role_{invite.role}"))
    if user.role != "citizen":
        unit.tx.dialogues.put(Dialogue(user_id=user.telegram_id, name=INVITE, step="confirm",
                                       data={"token": token}), unit.now)
        unit.say(user, "invite_confirm",
                 [[(unit.text(user, "btn_invite_yes"), press("iv", 1)),
                   (unit.text(user, "btn_invite_no"), press("iv", 0))]],
                 old=unit.text(user, f"role_{user.role}"),
                 new=unit.text(user, f"role_{invite.role}"))
        return None
    return _use_invite(unit, user, token)


def confirm_invite(unit: Unit, user: User, yes: bool) -> User | None:
    dialogue = unit.dialogue(user, INVITE, "confirm")
    unit.tx.dialogues.clear(user.telegram_id)
    if not yes:
        unit.say(user, "invite_kept", role=unit.text(user, f"role_{user.role}"))
        return None
    changed = _use_invite(unit, user, str(dialogue.data["token"]))
    unit.say(changed, "invite_welcome", role=unit.text(changed, f"role_{changed.role}"))
    return changed


def _use_invite(unit: Unit, user: User, token: str) -> User:
    invite = unit.tx.invites.get(token)
    if invite is None or not unit.tx.invites.use(token, user.telegram_id, unit.now):
        raise RuleError("err_invite_invalid")
    unit.tx.audit.append(
        unit.now, invite.created_by, "invite_used", subject_id=user.telegram_id, detail=invite.role
    )
    change = change_role(unit, invite.created_by, user.telegram_id, invite.role)
    _tell_what_is_left(unit, invite.created_by, change)
    return change.after


def _tell_what_is_left(unit: Unit, admin_id: int | None, change: RoleChange) -> None:
    """The admin behind a change hears what now needs someone else: duty days and talks."""
    if admin_id is None or not (change.duty_days or change.talks):
        return
    admin = unit.tx.users.get(admin_id)
    if admin is None:
        return
    unit.say(admin, "left_behind", name=desk.display(change.before),
             days=_days(unit, admin, change.duty_days), talks=_talks(unit, admin, change.talks))


def _days(unit: Unit, viewer: User, days: list[date]) -> str:
    if not days:
        return unit.text(viewer, "none")
    return unit.text(viewer, "list_sep").join(when_day(unit.lang(viewer), d) for d in days)


def _talks(unit: Unit, viewer: User, slots: list[TalkSlot]) -> str:
    if not slots:
        return unit.text(viewer, "none")
    lang = unit.lang(viewer)
    return unit.text(viewer, "list_sep").join(
        unit.text(viewer, "slot_ref", id=s.id) + " " + when(lang, s.starts_at, unit.settings.tz)
        for s in slots)


def people_with_roles(unit: Unit) -> list[User]:
    return unit.tx.users.with_roles(tuple(r for r in ROLES if r != "citizen"))


def _admin_only(user: User) -> None:
    if user.role != "admin":
        raise RuleError("err_admin_only")


def send_invite(unit: Unit, actor: User, role: str, bot_username: str) -> str:
    _admin_only(actor)
    token = create_invite(unit, actor, role)
    link = f"https://t.me/{bot_username}?start={token}"
    unit.say(actor, "invite_link", role=unit.text(actor, f"role_{role}"), hours=INVITE_HOURS,
             link=link)
    return link


@dataclass(frozen=True)
class Users:
    """Everyone with a role (admins only)."""

    to: int
    people: tuple[User, ...]


@dataclass(frozen=True)
class Failed:
    """Updates set aside, with their error signatures (admins only)."""

    to: int
    items: tuple[InboxItem, ...]


def show_users(unit: Unit, actor: User) -> Users:
    _admin_only(actor)
    return Users(actor.telegram_id, tuple(people_with_roles(unit)))


def revoke_by_admin(unit: Unit, actor: User, telegram_id: int) -> None:
    _admin_only(actor)
    if telegram_id == actor.telegram_id:
        raise RuleError("err_revoke_self")
    change = revoke(unit, actor, telegram_id)
    sep = unit.text(actor, "list_sep")
    unit.say(actor, "revoked", name=desk.display(change.before),
             role=unit.text(actor, f"role_{change.before.role}"),
             numbers=sep.join(change.returned) or unit.text(actor, "none"))
    _tell_what_is_left(unit, actor.telegram_id, change)


def show_failed(unit: Unit, actor: User) -> Failed:
    _admin_only(actor)
    return Failed(actor.telegram_id, tuple(unit.tx.inbox.failed()))


def update_set_aside(unit: Unit, update_id: int, attempts: int, error: str) -> None:
    """Admins hear of an update set aside (it no longer blocks the others): once a day for
    each distinct failure, however many presses or updates hit it. `error` is a signature
    (bot.faults), never anyone's words."""
    day = unit.now.astimezone(unit.settings.tz).date()
    key = "alerted:" + hashlib.sha256(f"{day}:{error}".encode()).hexdigest()[:24]
    if unit.tx.kv.get(key) is not None:
        return
    unit.tx.kv.put(key, str(update_id))
    text = "update_set_aside" if attempts else "update_refused"
    for admin in unit.tx.users.with_roles(("admin",)):
        unit.say(admin, text, id=update_id, attempts=attempts, error=error[:300])
