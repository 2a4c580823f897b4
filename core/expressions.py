"""ORM expressions compiled once per process instead of once per query.

Django builds and compiles every expression of a query again for each query. For a large one (a
full-text vector over eleven columns, a concatenation of ten JSON keys, three correlated
subqueries) this costs more CPU than PostgreSQL spends running it, and a page may compile it
several times. `compiled_once` compiles such an expression the first time it is asked for and
hands out its SQL as a `RawSQL` afterwards: the ORM still writes the SQL (nothing written by
hand), but only once.

It fits expressions that name the columns of their model's own table, used in queries whose
main table is that table under its own name (the compiled SQL names it, e.g.
"experiments_monograph"."title"; a subquery's `OuterRef("pk")` becomes
"clusters_cluster"."id"). With `allow_joins=True` it may also name a related table's column
(`OuterRef("membership__cluster_id")` becomes "clusters_membership"."cluster_id"): only for
queries that always join that table under its own name (PostgreSQL refuses the others).

The builder's arguments are part of the cache key: pass the values that change between
requests (a date, a department) as arguments, never inside a closure. A text that changes at
each request (a search) is not a key: pass it in `texts`; the builder receives a placeholder
in its place, which must reach the SQL unchanged as a query parameter (as `SearchQuery(text)`
does), and each use puts its own text there."""

import functools

from django.db import DEFAULT_DB_ALIAS
from django.db.models.expressions import RawSQL
from django.db.models.sql import Query


def compiled_once(model, build, *args, output_field, texts=(), allow_joins=False) -> RawSQL:
    """`build(*args, *texts)` (an expression over `model`'s table) as SQL compiled at its first
    use for these `args`."""
    sql, params, slots = _compile(model, build, args, len(texts), allow_joins)
    params = list(params)
    for positions, text in zip(slots, texts, strict=True):
        for position in positions:
            params[position] = text
    # The SQL is the ORM's own compilation; every value stays a query parameter.
    return RawSQL(sql, params, output_field=output_field)  # noqa: S611


class _Placeholder(str):
    """Stands for a text of `texts` while the expression is compiled (found by identity)."""


@functools.lru_cache(maxsize=256)
def _compile(model, build, args, open_texts, allow_joins) -> tuple[str, tuple, tuple]:
    placeholders = [_Placeholder(f"text {index}") for index in range(open_texts)]
    query = Query(model)
    expression = build(*args, *placeholders).resolve_expression(query, allow_joins=allow_joins)
    sql, params = query.get_compiler(DEFAULT_DB_ALIAS).compile(expression)
    slots = tuple(
        tuple(position for position, param in enumerate(params) if param is placeholder)
        for placeholder in placeholders
    )
    if not all(slots):
        raise ValueError(f"{build.__name__}() must pass each text to the SQL as a parameter")
    return sql, tuple(params), slots
