"""People and roles: who someone is, what they may do, invitations and revocations."""

from __future__ import annotations

import secrets

from bot.core.rules import RuleError
from bot.menus import menu_for_chat
from bot.services.unit import Unit
from storage.models import ROLES, User

INVITE_HOURS = 72


def seen(unit: Unit, telegram_id: int, display_name: str, username: str | None) -> User:
    return unit.tx.users.seen(telegram_id, display_name[:128], username, unit.now)


def set_language(unit: Unit, user: User, language: str) -> None:
    unit.tx.users.set_language(user.telegram_id, language, unit.now)
    updated = unit.tx.users.get(user.telegram_id)
    assert updated is not None
    unit.say(updated, "lang_set")
    unit.send([menu_for_chat(user.telegram_id, updated.role, language)])


def grant(unit: Unit, actor_id: int | None, telegram_id: int, role: str) -> User:
    if role not in ROLES:
        raise RuleError("err_bad_role", roles=", ".join(ROLES))
    unit.tx.users.set_role(telegram_id, role, unit.now)
    unit.tx.audit.append(unit.now, actor_id, "role_grant", subject_id=telegram_id, detail=role)
    user = unit.tx.users.get(telegram_id)
    assert user is not None
    unit.send([menu_for_chat(telegram_id, role, unit.lang(user))])
    return user


def bootstrap_admins(unit: Unit, admin_ids: list[int]) -> None:
    """ADMIN_IDS become admins at start (recorded once, not at every start)."""
    for admin_id in admin_ids:
        user = unit.tx.users.get(admin_id)
        if user is None or user.role != "admin":
            grant(unit, None, admin_id, "admin")


def revoke(unit: Unit, actor: User, telegram_id: int) -> tuple[User, list[str]]:
    """Back to citizen; a staff member's open cases return to the unclaimed queue."""
    target = unit.tx.users.get(telegram_id)
    if target is None:
        raise RuleError("err_no_such_user", id=telegram_id)
    unit.tx.users.set_role(telegram_id, "citizen", unit.now)
    unit.tx.audit.append(
        unit.now, actor.telegram_id, "role_revoke", subject_id=telegram_id, detail=target.role
    )
    returned: list[str] = []
    for case in unit.tx.cases.open_of_owner(telegram_id):
        unit.tx.cases.update(case.id, unit.now, owner_id=None, state="new", accepted_at=None)
        unit.tx.cases.add_owner(case.id, None, actor.telegram_id, "revoked", unit.now)
        unit.tx.cases.add_event(
            case.id, unit.now, actor_id=actor.telegram_id, direction="system", kind="unassigned"
        )
        unit.tx.audit.append(
            unit.now, actor.telegram_id, "case_unassigned", case_id=case.id,
            subject_id=telegram_id,
        )
        returned.append(case.number)
    if returned:
        for leader in unit.tx.users.with_roles(("leader",)):
            unit.say(leader, "leaders_cases_returned", name=target.display_name or telegram_id,
                     numbers=", ".join(returned))
    updated = unit.tx.users.get(telegram_id)
    assert updated is not None
    unit.send([menu_for_chat(telegram_id, "citizen", unit.lang(updated))])
    return target, returned


def create_invite(unit: Unit, actor: User, role: str) -> str:
    if role not in ROLES or role == "citizen":
        raise RuleError("err_bad_role", roles=", ".join(r for r in ROLES if r != "citizen"))
    token = secrets.token_urlsafe(16)
    unit.tx.invites.create(token, role, actor.telegram_id, unit.now, INVITE_HOURS)
    unit.tx.audit.append(unit.now, actor.telegram_id, "invite_create", detail=role)
    return token


def redeem_invite(unit: Unit, user: User, token: str) -> User:
    invite = unit.tx.invites.get(token)
    if invite is None or not unit.tx.invites.use(token, user.telegram_id, unit.now):
        raise RuleError("err_invite_invalid")
    unit.tx.audit.append(
        unit.now, invite.created_by, "invite_used", subject_id=user.telegram_id, detail=invite.role
    )
    return grant(unit, invite.created_by, user.telegram_id, invite.role)


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


def show_users(unit: Unit, actor: User) -> None:
    _admin_only(actor)
    people = people_with_roles(unit)
    if not people:
        unit.say(actor, "users_empty")
        return
    lines = [unit.text(actor, "users_title")] + [
        unit.text(actor, "users_line", id=p.telegram_id, name=p.display_name or "-",
                  role=unit.text(actor, f"role_{p.role}"))
        for p in people
    ]
    unit.say(actor, "raw", text="\n".join(lines))


def revoke_by_admin(unit: Unit, actor: User, telegram_id: int) -> None:
    _admin_only(actor)
    if telegram_id == actor.telegram_id:
        raise RuleError("err_revoke_self")
    target, returned = revoke(unit, actor, telegram_id)
    unit.say(actor, "revoked", name=target.display_name or telegram_id,
             role=unit.text(actor, f"role_{target.role}"), numbers=", ".join(returned) or "-")


def show_failed(unit: Unit, actor: User) -> None:
    _admin_only(actor)
    failed = unit.tx.inbox.failed()
    if not failed:
        unit.say(actor, "failed_empty")
        return
    lines = [unit.text(actor, "failed_line", id=i.update_id, attempts=i.attempts,
                       error=(i.error or "")[:200]) for i in failed]
    unit.say(actor, "raw", text="\n".join(lines))


def update_set_aside(unit: Unit, update_id: int, attempts: int, error: str) -> None:
    """Admins hear of an update that keeps failing (it no longer blocks the others)."""
    for admin in unit.tx.users.with_roles(("admin",)):
        unit.say(admin, "update_set_aside", id=update_id, attempts=attempts, error=error[:300])
