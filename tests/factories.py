"""Factories for the test suite. Reference data (regions, departments, categories, themes) comes
from the migrations, so factories look it up rather than inventing it."""

import datetime
import itertools

import factory

from accounts.models import Role, RoleAssignment, User
from clusters.models import Cluster, Membership, Session, Theme, Wave
from establishments.finess import with_luhn_key
from establishments.models import Category, Department, Establishment, Organisation, Region

TEST_PASSWORD = "mot-de-passe-de-test-2026"
_serial = itertools.count(1)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user-{n}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.django.Password(TEST_PASSWORD)


def user_with_role(role: str, region_code: str | None = None, **kwargs) -> User:
    user = UserFactory(**kwargs)
    RoleAssignment.objects.create(
        user=user, role=role, region=region(region_code) if region_code else None
    )
    return user


def ars_user(region_code: str = "11", **kwargs) -> User:
    return user_with_role(Role.ARS, region_code, **kwargs)


def aract_user(region_code: str = "11", **kwargs) -> User:
    return user_with_role(Role.ARACT, region_code, **kwargs)


def national_user(**kwargs) -> User:
    return user_with_role(Role.NATIONAL, **kwargs)


def programme_user(**kwargs) -> User:
    """The national programme team (`pilotage` in the demo)."""
    return user_with_role(Role.PROGRAMME, **kwargs)


def admin_user(**kwargs) -> User:
    return user_with_role(Role.ADMIN, is_staff=True, is_superuser=True, **kwargs)


class WaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wave
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: str(2030 + n))
    name = factory.LazyAttribute(lambda w: f"Vague {w.code}")
    starts_on = datetime.date(2026, 1, 1)
    registration_open = True  # ARS staff may register clusters in it


def new_finess(department_code: str) -> str:
    serial = next(_serial)
    if department_code in ("2A", "2B"):
        return f"{department_code}{900000 + serial:07d}"
    if len(department_code) == 3:
        return with_luhn_key(f"{department_code}{50000 + serial:05d}")
    return with_luhn_key(f"{department_code}{900000 + serial:06d}")


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment

    class Params:
        region_code = "11"

    department = factory.LazyAttribute(
        lambda o: Department.objects.filter(region__code=o.region_code).order_by("code").first()
    )
    region = factory.LazyAttribute(lambda o: o.department.region)
    finess = factory.LazyAttribute(lambda o: new_finess(o.department.code))
    short_name = factory.Sequence(lambda n: f"EHPAD LES TILLEULS {n}")
    town = "Tilleuls-sur-Seine"
    category = factory.LazyFunction(lambda: Category.objects.get(code="500"))
    category_code = "500"
    category_label = factory.LazyAttribute(lambda o: o.category.label)
    sector = factory.LazyAttribute(lambda o: o.category.sector)


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cluster
        skip_postgeneration_save = True

    class Params:
        region_code = "11"

    name = factory.Sequence(lambda n: f"Cluster test {n}")
    region = factory.LazyAttribute(lambda o: Region.objects.get(code=o.region_code))
    wave = factory.SubFactory(WaveFactory, code="2030")
    aract = factory.LazyAttribute(
        lambda o: Organisation.objects.filter(kind="aract", region=o.region).first()
    )
    starts_on = datetime.date(2026, 2, 1)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create:
            self.themes.set(extracted or [Theme.objects.order_by("name").first()])


def add_members(cluster: Cluster, count: int) -> list[Membership]:
    """`count` new establishments of the cluster's region joined to it (rules bypassed: the
    trigger still checks them)."""
    return [
        Membership.objects.create(
            cluster=cluster,
            establishment=EstablishmentFactory(region_code=cluster.region.code),
            wave=cluster.wave,
            joined_on=datetime.date(2026, 2, 1),
        )
        for _ in range(count)
    ]


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    cluster = factory.SubFactory(ClusterFactory)
    number = factory.Sequence(lambda n: n + 1)
    held_on = datetime.date(2026, 3, 10)
    key_points = "Points clés de la séance."
