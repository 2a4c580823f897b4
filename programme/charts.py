"""Server-side SVG charts of the national dashboard: readable without JavaScript.

Each chart has role="img", a <title> and a <desc> (named through aria-labelledby), and the page
shows the same figures in a data table next to it. Every text is escaped.
"""

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = "Marianne, Arial, sans-serif"
BAR = "#000091"
TEXT = "#161616"
# Shades of the cartogram, lightest first, with a text colour that keeps a 4.5:1 contrast.
SHADES = [("#e3e3fd", TEXT), ("#a5a5f2", TEXT), ("#2323c9", "#ffffff"), ("#000091", "#ffffff")]
EMPTY = ("#f6f6f6", TEXT)

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


def _open(chart_id: str, title: str, description: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="qvt-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" '
        f'font-family="{FONT}" aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )


def bar_chart_svg(
    *, chart_id: str, title: str, rows: list[tuple[str, int]], unit: str
) -> SafeString:
    """Horizontal bars, one per (label, value), the value written at the end of each bar."""
    label_width, bar_width, row_height = 230, 330, 26
    width, height = label_width + bar_width + 60, max(row_height * len(rows), row_height) + 8
    top = max((value for _label, value in rows), default=0) or 1
    description = "; ".join(f"{label} : {value} {unit}" for label, value in rows) or "Aucune donnée"
    parts = [_open(chart_id, title, description, width, height)]
    for index, (label, value) in enumerate(rows):
        y = 4 + index * row_height
        length = round(bar_width * value / top)
        shown = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" font-size="13" '
            f'fill="{TEXT}">{escape(shown)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{length}" height="{row_height - 8}" '
            f'fill="{BAR}"></rect>'
            f'<text x="{label_width + length + 6}" y="{y + 17}" font-size="13" '
            f'fill="{TEXT}">{value}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


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


def cartogram_svg(*, chart_id: str, title: str, regions: list[dict]) -> SafeString:
    """A square per region on a rough grid of France, shaded by its number of clusters, with
    its abbreviation and count, and a legend of the shades."""
    size, gap, left = 78, 6, 8
    maximum = max((r["clusters"] for r in regions), default=0)
    classes = shade_classes(maximum)
    legend_y = 6 * (size + gap) + 16
    width, height = 5 * (size + gap) + left + 150, legend_y + 28
    description = "; ".join(f"{r['region']} : {r['clusters']} cluster(s)" for r in regions)
    parts = [_open(chart_id, title, description or "Aucune région", width, height)]
    for region in regions:
        if region["region_code"] not in TILES:
            continue
        column, row, short = TILES[region["region_code"]]
        x, y = left + column * (size + gap), row * (size + gap) + 4
        fill, ink = _shade(region["clusters"], classes)
        parts.append(
            f"<g><title>{escape(region['region'])} : {region['clusters']} cluster(s)</title>"
            f'<rect x="{x}" y="{y}" width="{size}" height="{size}" fill="{fill}" '
            f'stroke="#3a3a3a" stroke-width="1"></rect>'
            f'<text x="{x + size / 2}" y="{y + 32}" text-anchor="middle" font-size="15" '
            f'font-weight="bold" fill="{ink}">{short}</text>'
            f'<text x="{x + size / 2}" y="{y + 56}" text-anchor="middle" font-size="15" '
            f'fill="{ink}">{region["clusters"]}</text></g>'
        )
    parts.append(
        f'<text x="{left}" y="{5 * (size + gap) - 8}" font-size="13" fill="{TEXT}">Outre-mer</text>'
    )
    legend = [(EMPTY, "aucun")] + [
        (_shade(low, classes), f"{low}" if low == high else f"{low} à {high}")
        for low, high in classes
    ]
    for index, ((fill, _ink), label) in enumerate(legend):
        x = left + index * 110
        parts.append(
            f'<rect x="{x}" y="{legend_y}" width="18" height="18" fill="{fill}" '
            f'stroke="#3a3a3a"></rect>'
            f'<text x="{x + 24}" y="{legend_y + 14}" font-size="13" fill="{TEXT}">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def legend_classes(regions: list[dict]) -> list[str]:
    """The legend in words, for the page: ["aucun", "1", "2 à 3", ...]."""
    classes = shade_classes(max((r["clusters"] for r in regions), default=0))
    return ["aucun"] + [f"{low}" if low == high else f"{low} à {high}" for low, high in classes]
