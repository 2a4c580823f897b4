"""Deterministic demo data, built through the services: the programme's two first waves.

Wave 2016: 12 clusters in 11 regions, 80 participations; wave 2017: 17 clusters in 13 regions,
110 participations; 189 distinct establishments (one establishment takes part in both waves).
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from clusters import services
from clusters.models import Cluster, Phase, SessionTool, Theme, Wave
from establishments.finess import with_luhn_key
from establishments.models import Category, Department, Establishment, LegalStatus, Organisation
from experiments.models import MONOGRAPH_SECTIONS, Experiment, Indicator, Measurement, Monograph
from experiments.services import monograph_transition
from qvt.french import de

# (wave code, region INSEE code, cluster number in its region, member count, final status)
CLUSTER_PLAN = [
    *[("2016", r, 1, 7, "cloture") for r in ["11", "24", "27", "28", "32", "44", "52", "53"]],
    *[("2016", r, 1, 6, "cloture") for r in ["75", "76", "84"]],
    ("2016", "11", 2, 6, "cloture"),
    *[("2017", r, 1, 7, "cloture") for r in ["11", "84", "75", "93"]],
    *[("2017", r, 1, 7, "en_cours") for r in ["24", "27", "28", "32"]],
    *[("2017", r, 1, 6, "en_cours") for r in ["44", "52", "53", "76", "94"]],
    *[("2017", r, 2, 6, "constitue") for r in ["11", "84"]],
    *[("2017", r, 2, 6, "constitue") for r in ["75", "93"]],
    # Drafts never count in the figures (Cluster.objects.counted()): the 17 clusters and 110
    # participations published for 2017 are the constituted ones.
    *[("2017", r, 3, 5, "brouillon") for r in ["75", "93"]],
]
WAVES = {
    "2016": ("Vague 2016", datetime.date(2016, 1, 1), datetime.date(2017, 6, 30)),
    "2017": ("Vague 2017", datetime.date(2017, 1, 1), datetime.date(2018, 12, 31)),
}
# (category code, name prefix, legal status)
KINDS = [
    ("355", "CENTRE HOSPITALIER", LegalStatus.PUBLIC),
    ("500", "EHPAD", LegalStatus.PUBLIC),
    ("365", "CLINIQUE", LegalStatus.PRIVE_COMMERCIAL),
    ("255", "MAS", LegalStatus.PRIVE_NON_LUCRATIF),
    ("127", "HAD", LegalStatus.ESPIC),
    ("183", "IME", LegalStatus.PRIVE_NON_LUCRATIF),
    ("292", "CHS", LegalStatus.PUBLIC),
    ("246", "ESAT", LegalStatus.PRIVE_NON_LUCRATIF),
    ("354", "SSIAD", LegalStatus.A_QUALIFIER),
    ("177", "MECS", LegalStatus.PRIVE_NON_LUCRATIF),
]
PLACES = [
    "LES TILLEULS", "SAINT-MARTIN", "LA COLLINE", "LE VAL FLEURI", "LES GLYCINES", "BEAUSÉJOUR",
    "LES CÈDRES", "PONT-NEUF", "LA SOURCE", "L'ÉTANG", "LES ROCHES", "MONTJOIE", "LES PINS",
    "SAINTE-ANNE", "LE BOCAGE", "LA RIVIÈRE",
]  # fmt: skip
EXTRA_PER_REGION = 4  # establishments that are in no cluster, so that search has more to find


@dataclass
class DemoResult:
    created_clusters: int
    passwords_set: bool


@transaction.atomic  # one commit, not one per row: the demo loads in a third of the time
def seed(*, password: str | None) -> DemoResult:
    admin = _ensure_users(password)
    waves = {
        code: Wave.objects.get_or_create(
            code=code, defaults={"name": name, "starts_on": start, "ends_on": end}
        )[0]
        for code, (name, start, end) in WAVES.items()
    }
    created = 0
    for index, plan in enumerate(CLUSTER_PLAN):
        created += _ensure_cluster(index, plan, waves, admin)
    _ensure_extra_establishments()
    _ensure_programme_team_and_open_wave(password)
    return DemoResult(created_clusters=created, passwords_set=password is not None)


def demo_usernames() -> list[str]:
    regions = sorted({region for _wave, region, *_rest in CLUSTER_PLAN})
    return [f"{prefix}-{code}" for code in regions for prefix in ("ars", "aract")] + [
        "dgos",
        "pilotage",
        "admin",
    ]


def _ensure_programme_team_and_open_wave(password: str | None) -> None:
    """The programme team's login, and a wave of the current year open for registration, so that
    an ARS can register a cluster right after `make run`."""
    dgos = Organisation.objects.get(kind="national", name__startswith="DGOS")
    _ensure_user("pilotage", password, Role.PROGRAMME, dgos, "Équipe", "Programme national")
    year = timezone.localdate().year
    Wave.objects.get_or_create(
        code=str(year),
        defaults={
            "name": f"Vague {year}",
            "starts_on": datetime.date(year, 1, 1),
            "ends_on": datetime.date(year + 1, 12, 31),
            "registration_open": True,
        },
    )


def _ensure_users(password: str | None) -> User:
    # Hash once for every account: the hasher is slow on purpose (28 hashes took 8 s).
    hashed = make_password(password) if password is not None else None
    regions = sorted({region for _wave, region, *_rest in CLUSTER_PLAN})
    for code in regions:
        ars = Organisation.objects.get(kind="ars", region__code=code)
        aract = Organisation.objects.get(kind="aract", region__code=code)
        _ensure_user(f"ars-{code}", hashed, Role.ARS, ars, "Référent ARS", ars.region.name)
        _ensure_user(f"aract-{code}", hashed, Role.ARACT, aract, "Chargé(e) de mission", aract.name)
    dgos = Organisation.objects.get(kind="national", name__startswith="DGOS")
    _ensure_user("dgos", hashed, Role.NATIONAL, dgos, "Lecteur", "DGOS")
    admin = _ensure_user("admin", hashed, Role.ADMIN, dgos, "Administrateur", "Clusters QVT")
    if not admin.is_staff:
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    return admin


def _ensure_user(username, password_hash, role, organisation, first_name, last_name) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": f"{username}@demo.clusters-qvt.invalid",
            "organisation": organisation,
        },
    )
    if password_hash is not None:
        user.password = password_hash
        user.save(update_fields=["password"])
    elif created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    region = organisation.region if role in (Role.ARS, Role.ARACT) else None
    RoleAssignment.objects.get_or_create(user=user, role=role, region=region)
    return user


def _establishment(region_code: str, serial: int) -> Establishment:
    """The `serial`-th fictional establishment of a region (same inputs, same establishment)."""
    departments = list(Department.objects.filter(region__code=region_code).order_by("code"))
    department = departments[serial % len(departments)]
    category_code, prefix, legal_status = KINDS[(serial + int(region_code)) % len(KINDS)]
    place = PLACES[(serial * 7 + int(region_code)) % len(PLACES)]
    finess = _finess_number(department, region_code, serial)
    category = Category.objects.get(code=category_code)
    establishment, _ = Establishment.objects.get_or_create(
        finess=finess,
        defaults={
            "finess_ej": _finess_number(department, region_code, serial + 500),
            "short_name": f"{prefix} {place}"[:100],
            "long_name": f"{prefix} {place} — site {serial + 1}",
            "category": category,
            "category_code": category.code,
            "category_label": category.label,
            "sector": category.sector,
            "legal_status": legal_status,
            "department": department,
            "region": department.region,
            "address": f"{10 + serial} RUE DES ÉCOLES",
            "postcode": f"{department.code[:2]}{serial % 1000:03d}"[:5],
            "town": place.title(),
        },
    )
    return establishment


def _finess_number(department: Department, region_code: str, serial: int) -> str:
    if department.code in ("2A", "2B"):  # Corsican numbers: format only, no Luhn key
        return f"{department.code}{int(region_code) * 1000 + serial:07d}"
    if len(department.code) == 3:  # overseas: 971..974, Mayotte 9805...
        prefix = "9805" if department.code == "976" else department.code
        return with_luhn_key(f"{prefix}{serial:0{8 - len(prefix)}d}")
    return with_luhn_key(f"{department.code}{serial + 100:06d}")


@transaction.atomic
def _ensure_cluster(index: int, plan, waves, admin) -> int:
    wave_code, region_code, number, size, final_status = plan
    wave = waves[wave_code]
    ars = User.objects.get(username=f"ars-{region_code}")
    aract_user = User.objects.get(username=f"aract-{region_code}")
    region = ars.organisation.region
    name = f"Cluster {region.name} {number} — {wave.name}"
    if Cluster.objects.filter(wave=wave, name=name).exists():
        return 0
    rng = random.Random(index)  # deterministic per cluster
    themes = list(Theme.objects.order_by("name"))
    starts_on = wave.starts_on + datetime.timedelta(days=30 * number + index)
    cluster = Cluster.objects.create(
        name=name,
        region=region,
        wave=wave,
        problem_statement=(
            "Comment améliorer la qualité de vie au travail des équipes tout en maintenant la "
            f"qualité des soins ? Problématique commune : {themes[index % len(themes)].name}."
        ),
        ars_referent=ars,
        aract=aract_user.organisation,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=540),
    )
    cluster.themes.set([themes[index % len(themes)], themes[(index * 3 + 1) % len(themes)]])
    cluster.facilitators.add(aract_user)

    # Each region's clusters take consecutive establishments; the last member of
    # Île-de-France's second 2016 cluster joins its first 2017 cluster too (190 vs 189).
    first_serial = _first_serial(plan)
    members = [
        services.cluster_add_member(
            cluster=cluster,
            establishment=_establishment(region_code, serial),
            joined_on=starts_on,
        )
        for serial in range(first_serial, first_serial + size)
    ]
    if final_status == "brouillon":
        return 1
    services.cluster_transition(
        cluster=cluster, target=Cluster.Status.CONSTITUE, by=ars, on=starts_on
    )
    if final_status == "constitue":
        return 1
    services.cluster_transition(
        cluster=cluster, target=Cluster.Status.EN_COURS, by=ars, on=starts_on
    )
    session_count = 6 if final_status == "cloture" else 3
    _add_sessions(
        cluster, members, aract_user, rng, session_count, planned=final_status != "cloture"
    )
    reached = Phase.values[-1] if final_status == "cloture" else Phase.EXPERIMENTATION
    for position, membership in enumerate(members):
        phase = reached if position % 3 else Phase.values[Phase.values.index(reached) - 1]
        services.membership_set_phase(
            membership=membership,
            phase=phase,
            by=aract_user,
            changed_on=starts_on + datetime.timedelta(days=120),
            comment="Avancement constaté en séance.",
            confirm_jump=True,  # the phase reached at once, as a facilitator confirms it
        )
        _add_experiment(membership, themes, rng, starts_on)
    if final_status == "cloture":
        _add_monographs(members, aract_user, ars, admin)
        services.cluster_transition(
            cluster=cluster,
            target=Cluster.Status.CLOTURE,
            by=ars,
            on=starts_on + datetime.timedelta(days=540),
        )
    return 1


def _first_serial(plan) -> int:
    """Serial of the first member of `plan` among its region's establishments."""
    wave_code, region_code, number, _size, _status = plan
    serial = 0
    for other in CLUSTER_PLAN:
        if other == plan:
            break
        if other[1] == region_code:
            serial += other[3]
    if (wave_code, region_code, number) == ("2017", "11", 1):
        serial -= 1  # starts with the last member of Île-de-France's second 2016 cluster
    return serial


