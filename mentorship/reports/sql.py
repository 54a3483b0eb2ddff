"""SQL pieces the reports need that the two databases spell differently, and a median both can compute.

PostgreSQL and SQLite agree on GROUP BY, CASE and window functions, which is all the reports use beyond these:
seconds between two timestamps, the top-level segment of a member's first domain, and the median (percentile_cont
on PostgreSQL; SQLite has none, so database.py registers statistics.median as an aggregate on each connection).
"""
from sqlalchemy import Float, String, func, literal_column, null, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from mentorship.extensions import db


class elapsed(FunctionElement):  # noqa: N801 (a SQL function, named like one)
    """later - earlier as a float number of `unit` seconds (3600: hours, 86400: days); NULL when either is NULL.
    The unit is written into the SQL as a float, so the division stays in floating point on both databases."""

    type = Float()
    inherit_cache = True
    name = "elapsed"

    def __init__(self, later, earlier, unit):
        self.unit = float(unit)
        super().__init__(later, earlier)

    def _gen_cache_key(self, anon_map, bindparams):
        return (*super()._gen_cache_key(anon_map, bindparams), self.unit)


@compiles(elapsed)
def _elapsed_postgresql(element, compiler, **kw):
    later, earlier = list(element.clauses)
    # date_part, not EXTRACT: EXTRACT answers a numeric, whose arithmetic costs more than a double's
    return (f"(date_part('epoch', {compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"
            f" / {element.unit!r})")


@compiles(elapsed, "sqlite")
def _elapsed_sqlite(element, compiler, **kw):
    later, earlier = list(element.clauses)
    return (f"((julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}))"
            f" * {86400.0 / element.unit!r})")


class first_segment(FunctionElement):  # noqa: N801
    """The text before the first '/' of the first item of a JSON list of strings, NULL when the list is empty or
    that item is empty: `["finance/credit-risk", ...]` -> 'finance' (the funnel groups members by it)."""

    type = String()
    inherit_cache = True
    name = "first_segment"


@compiles(first_segment)
def _first_segment_postgresql(element, compiler, **kw):
    (column,) = list(element.clauses)
    return f"NULLIF(split_part(({compiler.process(column, **kw)})->>0, '/', 1), '')"


@compiles(first_segment, "sqlite")
def _first_segment_sqlite(element, compiler, **kw):
    (column,) = list(element.clauses)
    item = f"json_extract({compiler.process(column, **kw)}, '$[0]')"
    return (f"NULLIF(CASE WHEN instr({item}, '/') > 0 THEN substr({item}, 1, instr({item}, '/') - 1) "
            f"ELSE {item} END, '')")


class median(FunctionElement):  # noqa: N801
    """The median of the non-NULL values, an aggregate (statistics.median): percentile_cont on PostgreSQL, the
    aggregate `median` database.py gives every SQLite connection."""

    type = Float()
    inherit_cache = True
    name = "median"


@compiles(median)
def _median_sqlite(element, compiler, **kw):
    (column,) = list(element.clauses)
    return f"median({compiler.process(column, **kw)})"


@compiles(median, "postgresql")
def _median_postgresql(element, compiler, **kw):
    (column,) = list(element.clauses)
    return f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {compiler.process(column, **kw)})"


def with_total(rows, grouped, aggregates):
    """({grp: (aggregates...)}, (the aggregates over every row)) of a SELECT `rows` with a column `grp`, in one
    statement. `aggregates(columns)` gives the aggregate expressions on the rows' columns. Without `grouped` the
    groups are {}. PostgreSQL makes the groups and the total in one pass (GROUP BY ROLLUP); SQLite has no ROLLUP,
    so there the rows are a CTE read twice (UNION ALL)."""
    if not grouped:
        facts = rows.subquery("facts")
        statement = select(literal_column("1").label("total"), null(), *aggregates(facts.c))
    elif db.session.get_bind().dialect.name == "postgresql":
        facts = rows.subquery("facts")
        statement = select(func.grouping(facts.c.grp).label("total"), facts.c.grp, *aggregates(facts.c)) \
            .group_by(func.rollup(facts.c.grp))
    else:
        facts = rows.cte("facts")
        statement = union_all(select(literal_column("1"), null(), *aggregates(facts.c)),
                              select(literal_column("0"), facts.c.grp, *aggregates(facts.c)).group_by(facts.c.grp))
    groups, total = {}, None
    for is_total, grp, *values in db.session.execute(statement):
        if is_total:
            total = tuple(values)
        else:
            groups[grp] = tuple(values)
    return groups, total


def rounded(value):
    """A median as the report shows it: to the hundredth, None when there was nothing to take it of."""
    return None if value is None else round(value, 2)


def room_to_sort(megabytes=64):
    """Give this transaction's sorts and hashes `megabytes` of memory on PostgreSQL (the default 4 MB sends a
    report over a big tenant's rows to disk); set LOCAL, so it ends with the transaction (a pooled connection
    keeps nothing)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.set_config("work_mem", f"{megabytes}MB", True)))


def json_items(column):
    """The items of a JSON list column as a table (column `value`) to join each row with: json_array_elements_text
    on PostgreSQL, json_each on SQLite; the values come back as text on one and numbers on the other."""
    name = "json_array_elements_text" if db.session.get_bind().dialect.name == "postgresql" else "json_each"
    return getattr(func, name)(column).table_valued("value")


def count_if(condition):
    """How many rows of the group meet the condition: count(*) FILTER (WHERE ...) on both databases."""
    return func.count().filter(condition)
