"""Server-side SVG charts, readable without JavaScript, in pages and in PDFs.

Python computes the geometry (numbers and plain strings); the templates in templates/charts/
write the markup, so every text goes through Django's auto-escaping (no markup built here).
Each chart has role="img", a <title> and a <desc> named through aria-labelledby, a viewBox and
width="100%" (it shrinks with the screen), and font-family on the <svg> element (SVG text does
not inherit the page's font, in WeasyPrint either). Value axes start at 0 and name their unit.

This module imports nothing from the domain apps: every app may use it.
"""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

FONT = "Marianne, Arial, sans-serif"
TEXT = "#161616"
GRID = "#dddddd"
AXIS = "#3a3a3a"
BAR = "#000091"
# Shades of the cartogram, lightest first, with a text colour that keeps a 4.5:1 contrast.
SHADES = [("#e3e3fd", TEXT), ("#a5a5f2", TEXT), ("#2323c9", "#ffffff"), ("#000091", "#ffffff")]
EMPTY = ("#f6f6f6", TEXT)
INDICATOR_COLOURS = {
    "line": "#000091",
    "baseline": "#53657d",
    "target": "#18753c",
    "trend": "#b34000",
}

# Tile grid of the regions (column, row): roughly where they lie; overseas on the last row.
TILES = {
    "28": (1, 0, "NOR"),
    "32": (2, 0, "HDF"),
    "53": (0, 1, "BRE"),
    "52": (1, 1, "PDL"),
    "11": (2, 1, "IDF"),
    "44": (3, 1, "GES"),
    "75": (1, 2, "NAQ"),
    "24": (2, 2, "CVL"),
    "27": (3, 2, "BFC"),
    "76": (1, 3, "OCC"),
    "84": (2, 3, "ARA"),
    "93": (3, 3, "PAC"),
    "94": (4, 3, "COR"),
    "01": (0, 5, "GUA"),
    "02": (1, 5, "MTQ"),
    "03": (2, 5, "GUY"),
    "04": (3, 5, "LRE"),
    "06": (4, 5, "MAY"),
}


def _svg(template: str, *, chart_id: str, title: str, description: str, width, height, **context):
    return render_to_string(
        f"charts/{template}",
        {
            "chart_id": chart_id,
            "chart_title": title,  # "title" would shadow the page's in tests' response.context
            "description": description,
            "width": width,
            "height": height,
            "font": FONT,
            "text_colour": TEXT,
            "axis_colour": AXIS,
            "grid_colour": GRID,
            **context,
        },
    )


def format_number(value) -> str:
    """French notation without useless decimals: 12,5 ; 3 ; −0,25."""
    value = Decimal(value)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",").replace("-", "−")


def format_value(value, unit: str = "") -> str:
    """A number and its unit, French style: "8,4 %" (no-break space), but "7,2/10" (a scale
    reads without a space)."""
    text = format_number(value)
    if not unit:
        return text
    if unit.startswith("/"):
        return f"{text}{unit}"
    return f"{text}\u00a0{unit}"


def nice_ticks(high: float, *, low: float = 0.0, count: int = 4) -> list[float]:
    """Round tick values from `low` (0 unless the data go below it) up to at least `high`."""
    low, high = min(low, high, 0.0), max(low, high, 0.0)
    if high == low:
        high = low + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(magnitude * f for f in (1, 2, 2.5, 5, 10) if magnitude * f >= raw)
    ticks, tick = [], math.floor(low / step) * step
    while tick < high + step * 0.001:
        ticks.append(round(tick, 10))
        tick += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


# --- Bar chart (the national dashboard) ----------------------------------------------------------