def _add_sessions(cluster, members, facilitator, rng, count, *, planned):
    tools = list(SessionTool.objects.order_by("name"))
    kinds = ["lancement"] + ["collective"] * (count - 2) + ["restitution"]
    for number in range(1, count + 1):
        held_on = cluster.starts_on + datetime.timedelta(days=75 * (number - 1) + 14)
        session = cluster.sessions.create(
            number=number,
            held_on=held_on,
            kind=kinds[number - 1],
            place=f"Locaux de l'{cluster.aract.name}",
            agenda="Tour de table ; retour sur les diagnostics ; travail en sous-groupes.",
            other_tools="",
            key_points="Les établissements partagent leurs premiers constats sur le travail réel.",
            decisions="Chaque trinôme présente son choix d'expérimentation à la séance suivante.",
            next_steps="Réunir les COPIL et préparer les indicateurs de suivi.",
            is_confidential=number == 3,  # an "espace de discussion" session: confidential
            created_by=facilitator,
        )
        session.tools.set(rng.sample(tools, 2))
        counts = {}
        for membership in members:
            for role in ("direction", "irp", "medecin_metier", "cadre"):
                counts[(membership.id, role)] = rng.randint(0, 2) if role == "cadre" else 1
        services.session_save_attendance(session=session, counts=counts)
    if planned:  # one session still to come, for the facilitator's dashboard
        cluster.sessions.create(
            number=count + 1,
            held_on=datetime.date(2027, 3, 15),
            kind="collective",
            place=f"Locaux de l'{cluster.aract.name}",
            agenda="Point d'étape des expérimentations.",
            is_draft=True,
            created_by=facilitator,
        )


