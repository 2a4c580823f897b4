"""Keys for cached table rows (`{% cache %}`), like core.forms.rendering_key for forms.

A table's rows cost ~0.1–0.2 ms each to render (a URL, dates, labels, nested loops): on a page
of 20 rows, more than the rest of the page. Keyed on every value the rows show, their cached
HTML is drawn again exactly when one of those values changes, and can never be stale — as long
as the key lists every value the rows show: the template says which key its rows are cached
under, and the view lists the values next to the query that loads them."""

import operator


def rows_key(rows, *paths: str) -> str:
    """The values at `paths` ("pk", "wave.name", "facilitator_list") of each row, in order.
    A model instance counts by its repr, which holds its str()."""
    values = operator.attrgetter(*paths)
    return repr([values(row) for row in rows])
