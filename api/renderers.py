"""CSV for the open data: the project's export conventions (UTF-8 with BOM, semicolons, text
that a spreadsheet would run as a formula neutralised)."""

import csv
import io

from rest_framework.renderers import BaseRenderer

from programme.exports import CSV_BOM, safe_cell


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        """`data`: a list of flat dicts (one row each, same keys), or a dict (an error)."""
        rows = data if isinstance(data, list) else [data]
        buffer = io.StringIO()
        buffer.write(CSV_BOM)
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        if rows:
            writer.writerow(rows[0].keys())
            writer.writerows([safe_cell(_text(value)) for value in row.values()] for row in rows)
        return buffer.getvalue().encode("utf-8")


def _text(value):
    return "" if value is None else value