def _add_experiment(membership, themes, rng, starts_on):
    experiment = Experiment.objects.create(
        membership=membership,
        title=f"Réorganiser les transmissions — {membership.establishment.short_name}"[:200],
        problem="Des transmissions trop longues empiètent sur le temps de soin.",
        objectives="Réduire la durée des transmissions et l'absentéisme de l'équipe.",
        unit="Unité de médecine polyvalente",
        starts_on=starts_on + datetime.timedelta(days=150),
        ends_on=starts_on + datetime.timedelta(days=450),
        status=rng.choice(["en_cours", "evaluee", "perennisee"]),
        actions="Transmissions ciblées au lit du patient ; temps d'échange hebdomadaire.",
    )
    experiment.themes.set([rng.choice(themes)])
    for name, unit, baseline, target, higher in [
        ("Taux d'absentéisme", "%", Decimal("9.5"), Decimal("7.0"), False),
        ("Satisfaction des patients", "/10", Decimal("7.2"), Decimal("8.0"), True),
    ]:
        indicator = Indicator.objects.create(
            experiment=experiment,
            name=name,
            unit=unit,
            baseline=baseline,
            target=target,
            higher_is_better=higher,
        )
        step = (target - baseline) / 4
        Measurement.objects.bulk_create(
            Measurement(
                indicator=indicator,
                measured_on=experiment.starts_on + datetime.timedelta(days=90 * quarter),
                value=baseline + step * quarter + Decimal(rng.randint(-2, 2)) / 10,
            )
            for quarter in range(1, 4)
        )


def _add_monographs(members, facilitator, ars, admin):
    targets = ["publiee", "publiee", "validee", "soumise", "brouillon"]
    for membership, target in zip(members, targets, strict=False):
        establishment = membership.establishment
        monograph = Monograph.objects.create(
            membership=membership,
            title=f"La démarche QVT {de(establishment.short_name)}",
            **{
                field: f"{label} — {establishment.short_name} : texte de la monographie."
                for field, label in MONOGRAPH_SECTIONS
            },
        )
        monograph.authors.add(facilitator)
        path = {"brouillon": [], "soumise": ["soumise"], "validee": ["soumise", "validee"]}
        for status in path.get(target, ["soumise", "validee", "publiee"]):
            monograph_transition(
                monograph=monograph, target=status, by=facilitator if status == "soumise" else ars
            )


def _ensure_extra_establishments():
    regions = Department.objects.exclude(region=None).values_list("region__code", flat=True)
    for code in sorted(set(regions)):
        used = sum(plan[3] for plan in CLUSTER_PLAN if plan[1] == code)
        for serial in range(used, used + EXTRA_PER_REGION):
            _establishment(code, serial)