def bar_chart_svg(
    *, chart_id: str, title: str, rows: list[tuple[str, int]], unit: str
) -> SafeString:
    """Horizontal bars, one per (label, value), the value written at the end of each bar, over
    a value axis from 0 that names its unit."""
    label_width, bar_width, row_height, axis_height = 230, 330, 26, 40
    ticks = nice_ticks(max((value for _label, value in rows), default=0))
    top = ticks[-1]
    bars_height = max(row_height * len(rows), row_height) + 4
    bars = []
    for index, (label, value) in enumerate(rows):
        y = 4 + index * row_height
        length = round(bar_width * value / top)
        bars.append(
            {
                "label": label if len(label) <= 34 else label[:33] + "…",
                "value": format_number(value),
                "y": y + 3,
                "text_y": y + 17,
                "length": length,
                "value_x": label_width + length + 6,
            }
        )
    description = "; ".join(f"{label} : {value} {unit}" for label, value in rows) or "Aucune donnée"
    return _svg(
        "bar_chart.svg",
        chart_id=chart_id,
        title=title,
        description=description,
        width=label_width + bar_width + 60,
        height=bars_height + axis_height,
        bars=bars,
        bar_colour=BAR,
        bar_height=row_height - 8,
        label_x=label_width - 8,
        left=label_width,
        right=label_width + bar_width,
        axis_y=bars_height,
        ticks=[
            {"x": label_width + round(bar_width * tick / top, 1), "label": format_number(tick)}
            for tick in ticks
        ],
        tick_label_y=bars_height + 16,
        unit=unit,
        unit_x=label_width + bar_width / 2,
        unit_y=bars_height + 34,
    )


# --- Cartogram (clusters per region) -------------------------------------------------------------


def shade_classes(maximum: int) -> list[tuple[int, int]]:
    """Up to four (low, high) classes of cluster counts from 1 to `maximum`."""
    if maximum <= 0:
        return []
    classes, low = [], 1
    for step in range(1, len(SHADES) + 1):
        high = math.ceil(maximum * step / len(SHADES))
        if high >= low:
            classes.append((low, high))
            low = high + 1
    return classes


def _shade(value: int, classes) -> tuple[str, str]:
    for index, (low, high) in enumerate(classes):
        if low <= value <= high:
            return SHADES[len(SHADES) - len(classes) + index]
    return EMPTY


def _class_label(low: int, high: int) -> str:
    return f"{low}" if low == high else f"{low} à {high}"


def cartogram_svg(*, chart_id: str, title: str, regions: list[dict]) -> SafeString:
    """A square per region on a rough grid of France, shaded by its number of clusters, with
    its abbreviation and count, and a legend of the shades."""
    size, gap, left = 78, 6, 8
    classes = shade_classes(max((r["clusters"] for r in regions), default=0))
    legend_y = 6 * (size + gap) + 16
    tiles = []
    for region in regions:
        if region["region_code"] not in TILES:
            continue
        column, row, short = TILES[region["region_code"]]
        x, y = left + column * (size + gap), row * (size + gap) + 4
        fill, ink = _shade(region["clusters"], classes)
        tiles.append(
            {
                "name": region["region"],
                "count": region["clusters"],
                "short": short,
                "x": x,
                "y": y,
                "centre": x + size / 2,
                "fill": fill,
                "ink": ink,
            }
        )
    legend = [(EMPTY, "aucun")] + [
        (_shade(low, classes), _class_label(low, high)) for low, high in classes
    ]
    description = "; ".join(f"{r['region']} : {r['clusters']} cluster(s)" for r in regions)
    return _svg(
        "cartogram.svg",
        chart_id=chart_id,
        title=title,
        description=description or "Aucune région",
        width=5 * (size + gap) + left + 150,
        height=legend_y + 28,
        tiles=tiles,
        size=size,
        left=left,
        overseas_y=5 * (size + gap) - 8,
        legend=[
            {"x": left + index * 110, "fill": fill, "label": label}
            for index, ((fill, _ink), label) in enumerate(legend)
        ],
        legend_y=legend_y,
    )


def legend_classes(regions: list[dict]) -> list[str]:
    """The legend in words, for the page: ["aucun", "1", "2 à 3", ...]."""
    classes = shade_classes(max((r["clusters"] for r in regions), default=0))
    return ["aucun"] + [_class_label(low, high) for low, high in classes]


