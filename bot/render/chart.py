"""The morning report's 30-day chart: cases opened and closed per day, and deadlines overdue,
drawn with matplotlib's Agg backend. Imported only when a chart is drawn, and called off the
event loop (asyncio.to_thread): drawing takes a few hundred milliseconds.

Its labels are drawn with a subset of Noto Sans CJK SC (SIL Open Font License 1.1, see
fonts/OFL.txt) kept in the repository, holding every character the chart's texts use; the
tests check that no glyph is missing."""

from __future__ import annotations

import io
from pathlib import Path

from bot.services.digest import Series
from bot.texts import t

FONT = Path(__file__).with_name("fonts") / "NotoSansCJKsc-Minqing.otf"
CHART_KEYS = ("chart_title", "chart_opened", "chart_closed", "chart_overdue", "chart_axis",
              "stats_chart_title", "stats_chart_accept", "stats_chart_handle", "stats_office")


def _figure(width: float, height: float) -> tuple[object, str]:
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    font_manager.fontManager.addfont(str(FONT))
    family = font_manager.FontProperties(fname=str(FONT)).get_name()
    return Figure(figsize=(width, height), dpi=100), family


def _png(figure: object) -> bytes:
    figure.tight_layout()  # type: ignore[attr-defined]
    out = io.BytesIO()
    figure.savefig(out, format="png")  # type: ignore[attr-defined]
    return out.getvalue()


def draw_rates(rows: list[tuple[str, float | None, float | None]], lang: str) -> bytes:
    """Assessment's chart: 及时受理率 and 按期办结率 in per cent, a pair of bars per row (the
    office "*", then each member of staff numbered as in /stats)."""
    figure, family = _figure(max(4.0, 1.0 + 0.7 * len(rows)), 3.6)
    axes = figure.subplots()  # type: ignore[attr-defined]
    x = range(len(rows))
    width = 0.4
    axes.bar([i - width / 2 for i in x], [(a or 0) * 100 for _, a, _ in rows], width,
             label=t(lang, "stats_chart_accept"), color="#4a7dbf")
    axes.bar([i + width / 2 for i in x], [(h or 0) * 100 for _, _, h in rows], width,
             label=t(lang, "stats_chart_handle"), color="#7fb77e")
    labels = [t(lang, "stats_office") if name == "*" else name for name, _, _ in rows]
    axes.set_xticks(list(x), labels, family=family)
    axes.set_title(t(lang, "stats_chart_title"), family=family)
    axes.set_ylabel("%", family=family)
    axes.set_ylim(0, 110)
    axes.legend(prop={"family": family}, loc="lower right")
    for label in axes.get_yticklabels():
        label.set_fontfamily(family)
    return _png(figure)


def draw(series: Series, lang: str) -> bytes:
    """The chart as PNG bytes."""
    figure, family = _figure(8, 3.6)
    axes = figure.subplots()
    x = range(len(series.days))
    width = 0.4
    axes.bar([i - width / 2 for i in x], series.opened, width, label=t(lang, "chart_opened"),
             color="#4a7dbf")
    axes.bar([i + width / 2 for i in x], series.closed, width, label=t(lang, "chart_closed"),
             color="#7fb77e")
    axes.plot(list(x), series.overdue, color="#d9534f", marker="o", markersize=3,
              label=t(lang, "chart_overdue"))
    ticks = list(range(0, len(series.days), 5))
    axes.set_xticks(ticks, [f"{series.days[i].month}/{series.days[i].day}" for i in ticks],
                    family=family)
    axes.set_title(t(lang, "chart_title", days=len(series.days)), family=family)
    axes.set_ylabel(t(lang, "chart_axis"), family=family)
    axes.legend(prop={"family": family})
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_ylim(bottom=0, top=max([*series.opened, *series.closed, *series.overdue, 0]) + 1)
    for label in axes.get_yticklabels():
        label.set_fontfamily(family)
    return _png(figure)


def characters() -> set[str]:
    """Every character the chart may draw, in both languages (the font subset's content)."""
    chars = set("0123456789/-.,:()+ −%*")  # matplotlib writes a negative tick with U+2212
    for lang in ("zh", "en"):
        for key in CHART_KEYS:
            chars |= set(t(lang, key, days=30))
    return chars
