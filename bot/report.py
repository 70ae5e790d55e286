"""Sending the morning report: what is owed is read off the writer, the chart is drawn off the
event loop (matplotlib, bot.render.chart), and each report is recorded and queued in one short
transaction. Used by the job (schedules) and by /digest (handlers); sits above the services,
since services never touch the rendering layer."""

from __future__ import annotations

import asyncio
import logging

from bot.services import digest
from bot.services.unit import Request, Services

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
