"""The server-side indicator chart: accessible SVG, escaped text, trend against the target."""

import datetime
import re
from decimal import Decimal
from xml.etree import ElementTree

from experiments.models import Indicator, Measurement
from qvt.charts import indicator_chart_svg, indicator_trend

SVG = "{http://www.w3.org/2000/svg}"


def indicator(**kwargs):
    values = {"pk": 7, "name": "Absentéisme", "unit": "%", "baseline": Decimal("8.5")}
    values.update({"target": Decimal("6"), "higher_is_better": False, **kwargs})
    return Indicator(**values)


def measures(*values):
    return [
        Measurement(measured_on=datetime.date(2026, month, 1), value=Decimal(value))
        for month, value in zip(range(3, 13, 3), values, strict=False)
    ]


def test_the_chart_is_accessible_svg_with_title_desc_and_font():
    root = ElementTree.fromstring(str(indicator_chart_svg(indicator(), measures("8.1", "7.4"))))
    assert root.get("role") == "img"
    assert root.get("font-family")
    assert root.get("aria-labelledby") == "indicateur-7-title indicateur-7-desc"
    assert root.find(f"{SVG}title").text == "Absentéisme (%)"
    assert "Tendance à la baisse, vers la cible" in root.find(f"{SVG}desc").text
    assert len(root.findall(f"{SVG}circle")) == 2  # one point per measurement
    labels = [t.text for t in root.findall(f"{SVG}text")]
    assert "Cible" in labels and "Départ" in labels


def test_the_chart_escapes_user_text():
    svg = str(indicator_chart_svg(indicator(name="<script>alert(1)</script>"), measures("8")))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    ElementTree.fromstring(svg)  # still well-formed


def test_the_chart_without_measurements_says_so():
    svg = str(indicator_chart_svg(indicator(), []))
    assert "Aucune mesure pour l&#x27;instant" in svg or "Aucune mesure pour l'instant" in svg


def test_trend_against_the_target():
    lower = indicator()
    assert indicator_trend(lower, measures("8.1", "7.4")).status == "favorable"
    assert indicator_trend(lower, measures("8.6", "9.2")).status == "defavorable"
    assert indicator_trend(lower, measures("7", "5.5")).status == "atteinte"
    assert indicator_trend(lower, []).status == "aucune"
    higher = indicator(baseline=Decimal("60"), target=Decimal("80"), higher_is_better=True)
    trend = indicator_trend(higher, measures("65", "70"))
    assert trend.status == "favorable"
    assert trend.progress == 50


def test_the_chart_shrinks_with_the_screen_and_its_value_axis_starts_at_zero_with_its_unit():
    root = ElementTree.fromstring(str(indicator_chart_svg(indicator(), measures("8.1", "7.4"))))
    assert root.get("width") == "100%" and root.get("height") is None
    assert root.get("viewBox") == "0 0 480 236"
    labels = [t.text for t in root.findall(f"{SVG}text")]
    assert "0" in labels  # the axis starts at 0, not at the lowest measurement
    assert "Valeur (%)" in labels


def test_numbers_in_the_markup_are_not_localised(settings):
    # French localisation would write "12,5" inside coordinates and break the drawing.
    settings.LANGUAGE_CODE = "fr"
    svg = str(indicator_chart_svg(indicator(), measures("8.1", "7.4", "7.35")))
    coordinates = re.findall(r' (?:x|y|x1|x2|y1|y2|cx|cy)="([^"]*)"', svg)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", value) for value in coordinates)
