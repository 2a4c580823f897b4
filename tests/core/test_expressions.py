"""core.expressions.compiled_once: the ORM's own SQL, compiled once per process and arguments
(a text given at each use stays a parameter); core.rendering.rows_key: what a cached table's
rows show."""

import datetime
import re

import pytest
from django.db.models import BooleanField, Count, DateField, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from clusters.models import Cluster, Membership, Session
from core import expressions
from core.expressions import compiled_once
from core.rendering import rows_key
from establishments.models import Region
from tests.factories import ClusterFactory, SessionFactory, add_members

pytestmark = pytest.mark.django_db

built = []


def member_count():
    built.append("member_count")
    members = Membership.objects.filter(cluster=OuterRef("pk"), withdrawn_on__isnull=True)
    return Coalesce(
        Subquery(members.order_by().values("cluster").annotate(n=Count("pk")).values("n")), 0
    )


def first_session_from(day):
    sessions = Session.objects.filter(cluster=OuterRef("pk"), held_on__gte=day)
    return Subquery(sessions.order_by("held_on").values("held_on")[:1])


def test_compiled_once_runs_the_sql_the_orm_writes():
    cluster = ClusterFactory()
    add_members(cluster, 3)
    SessionFactory(cluster=cluster, number=1, held_on=datetime.date(2026, 5, 4))
    day = datetime.date(2026, 5, 1)
    by_orm = Cluster.objects.annotate(n=member_count(), next=first_session_from(day))
    once = Cluster.objects.annotate(
        n=compiled_once(Cluster, member_count, output_field=IntegerField()),
        next=compiled_once(Cluster, first_session_from, day, output_field=DateField()),
    )

    def sql(queryset):  # the same, but for the parentheses around the compiled expression
        return re.sub(r"[()]", "", str(queryset.query))

    assert sql(once) == sql(by_orm)
    assert list(once.values_list("n", "next")) == [(3, datetime.date(2026, 5, 4))]
    assert once.filter(n__gte=3).count() == 1


def test_compiled_once_builds_once_for_each_set_of_arguments():
    expressions._compile.cache_clear()
    built.clear()
    for _ in range(3):
        compiled_once(Cluster, member_count, output_field=IntegerField())
    assert built == ["member_count"]
    may, june = datetime.date(2026, 5, 1), datetime.date(2026, 6, 1)
    in_may = compiled_once(Cluster, first_session_from, may, output_field=DateField())
    in_june = compiled_once(Cluster, first_session_from, june, output_field=DateField())
    assert (in_may.params, in_june.params) == ([may], [june])


def named(text):
    return Q(name=text)


def named_like(text):
    return Q(name__icontains=text)  # the parameter is "%text%": not the text itself


def test_a_text_given_at_each_use_is_a_parameter_of_the_sql_compiled_once():
    expressions._compile.cache_clear()
    for name in ("Bretagne", "Normandie", "Bretagne"):
        condition = compiled_once(Region, named, output_field=BooleanField(), texts=[name])
        assert list(Region.objects.filter(condition).values_list("name", flat=True)) == [name]
    assert expressions._compile.cache_info().misses == 1
    with pytest.raises(ValueError, match="named_like"):
        compiled_once(Region, named_like, output_field=BooleanField(), texts=["Bre"])


def test_rows_key_holds_each_value_the_rows_show():
    cluster = ClusterFactory(name="Cluster des Tilleuls")
    key = rows_key([cluster], "pk", "name", "wave.name")
    assert key == repr([(cluster.pk, "Cluster des Tilleuls", cluster.wave.name)])
    # Model instances by their repr, which holds what str() shows.
    assert str(cluster.region) in rows_key([cluster], "region")
