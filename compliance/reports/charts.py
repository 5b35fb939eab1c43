"""Charts drawn as inline SVG, so the HTML page, the PDF and the browser show the same picture.

No charting library: the two charts we need (monthly green share against the level line, and a
small trend per contract) are a few dozen lines of SVG, and inline SVG needs no scripts.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from compliance.assessment.outcomes import MonthFigure
from compliance.reports.language import Language

MONTH_ABBREVIATIONS = {
    "da": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def monthly_share_chart(months: Sequence[MonthFigure], level_percent: Decimal, lang: Language) -> str:
    """A bar chart of the green share per month with the binding level as a dashed line; axes labelled."""
    width, height = 720, 300
    left, right, top, bottom = 64, 20, 20, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / max(len(months), 1)

    def y(percent: Decimal | float) -> float:
        return top + plot_h * (1 - float(percent) / 100)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(lang.say("monthly_chart"))}">',
        '<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>',
    ]
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#d5dde2" stroke-width="1"/>'
            f'<text x="{left - 8}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="12" fill="#37474f">{tick} %</text>'
        )
    abbreviations = MONTH_ABBREVIATIONS[lang.code]
    for index, figure in enumerate(months):
        x = left + index * slot
        label = f"{abbreviations[figure.month.month - 1]} {figure.month.year % 100:02d}"
        parts.append(
            f'<text x="{x + slot / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle" font-size="11" fill="#37474f">{label}</text>'
        )
        share = figure.share
        if share is None:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{top + plot_h - 6}" text-anchor="middle" font-size="11" fill="#90a4ae">–</text>'
            )
            continue
        percent = max(min(share * 100, Decimal(100)), Decimal(0))
        bar_top = y(percent)
        colour = "#2f6f4f" if percent >= level_percent else "#c2410c"
        parts.append(
            f'<rect x="{x + slot * 0.18:.1f}" y="{bar_top:.1f}" width="{slot * 0.64:.1f}" height="{top + plot_h - bar_top:.1f}" '
            f'fill="{colour}"><title>{label}: {escape(lang.percent(share))} ({escape(lang.number(figure.green))}/{escape(lang.number(figure.total))})</title></rect>'
        )
    level_y = y(level_percent)
    level_text = escape(lang.say("chart_level", level=f"{lang.number(level_percent, 2)} %"))
    parts += [
        f'<line x1="{left}" x2="{left + plot_w}" y1="{level_y:.1f}" y2="{level_y:.1f}" stroke="#1d2a33" stroke-width="2" stroke-dasharray="6 4"/>',
        f'<text x="{left + plot_w - 4}" y="{level_y - 6:.1f}" text-anchor="end" font-size="12" font-weight="bold" fill="#1d2a33">{level_text}</text>',
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#37474f"/>',
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#37474f"/>',
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 14}" text-anchor="middle" font-size="13" fill="#1d2a33">{escape(lang.say("chart_x"))}</text>',
        f'<text x="16" y="{top + plot_h / 2:.1f}" text-anchor="middle" font-size="13" fill="#1d2a33" '
        f'transform="rotate(-90 16 {top + plot_h / 2:.1f})">{escape(lang.say("chart_y"))}</text>',
        "</svg>",
    ]
    return "\n".join(parts)


def trend_sparkline(points: Sequence[tuple[str, Decimal | None]], level_percent: Decimal | None) -> str:
    """A small line of the green share per contract year (labels as tooltips), with the level dashed."""
    width, height, pad = 140, 36, 4
    known = [(index, share) for index, (_, share) in enumerate(points) if share is not None]
    if not known:
        return ""
    step = (width - 2 * pad) / max(len(points) - 1, 1)

    def y(percent: Decimal) -> float:
        return pad + (height - 2 * pad) * (1 - float(percent) / 100)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
    ]
    if level_percent is not None:
        parts.append(
            f'<line x1="{pad}" x2="{width - pad}" y1="{y(level_percent):.1f}" y2="{y(level_percent):.1f}" '
            'stroke="#90a4ae" stroke-dasharray="3 2"/>'
        )
    coordinates = [(pad + index * step, y(share * 100)) for index, share in known]
    if len(coordinates) > 1:
        path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in coordinates)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#2f6f4f" stroke-width="2"/>')
    for (index, share), (x, yy) in zip(known, coordinates, strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3" fill="#2f6f4f"><title>{escape(points[index][0])}: '
            f"{float(share * 100):.1f} %</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)