# --- Indicator chart (experiments and restitution PDFs) ------------------------------------------


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
    """How the indicator moves against its target, in French."""
    measurements = sorted(measurements, key=lambda m: m.measured_on)
    unit = indicator.unit or ""
    target = Decimal(indicator.target)
    baseline = Decimal(indicator.baseline)
    if not measurements:
        return Trend(
            "aucune",
            "Aucune mesure",
            f"Aucune mesure pour l'instant. Valeur de départ {format_value(baseline, unit)}, "
            f"cible {format_value(target, unit)}.",
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
        f"Dernière mesure le {last.measured_on:%d/%m/%Y} : {format_value(value, unit)} "
        f"(départ {format_value(baseline, unit)}, cible {format_value(target, unit)})."
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


def indicator_chart_svg(indicator, measurements, *, id_prefix: str = "indicateur") -> SafeString:
    """The dated measurements as a line, the baseline and the target as horizontal lines, and a
    least-squares trend line, over a value axis from 0 that names the indicator's unit."""
    width, height = 480, 236
    left, right, top, bottom = 64, 84, 32, 40
    measurements = sorted(measurements, key=lambda m: m.measured_on)
    trend = indicator_trend(indicator, measurements)
    baseline, target = float(indicator.baseline), float(indicator.target)
    values = [float(m.value) for m in measurements]
    ticks = nice_ticks(max([baseline, target, *values]), low=min([baseline, target, *values]))
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = width - left - right, height - top - bottom

    def y_of(value: float) -> float:
        return round(top + plot_h - (value - low) / (high - low) * plot_h, 1)

    days = [_ordinal(m.measured_on) for m in measurements]
    first, span = (days[0], days[-1] - days[0]) if days else (0.0, 0.0)

    def x_of(day: float) -> float:
        if span == 0:
            return round(left + plot_w / 2, 1)
        return round(left + (day - first) / span * plot_w, 1)

    trend_line = None
    if len(measurements) >= 2 and span:
        slope = _slope(list(zip(days, values, strict=True)))
        mean_x, mean_y = sum(days) / len(days), sum(values) / len(values)
        trend_line = {
            "x1": x_of(days[0]),
            "y1": y_of(mean_y + slope * (days[0] - mean_x)),
            "x2": x_of(days[-1]),
            "y2": y_of(mean_y + slope * (days[-1] - mean_x)),
        }
    labelled = measurements if len(measurements) <= 6 else measurements[:: len(measurements) // 5]
    if measurements and measurements[-1] not in labelled:
        labelled = [*labelled[:-1], measurements[-1]]
    colours = INDICATOR_COLOURS
    return _svg(
        "indicator_chart.svg",
        chart_id=f"{id_prefix}-{indicator.pk or 0}",
        title=indicator.name + (f" ({indicator.unit})" if indicator.unit else ""),
        description=trend.sentence,
        width=width,
        height=height,
        left=left,
        plot_right=left + plot_w,
        plot_top=top,
        plot_bottom=top + plot_h,
        ticks=[
            {
                "y": y_of(tick),
                "text_y": round(y_of(tick) + 4, 1),
                "label": format_number(Decimal(str(tick))),
            }
            for tick in ticks
        ],
        tick_label_x=left - 6,
        reference_label_x=left + plot_w + 6,
        unit_label=f"Valeur ({indicator.unit})" if indicator.unit else "Valeur",
        references=[
            {"y": y_of(value), "text_y": round(y_of(value) + 4, 1), **line}
            for value, line in (
                (baseline, {"colour": colours["baseline"], "label": "Départ", "dash": "2 4"}),
                (target, {"colour": colours["target"], "label": "Cible", "dash": "8 4"}),
            )
        ],
        trend_line=trend_line,
        trend_colour=colours["trend"],
        line_colour=colours["line"],
        points=[{"x": x_of(d), "y": y_of(v)} for d, v in zip(days, values, strict=True)],
        polyline=" ".join(f"{x_of(d)},{y_of(v)}" for d, v in zip(days, values, strict=True)),
        dates=[
            {"x": x_of(_ordinal(m.measured_on)), "label": f"{m.measured_on:%m/%Y}"}
            for m in labelled
        ],
        date_y=top + plot_h + 18,
        centre_x=left + plot_w / 2,
        centre_y=top + plot_h / 2,
    )
