"""Sending the morning report: what is owed is read off the writer, the chart is drawn off the
event loop (matplotlib, bot.render.chart), and each report is recorded and queued in one short
transaction. Used by the job (schedules) and by /digest (handlers); sits above the services,
since services never touch the rendering layer."""

from __future__ import annotations

import asyncio
import logging

from bot.core.said import SendFile
from bot.services import digest, stats
from bot.services.unit import Request, Services, Unit
from storage.models import User

log = logging.getLogger(__name__)


async def _charts(services: Services, languages: set[str]) -> dict[str, bytes]:
    if not languages:
        return {}
    from bot.render import chart  # matplotlib is imported only when a chart is drawn

    series = await services.read(lambda unit: digest.series(unit, unit.now))
    drawn: dict[str, bytes] = {}
    for lang in sorted(languages):
        drawn[lang] = await asyncio.to_thread(chart.draw, series, lang)
    return drawn


async def send_due(services: Services) -> int:
    """The job: every report owed now, once each (a second run finds them recorded)."""
    owed = await services.read(digest.due)
    if not owed:
        return 0
    languages = await services.read(digest.languages, owed)
    charts = await _charts(services, languages)
    sent = await services.run(digest.send, owed, charts)
    if sent:
        log.info("morning reports: %d queued", sent)
    return sent


async def on_demand(request: Request) -> None:
    """/digest: the report from the last one to now, and its chart, to the one who asked."""
    asker_id = request.asker.telegram_id
    asker = await request.services.read(lambda unit: unit.tx.users.get(asker_id))
    charts: dict[str, bytes] = {}
    if asker is not None and asker.is_staff_side:  # nobody else gets a chart drawn
        charts = await _charts(request.services, {await request.language()})
    await request.run_as(digest.demand, charts)


async def on_stats(request: Request, words: list[str]) -> None:
    """/stats: the figures read off the writer, their chart drawn off the event loop, both
    queued to the one who asked (a member of staff: their own figures only)."""
    from bot.render import assessment, chart

    who = request.asker
    view = await request.services.read(
        lambda unit: stats.view(unit, unit.tx.users.get(who.telegram_id)
                                or User(telegram_id=who.telegram_id), words))
    lang = await request.language()
    png = await asyncio.to_thread(chart.draw_rates, assessment.chart_rows(view), lang)
    name = assessment.period_name(lang, view.assessment.period)

    def queue(unit: Unit, user: User) -> None:
        unit.show(user, view)
        unit.tell(SendFile(user.telegram_id, unit.lang(user), "stats.png", png, as_photo=True,
                           caption_key="stats_chart_caption", params={"period": name}))

    await request.run_as(queue)
