"""Minqing's command line: run the bot, open the console, manage roles.

  python main.py                 run against Telegram if BOT_TOKEN is set, else the console
  python main.py console         the local console chat
  python main.py users grant ID ROLE | users revoke ID | users list   [--console]
  python main.py backup --out FILE   ·   restore FILE   ·   health
  python main.py export --from DATE --to DATE --format xlsx|csv --out FILE [--lang en]

Every command says which database file it uses; `users --console` acts on the console's own.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sqlite3
import sys
from datetime import date
from pathlib import Path

from bot.settings import Settings, SettingsError, load_settings

# The console keeps its own file, so that trying things out never touches the office's data.
CONSOLE_DB = "data/console.sqlite3"


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


async def run_bot(settings: Settings) -> None:
    from minqing.runtime import start_when_reachable

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except NotImplementedError:  # Windows
            pass
    minqing = await start_when_reachable(settings, stop)
    if minqing is None:  # asked to stop while waiting for the Bot API
        return
    poller = asyncio.create_task(minqing.poll())
    stopper = asyncio.create_task(stop.wait())
    supervisor = asyncio.create_task(minqing.supervise())
    try:
        done, _ = await asyncio.wait({poller, stopper, supervisor},
                                     return_when=asyncio.FIRST_COMPLETED)
        for task in done - {stopper}:
            task.result()  # InvalidToken, Conflict, or a worker that stopped, with its words
    finally:
        for task in (poller, stopper, supervisor):
            task.cancel()
        await minqing.stop()


def say_database(path: str) -> None:
    print(f"Database: {Path(path).resolve()}", file=sys.stderr)


async def manage_users(settings: Settings, args: argparse.Namespace, path: str) -> int:
    from bot.clock import Clock
    from bot.core.rules import RuleError
    from bot.render import Renderer
    from bot.services import people
    from bot.services.unit import Services
    from bot.texts import t
    from storage.db import Database
    from storage.models import User

    clock = Clock()
    try:
        db = await Database(path, clock).open()
    except sqlite3.Error as error:
        print(f"Cannot use the database {path}: {error}", file=sys.stderr)
        return 1
    services = Services(db, clock, settings, Renderer(settings))
    # The command line acts as the administrator with id 0 in the audit log.
    operator = User(telegram_id=0, role="admin", display_name="command line")
    try:
        # As at the bot's start, so that both see the same admins.
        await services.run(people.bootstrap_admins, settings.admin_ids)
        if args.action == "grant":
            user = await services.run(people.grant, 0, args.telegram_id, args.role)
            print(f"{user.telegram_id} is now {user.role}")
        elif args.action == "revoke":
            change = await services.run(people.revoke, operator, args.telegram_id)
            print(f"{args.telegram_id} is now citizen (was {change.before.role});"
                  f" cases returned to the queue: {', '.join(change.returned) or 'none'}")
            if change.duty_days or change.talks:
                print("left without them: duty days "
                      f"{', '.join(d.isoformat() for d in change.duty_days) or 'none'};"
                      f" talks {', '.join(f'S{s.id}' for s in change.talks) or 'none'}")
        else:
            for user in await services.run(people.people_with_roles):
                print(f"{user.telegram_id}\t{user.role}\t{user.display_name}")
        return 0
    except RuleError as error:
        print(t(settings.default_language, error.key, **error.params), file=sys.stderr)
        return 2
    finally:
        await db.close()


def backup_database(path: str, out: str) -> int:
    from storage import maintenance

    pages = maintenance.backup(path, out)
    print(f"Backup written to {Path(out).resolve()} ({pages} pages)")
    return 0


def restore_database(path: str, source: str) -> int:
    """Check the backup, refuse while a bot runs on the database, keep what was there."""
    from bot.clock import Clock
    from storage import maintenance

    if not Path(source).is_file():
        print(f"No backup file at {source}", file=sys.stderr)
        return 2
    integrity, version = maintenance.check(source)
    if integrity != "ok":
        print(f"The backup {source} fails its integrity check: {integrity}", file=sys.stderr)
        return 2
    if version > maintenance.newest_version():
        print(f"The backup {source} is of schema {version}, newer than this Minqing "
              f"({maintenance.newest_version()}): upgrade Minqing first", file=sys.stderr)
        return 2
    lock = maintenance.DatabaseLock(path)
    if not lock.acquire():
        print(f"A Minqing bot is running on {path}: stop it before restoring", file=sys.stderr)
        return 2
    try:
        if Path(path).exists():
            kept = f"{path}.before-restore-{Clock().now():%Y%m%d-%H%M%S}"
            maintenance.backup(path, kept)
            print(f"The database as it was is kept in {Path(kept).resolve()}")
        maintenance.restore(source, path)
    finally:
        lock.release()
    print(f"Restored {Path(source).resolve()} (schema {version}); the bot upgrades it at start")
    return 0


def health(settings: Settings, path: str) -> int:
    """What needs attention, for systemd or a container health check: exit 1 when anything
    does."""
    from datetime import datetime, timedelta

    from bot.clock import Clock
    from storage import maintenance

    if not Path(path).is_file():
        print(f"attention: no database at {path}")
        return 1
    now = Clock().now()
    try:
        report = maintenance.figures(path, now - timedelta(days=1))
    except Exception as exc:  # unreachable, corrupt, locked past the busy timeout
        print(f"attention: the database cannot be read ({type(exc).__name__}: {exc})")
        return 1
    problems = []
    if report["quick_check"] != "ok":
        problems.append(f"quick_check says {report['quick_check']}")
    beat = report["heartbeat"]
    age = (now - datetime.fromisoformat(beat)).total_seconds() if beat else None
    if age is None or age > HEARTBEAT_STALE:
        problems.append("no recent heartbeat: the bot is not polling"
                        + (f" (last {age:.0f} s ago)" if age is not None else ""))
    oldest = report["oldest_pending"]
    waiting = (now - datetime.fromisoformat(oldest + "+00:00")).total_seconds() if oldest else 0
    if waiting > BACKLOG_STALE:
        problems.append(f"the outbox's oldest message has waited {waiting:.0f} s")
    if report["failed_deliveries"]:
        problems.append(f"{report['failed_deliveries']} deliveries given up in the last day")
    if report["set_aside"]:
        problems.append(f"{report['set_aside']} updates set aside in the last day (/failed)")
    print(f"database: ok ({path})" if report["quick_check"] == "ok" else "database: damaged")
    print(f"heartbeat: {beat or 'never'}")
    print(f"outbox: {report['backlog']} waiting, oldest {oldest or '-'}")
    print(f"failed deliveries (24 h): {report['failed_deliveries']}")
    print(f"updates set aside (24 h): {report['set_aside']}")
    for problem in problems:
        print(f"attention: {problem}")
    return 1 if problems else 0


def export_ledger(settings: Settings, args: argparse.Namespace, path: str) -> int:
    """The ledger of a period, of any size, written where asked (and recorded in the audit
    log as the command line's, actor 0)."""
    try:
        first, last = date.fromisoformat(args.first), date.fromisoformat(args.last)
    except ValueError:
        print("--from and --to take dates like 2031-12-01", file=sys.stderr)
        return 2
    if first > last:
        print("--from must not come after --to", file=sys.stderr)
        return 2
    if not Path(path).is_file():
        print(f"No database at {path}", file=sys.stderr)
        return 2
    out = Path(args.out).resolve()
    counts = asyncio.run(_export(settings, path, first, last, args.format, out, args.lang))
    sheets = ", ".join(f"{name.removeprefix('sheet_')} {count}"
                       for name, count in counts.items())
    print(f"Ledger {first}..{last} written to {out} ({sheets} rows)")
    return 0


async def _export(settings: Settings, path: str, first: date, last: date, fmt: str, out: Path,
                  lang: str | None) -> dict[str, int]:
    from bot import export
    from bot.clock import Clock
    from bot.render import Renderer
    from bot.services.unit import Services
    from storage.db import Database

    clock = Clock()
    db = await Database(path, clock).open()
    try:
        services = Services(db, clock, settings, Renderer(settings))
        written = await export.from_command_line(services, first, last, fmt, out, lang)
    finally:
        await db.close()
    return written.counts


HEARTBEAT_STALE = 120  # seconds: a poll returns at least every 30
BACKLOG_STALE = 600  # seconds a message may wait before it needs attention


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py", description="Minqing (民情) service office bot")
    sub = p.add_subparsers(dest="command")
    sub.add_parser("run", help="run against Telegram (needs BOT_TOKEN)")
    sub.add_parser("console", help="chat with the bot locally, no token needed")
    users = sub.add_parser("users", help="manage roles")
    users.add_argument("--console", action="store_true",
                       help="act on the console's database instead of DATABASE_PATH")
    actions = users.add_subparsers(dest="action", required=True)
    grant = actions.add_parser("grant")
    grant.add_argument("telegram_id", type=int)
    grant.add_argument("role", choices=["citizen", "staff", "leader", "liaison", "admin"])
    revoke = actions.add_parser("revoke")
    revoke.add_argument("telegram_id", type=int)
    actions.add_parser("list")
    backup = sub.add_parser("backup", help="copy the database while the bot runs")
    backup.add_argument("--out", required=True)
    restore = sub.add_parser("restore", help="put a backup in place (the bot stopped)")
    restore.add_argument("file")
    sub.add_parser("health", help="what needs attention; exit 1 when anything does")
    export = sub.add_parser("export", help="write the ledger (台帐) of a period to a file")
    export.add_argument("--from", dest="first", required=True, help="first day, 2031-12-01")
    export.add_argument("--to", dest="last", required=True, help="last day, 2031-12-31")
    export.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    export.add_argument("--out", required=True)
    export.add_argument("--lang", choices=["zh", "en"], default=None,
                        help="the headers' language (DEFAULT_LANGUAGE if not given)")
    export.add_argument("--console", action="store_true",
                        help="export the console's database instead of DATABASE_PATH")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    console = args.command == "console" or (args.command is None and not settings.token)
    configure_logging("WARNING" if console else settings.log_level)
    if args.command in ("backup", "restore", "health"):
        say_database(settings.database_path)
        if args.command == "backup":
            return backup_database(settings.database_path, args.out)
        if args.command == "restore":
            return restore_database(settings.database_path, args.file)
        return health(settings, settings.database_path)
    if args.command == "export":
        path = CONSOLE_DB if args.console else settings.database_path
        say_database(path)
        return export_ledger(settings, args, path)
    if args.command == "users":
        path = CONSOLE_DB if args.console else settings.database_path
        say_database(path)
        return asyncio.run(manage_users(settings, args, path))
    if console:
        from minqing.console import run_console

        if args.command is None:
            print("No BOT_TOKEN is set, so this is the local console. To connect to Telegram,"
                  " put BOT_TOKEN=<token from @BotFather> in .env (see README) and run again.\n")
        say_database(CONSOLE_DB)
        from minqing.runtime import StartupFailed

        try:
            run_console(settings, CONSOLE_DB)
        except StartupFailed as error:  # another console on the same file, say
            print(error, file=sys.stderr)
            return 1
        return 0
    if not settings.token:
        print("Invalid setting BOT_TOKEN: required to run against Telegram", file=sys.stderr)
        return 2
    say_database(settings.database_path)
    from telegram.error import Conflict, InvalidToken

    from minqing.runtime import StartupFailed

    try:
        asyncio.run(run_bot(settings))
    except StartupFailed as error:
        print(error, file=sys.stderr)
        return 1
    except InvalidToken:
        print("Invalid setting BOT_TOKEN: Telegram rejected the token", file=sys.stderr)
        return 2
    except Conflict as error:
        print(f"Another instance is polling with this token: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
