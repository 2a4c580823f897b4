"""Server-side SVG charts of indicators: readable without JavaScript, in pages and in PDFs.

`indicator_chart_svg(indicator, measurements)` returns escaped, safe SVG markup: the dated
measurements as a line, the baseline and the target as horizontal lines, and a least-squares
trend line. `indicator_trend(indicator, measurements)` says in French how the indicator moves
against its target; the chart's <desc> repeats it so screen readers get the same message.
"""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 84, 16, 40
FONT = "Marianne, Arial, sans-serif"
COLOURS = {"line": "#000091", "baseline": "#53657d", "target": "#18753c", "trend": "#b34000"}


def format_number(value) -> str:
    """French notation without useless decimals: 12,5 ; 3 ; -0,25."""
    value = Decimal(value)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",").replace("-", "−")


@dataclass(frozen=True)
class Trend:
    status: str  # "atteinte", "favorable", "defavorable", "stable", "aucune"
    label: str  # short French label (a badge)
    sentence: str  # full French sentence (the chart's description)
    progress: int | None  # % of the way from baseline to target, last measurement


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (x, y) points (per day); 0 when it cannot be computed."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    if var == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / var


def _ordinal(day: datetime.date) -> float:
    return float(day.toordinal())


def indicator_trend(indicator, measurements) -> Trend:
    measurements = sorted(measurements, key=lambda m: m.measured_on)
    unit = f" {indicator.unit}" if indicator.unit else ""
    target = Decimal(indicator.target)
    baseline = Decimal(indicator.baseline)
    if not measurements:
        return Trend(
            "aucune",
            "Aucune mesure",
            f"Aucune mesure pour l'instant. Valeur de départ {format_number(baseline)}{unit}, "
            f"cible {format_number(target)}{unit}.",
            None,
        )
    last = measurements[-1]
    value = Decimal(last.value)
    better = indicator.higher_is_better
    reached = value >= target if better else value <= target
    progress = None
    if target != baseline:
        progress = round(float((value - baseline) / (target - baseline)) * 100)
    slope = _slope([(_ordinal(m.measured_on), float(m.value)) for m in measurements])
    if len(measurements) < 2:
        slope = float(value - baseline)  # one measurement: compare with the baseline
    direction = "à la hausse" if slope > 0 else "à la baisse" if slope < 0 else "stable"
    head = (
        f"Dernière mesure le {last.measured_on:%d/%m/%Y} : {format_number(value)}{unit} "
        f"(départ {format_number(baseline)}{unit}, cible {format_number(target)}{unit})."
    )
    if reached:
        return Trend("atteinte", "Cible atteinte", f"{head} Cible atteinte.", progress)
    if slope == 0:
        return Trend("stable", "Stable", f"{head} Tendance stable, cible non atteinte.", progress)
    favourable = (slope > 0) == better
    done = f" {progress} % du chemin vers la cible." if progress is not None else ""
    if favourable:
        sentence = f"{head} Tendance {direction}, vers la cible.{done}"
        return Trend("favorable", "Vers la cible", sentence, progress)
    sentence = f"{head} Tendance {direction}, s'éloigne de la cible.{done}"
    return Trend("defavorable", "S'éloigne de la cible", sentence, progress)


def _nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    low, high = min(low, high), max(low, high)
    if high == low:
        high, low = high + 1, low - 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(magnitude * f for f in (1, 2, 2.5, 5, 10) if magnitude * f >= raw)
    start = (low // step) * step
    ticks, tick = [], start
    while tick <= high + step * 0.001:
        ticks.append(round(tick, 10))
        tick += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def indicator_chart_svg(indicator, measurements, *, id_prefix: str = "indicateur") -> SafeString:
    """The chart of one indicator as safe SVG markup (every piece of text is escaped)."""
    measurements = sorted(measurements, key=lambda m: m.measured_on)
    trend = indicator_trend(indicator, measurements)
    chart_id = f"{id_prefix}-{indicator.pk or 0}"
    baseline, target = float(indicator.baseline), float(indicator.target)
    values = [float(m.value) for m in measurements]
    ticks = _nice_ticks(min([baseline, target, *values]), max([baseline, target, *values]))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(value: float) -> float:
        return round(TOP + plot_h - (value - low) / (high - low) * plot_h, 1)

    days = [_ordinal(m.measured_on) for m in measurements]
    first, span = (days[0], days[-1] - days[0]) if days else (0.0, 0.0)

    def x_of(day: float) -> float:
        if span == 0:
            return round(LEFT + plot_w / 2, 1)
        return round(LEFT + (day - first) / span * plot_w, 1)

    title = f"{indicator.name}" + (f" ({indicator.unit})" if indicator.unit else "")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qvt-chart" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' width="{WIDTH}" height="{HEIGHT}" role="img" font-family="{FONT}" font-size="12"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(trend.sentence)}</desc>',
    ]
    # Horizontal grid and y axis labels.
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y}" y2="{y}" stroke="#dddddd"/>'
            f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end" fill="#3a3a3a">'
            f"{escape(format_number(Decimal(str(tick))))}</text>"
        )
    # Baseline and target lines, labelled at the right.
    for value, colour, label, dash in (
        (baseline, COLOURS["baseline"], "Départ", "2 4"),
        (target, COLOURS["target"], "Cible", "8 4"),
    ):
        y = y_of(value)
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y}" y2="{y}" stroke="{colour}"'
            f' stroke-width="2" stroke-dasharray="{dash}"/>'
            f'<text x="{LEFT + plot_w + 6}" y="{y + 4}" fill="{colour}">{label}</text>'
        )
    # Trend (least squares) over the measured period.
    if len(measurements) >= 2 and span:
        slope = _slope(list(zip(days, values, strict=True)))
        mean_x, mean_y = sum(days) / len(days), sum(values) / len(values)
        y_start = mean_y + slope * (days[0] - mean_x)
        y_end = mean_y + slope * (days[-1] - mean_x)
        parts.append(
            f'<line x1="{x_of(days[0])}" y1="{y_of(y_start)}" x2="{x_of(days[-1])}"'
            f' y2="{y_of(y_end)}" stroke="{COLOURS["trend"]}" stroke-width="1.5"'
            ' stroke-dasharray="1 3" stroke-linecap="round"/>'
        )
    # The measurements.
    if measurements:
        points = " ".join(f"{x_of(d)},{y_of(v)}" for d, v in zip(days, values, strict=True))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{COLOURS["line"]}"'
            ' stroke-width="2.5"/>'
        )
        for day, value in zip(days, values, strict=True):
            parts.append(
                f'<circle cx="{x_of(day)}" cy="{y_of(value)}" r="4" fill="{COLOURS["line"]}"/>'
            )
        labelled = (
            measurements if len(measurements) <= 6 else measurements[:: len(measurements) // 5]
        )
        if measurements[-1] not in labelled:
            labelled = [*labelled[:-1], measurements[-1]]
        for m in labelled:
            parts.append(
                f'<text x="{x_of(_ordinal(m.measured_on))}" y="{TOP + plot_h + 18}"'
                f' text-anchor="middle" fill="#3a3a3a">{m.measured_on:%m/%Y}</text>'
            )
    else:
        parts.append(
            f'<text x="{LEFT + plot_w / 2}" y="{TOP + plot_h / 2}" text-anchor="middle"'
            ' fill="#3a3a3a">Aucune mesure pour l\'instant</text>'
        )
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#3a3a3a"/>'
        f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"'
        ' stroke="#3a3a3a"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 every dynamic text above is escaped
