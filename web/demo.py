"""Deterministic demo data, built through the services: the programme's two first waves.

Wave 2016: 12 clusters in 11 regions, 80 participations; wave 2017: 17 clusters in 13 regions,
110 participations; 189 distinct establishments (one establishment takes part in both waves).
What the rows say (experiments per kind of establishment, sessions per phase, monographs) is in
web/demo_content.py.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Role, RoleAssignment, User
from clusters import services
from clusters.models import (
    Cluster,
    DelegationContact,
    ParticipantRole,
    Phase,
    SessionTool,
    Theme,
    Wave,
)
from establishments.finess import with_luhn_key
from establishments.models import (
    Category,
    Department,
    Establishment,
    LegalStatus,
    Organisation,
    Sector,
)
from experiments.models import EARLIEST_PHASE, Experiment, Indicator, Measurement, Monograph
from experiments.services import experiment_save, monograph_save, monograph_transition
from qvt.french import de
from web import demo_content as content

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
    _ensure_users(password)
    waves = {
        code: Wave.objects.get_or_create(
            code=code, defaults={"name": name, "starts_on": start, "ends_on": end}
        )[0]
        for code, (name, start, end) in WAVES.items()
    }
    created = 0
    for index, plan in enumerate(CLUSTER_PLAN):
        created += _ensure_cluster(index, plan, waves)
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
def _ensure_cluster(index: int, plan, waves) -> int:
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
    cluster_themes = [themes[index % len(themes)], themes[(index * 3 + 1) % len(themes)]]
    starts_on = wave.starts_on + datetime.timedelta(days=30 * number + index)
    cluster = Cluster.objects.create(
        name=name,
        region=region,
        wave=wave,
        problem_statement=content.THEME_PROBLEMS[cluster_themes[0].name],
        ars_referent=ars,
        aract=aract_user.organisation,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=540),
    )
    cluster.themes.set(cluster_themes)
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
    for membership in members:
        _add_contacts(membership, ars)
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
    closed = final_status == "cloture"
    theme_names = {theme.name for theme in cluster_themes}
    chosen = [
        (_pick_experiment(membership, position, theme_names), _experiment_status(position, closed))
        for position, membership in enumerate(members)
    ]
    sessions = _add_sessions(
        cluster, members, chosen, aract_user, rng, cluster_themes, closed=closed
    )
    themes_by_name = {theme.name: theme for theme in themes}
    experiments = {}
    for membership, (entry, status) in zip(members, chosen, strict=True):
        _walk_phases(membership, status, sessions, aract_user, starts_on)
        experiments[membership.pk] = _add_experiment(
            membership, entry, status, themes_by_name, aract_user, starts_on
        )
    if closed:
        _add_monographs(members, experiments, aract_user, ars)
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


# Day offsets from the cluster's start: sessions every 97 days (six over the 540 days of a
# closed cluster), the experiment from after the choice session, measured every 55 days.
SESSION_FIRST_DAY, SESSION_SPACING = 14, 97
EXPERIMENT_START, EXPERIMENT_DAYS, MEASUREMENT_SPACING = 230, 220, 55
PLANNED_SESSION_ON = datetime.date(2027, 3, 15)
# Wave 2016's monographs came out at the national seminar (DOMAIN.md: 11 September 2017).
FIRST_MONOGRAPHS_PUBLISHED_ON = datetime.date(2017, 9, 11)


CONTACT_NAMES = [(first, last) for first in content.FIRST_NAMES for last in content.LAST_NAMES]
random.Random(2016).shuffle(CONTACT_NAMES)


def _add_contacts(membership, by) -> None:
    """Two or three people of the delegation, fictional, with example.org addresses."""
    establishment = membership.establishment
    rng = random.Random(establishment.finess)
    third = (
        ParticipantRole.MEDECIN_METIER
        if establishment.sector == Sector.SANITAIRE
        else ParticipantRole.CADRE
    )
    roles = [ParticipantRole.DIRECTION, ParticipantRole.IRP]
    if rng.random() < 0.6:
        roles.append(third)
    domain = slugify(establishment.short_name) + ".example.org"
    # The next names of one fixed shuffle: nobody appears twice in a fresh demo.
    taken = DelegationContact.objects.count()
    for offset, role in enumerate(roles):
        first, last = CONTACT_NAMES[(taken + offset) % len(CONTACT_NAMES)]
        services.contact_save(
            contact=DelegationContact(
                membership=membership,
                role=role,
                name=f"{first} {last}",
                email=f"{slugify(first)}.{slugify(last)}@{domain}",
            ),
            by=by,
        )


def _add_sessions(cluster, members, chosen, facilitator, rng, cluster_themes, *, closed) -> list:
    """The sessions held, following the phases (all six of a closed cluster, the first three of
    a running one, plus one still to come). `chosen`: each member's (experiment, status).
    Returns their dates."""
    chosen_titles = "".join(
        f" {membership.establishment.short_name} : {entry['title'][0].lower()}{entry['title'][1:]}."
        for membership, (entry, _status) in zip(members, chosen, strict=True)
    )
    lasting = sum(status == Experiment.Status.PERENNISEE for _entry, status in chosen)
    tools = {tool.name: tool for tool in SessionTool.objects.all()}
    theme_names = {theme.name for theme in cluster_themes}
    plans = content.SESSIONS if closed else content.SESSIONS[:3]
    hosts = [membership.establishment.short_name for membership in members]
    dates = []
    for number, plan in enumerate(plans, start=1):
        held_on = cluster.starts_on + datetime.timedelta(
            days=SESSION_FIRST_DAY + SESSION_SPACING * (number - 1)
        )
        # Discussion-space content stays confidential, only where the cluster uses them.
        confidential = plan.get("confidential", False) and bool(theme_names & content.EDT_THEMES)
        agenda = plan["agenda"].format(theme=cluster_themes[0].name)
        session_tools = [tools[name] for name in plan["tools"]]
        if confidential:
            agenda += " Retours des espaces de discussion sur le travail (contenu confidentiel)."
            session_tools.append(tools["Espaces de discussion sur le travail (EDT)"])
        in_a_member = plan["kind"] == "collective"  # collective sessions move from host to host
        session = cluster.sessions.create(
            number=number,
            held_on=held_on,
            kind=plan["kind"],
            place=(
                f"Dans les locaux {de(hosts[number % len(hosts)])}"
                if in_a_member
                else f"Locaux de l'{cluster.aract.name}"
            ),
            agenda=agenda,
            other_tools="",
            key_points=plan["key_points"].format(
                chosen=chosen_titles, lasting=lasting, experiments=len(chosen)
            ),
            decisions=plan["decisions"],
            next_steps=plan["next_steps"],
            is_confidential=confidential,
            created_by=facilitator,
        )
        session.tools.set(session_tools)
        counts = {}
        for membership in members:
            for role in ("direction", "irp", "medecin_metier", "cadre"):
                counts[(membership.id, role)] = rng.randint(0, 2) if role == "cadre" else 1
        services.session_save_attendance(session=session, counts=counts)
        dates.append(held_on)
    if not closed:  # one session still to come, for the facilitator's dashboard
        cluster.sessions.create(
            number=len(plans) + 1,
            held_on=PLANNED_SESSION_ON,
            kind="collective",
            place=f"Locaux de l'{cluster.aract.name}",
            agenda="Point d'étape des expérimentations ; premières mesures des indicateurs ; "
            "difficultés rencontrées et entraide entre établissements.",
            is_draft=True,
            created_by=facilitator,
        )
    return dates


def _experiment_status(position: int, closed: bool) -> str:
    """A closed cluster's members made their experiment last, or evaluated it (one gave it
    up); a running cluster's are experimenting, or still choosing."""
    if closed:
        if position % 3:
            return Experiment.Status.PERENNISEE
        return Experiment.Status.ABANDONNEE if position == 3 else Experiment.Status.EVALUEE
    return Experiment.Status.EN_COURS if position % 3 else Experiment.Status.ENVISAGEE


def _walk_phases(membership, status, session_dates, by, starts_on) -> None:
    """Step by step from framing to the phase the experiment's status needs, each step on the
    day it happened (a session, or the experiment's start)."""
    start = starts_on + datetime.timedelta(days=EXPERIMENT_START)
    steps = [(Phase.DIAGNOSTIC, session_dates[0]), (Phase.CHOIX, session_dates[2])]
    steps += [(Phase.EXPERIMENTATION, start)]
    if len(session_dates) == 6:
        steps += [(Phase.EVALUATION, session_dates[4]), (Phase.PERENNISATION, session_dates[5])]
    last = Phase.values.index(EARLIEST_PHASE[status])
    if status in (Experiment.Status.EVALUEE, Experiment.Status.ABANDONNEE):
        last = Phase.values.index(Phase.EVALUATION)  # evaluated, and kept there
    for phase, changed_on in steps:
        if Phase.values.index(phase) > last:
            break
        services.membership_set_phase(
            membership=membership,
            phase=phase,
            by=by,
            changed_on=changed_on,
            comment="Avancement constaté en séance.",
        )


def _pick_experiment(membership, position: int, theme_names: set[str]) -> dict:
    """The experiment of the establishment's kind (demo_content.EXPERIMENTS) that fits the
    cluster's themes, if one does."""
    catalogue = content.EXPERIMENTS[membership.establishment.category_code]
    fitting = [entry for entry in catalogue if entry["theme"] in theme_names]
    return fitting[position % len(fitting)] if fitting else catalogue[position % len(catalogue)]


def _add_experiment(membership, entry, status, themes_by_name, by, starts_on):
    """The experiment `entry`, and measurements that tell the story of its status. Returns
    (experiment, indicator lines)."""
    begins = starts_on + datetime.timedelta(days=EXPERIMENT_START)
    experiment = experiment_save(
        membership=membership,
        values={
            "title": entry["title"],
            "problem": entry["problem"],
            "objectives": entry["objectives"],
            "unit": entry["unit"],
            "starts_on": begins,
            "ends_on": (
                None
                if status == Experiment.Status.ENVISAGEE
                else begins + datetime.timedelta(days=EXPERIMENT_DAYS)
            ),
            "status": status,
            "actions": entry["actions"],
        },
        themes=[themes_by_name[entry["theme"]]],
        by=by,
    )
    # Each establishment starts from its own point, a little further from the target or not:
    # two of them running the same experiment do not show the same figures.
    handicap = random.Random(membership.establishment.finess).choice(content.HANDICAPS)
    lines = []
    for (name, unit, baseline, target, higher), story in zip(
        entry["indicators"], content.STORIES[status], strict=True
    ):
        baseline, target = Decimal(baseline), Decimal(target)
        # Whole numbers stay whole (minutes, accidents); rates keep one decimal.
        step = Decimal(1) if baseline == baseline.to_integral() else Decimal("0.1")
        baseline = max(baseline - (target - baseline) * handicap, Decimal(0)).quantize(step)
        indicator = Indicator.objects.create(
            experiment=experiment,
            name=name,
            unit=unit,
            baseline=baseline,
            target=target,
            higher_is_better=higher,
        )
        values = [(baseline + (target - baseline) * share).quantize(step) for share in story]
        Measurement.objects.bulk_create(
            Measurement(
                indicator=indicator,
                measured_on=begins + datetime.timedelta(days=MEASUREMENT_SPACING * (n + 1)),
                value=value,
            )
            for n, value in enumerate(values)
        )
        lines.append(_indicator_line(name, unit, baseline, target, higher, values))
    return experiment, lines


def _french(value: Decimal, unit: str) -> str:
    """9.8 and "%" -> "9,8 %"; 7.2 and "/10" -> "7,2/10" (French typography)."""
    text = f"{value.normalize():f}".replace(".", ",")
    return f"{text}{unit}" if unit.startswith("/") else f"{text}\u00a0{unit}"


def _indicator_line(name, unit, baseline, target, higher, values) -> tuple[str, str]:
    """(the indicator's sentence for a monograph, its verdict: atteint, progres, stable)."""
    if not values:
        return f"{name} : {_french(baseline, unit)} au départ (cible {_french(target, unit)}).", ""
    last = values[-1]
    gain = (last - baseline) if higher else (baseline - last)
    reached = last >= target if higher else last <= target
    verdict = "atteint" if reached else "progres" if gain > 0 else "stable"
    words = {"atteint": "cible atteinte", "progres": "en progrès", "stable": "sans amélioration"}
    return (
        f"{name} : {_french(baseline, unit)} au départ, {_french(last, unit)} à la dernière "
        f"mesure, pour une cible de {_french(target, unit)} ({words[verdict]}).",
        verdict,
    )


def _add_monographs(members, experiments, facilitator, ars) -> None:
    """The first five members write a monograph, at each stage of the workflow; wave 2016's
    published ones came out at the national seminar, later ones two months after the end."""
    targets = ["publiee", "publiee", "validee", "soumise", "brouillon"]
    cluster = members[0].cluster
    ends = cluster.ends_on
    if cluster.wave.code == "2016":
        published_on = FIRST_MONOGRAPHS_PUBLISHED_ON
    else:
        published_on = ends + datetime.timedelta(days=60)
    # A wave 2016 cluster ends before the seminar: validated then, published there.
    dates = {
        "soumise": ends - datetime.timedelta(days=30),
        "validee": min(ends, published_on - datetime.timedelta(days=1)),
        "publiee": published_on,
    }
    for membership, target in zip(members, targets, strict=False):
        experiment, lines = experiments[membership.pk]
        monograph = monograph_save(
            membership=membership,
            values=_monograph_text(membership, experiment, lines),
            by=facilitator,
        )
        path = {"brouillon": [], "soumise": ["soumise"], "validee": ["soumise", "validee"]}.get(
            target, ["soumise", "validee", "publiee"]
        )
        for status in path:
            monograph_transition(
                monograph=monograph, target=status, by=facilitator if status == "soumise" else ars
            )
        # The workflow stamps today; the demo's history happened years ago.
        fields = {"soumise": "submitted_at", "validee": "validated_at", "publiee": "published_at"}
        if path:
            Monograph.objects.filter(pk=monograph.pk).update(
                **{fields[status]: _at(dates[status]) for status in path}
            )
            for status in path:
                monograph.transitions.filter(to_status=status).update(at=_at(dates[status]))


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def _monograph_text(membership, experiment, lines) -> dict:
    establishment = membership.establishment
    cluster = membership.cluster
    status = experiment.status
    indicator_sentences = " ".join(sentence for sentence, _verdict in lines)
    verdicts = {verdict for _sentence, verdict in lines}
    if verdicts == {"atteint"}:
        outcome = "Les deux indicateurs ont atteint leur cible."
    elif "atteint" in verdicts or "progres" in verdicts:
        outcome = "Les indicateurs progressent, sans atteindre toutes leurs cibles."
    else:
        outcome = "Les indicateurs n'ont pas bougé de façon nette."
    themes = ", ".join(theme.name for theme in cluster.themes.all())
    period = f"du {cluster.starts_on:%d/%m/%Y} au {cluster.ends_on:%d/%m/%Y}"
    values = {
        "title": f"{establishment.short_name} : {experiment.title[0].lower()}"
        f"{experiment.title[1:]}"[:200],
        "summary": (
            f"{establishment.short_name} a expérimenté « {experiment.title} » "
            f"({experiment.unit}). {experiment.problem} {outcome} "
            f"Expérimentation {experiment.get_status_display().lower()} à la fin du cluster."
        ),
        "identity": (
            f"{establishment.long_name}, {establishment.town} ({establishment.department.name}). "
            f"Catégorie FINESS : {establishment.category_label}. Secteur "
            f"{establishment.get_sector_display().lower()}, statut "
            f"{establishment.get_legal_status_display().lower()}."
        ),
        "context": (
            f"{content.KIND_CONTEXTS[establishment.category_code]} L'établissement a rejoint le "
            f"{cluster.name} ({themes}), animé par l'{cluster.aract.name}. "
            f"Problématique commune : {cluster.problem_statement}"
        ),
        "approach": (
            f"Un trinôme — direction, représentant du personnel et "
            f"{'médecin' if establishment.sector == Sector.SANITAIRE else 'cadre de proximité'}"
            f" — a suivi les six séances collectives {period}. Un comité de pilotage "
            "réunissant la direction, l'encadrement, les représentants du personnel et le "
            "médecin du travail s'est tenu tous les deux mois ; les instances représentatives "
            "du personnel ont été informées à chaque étape."
        ),
        "diagnostic": (
            "Le diagnostic a croisé des observations de situations de travail, des entretiens "
            "avec les équipes et un reportage photo. Constat principal : "
            f"{experiment.problem[0].lower()}{experiment.problem[1:]}"
        ),
        "experiments": (
            f"« {experiment.title} » — {experiment.unit}, du {experiment.starts_on:%d/%m/%Y} au "
            f"{experiment.ends_on:%d/%m/%Y}. Objectifs : {experiment.objectives} "
            f"Actions : {experiment.actions}"
        ),
        "results": f"{indicator_sentences} {outcome}",
        "lessons": content.LESSONS[status],
        "outlook": content.OUTLOOKS[status],
        "annexes": "Calendrier de la démarche ; tableau de suivi des indicateurs ; compte rendu "
        "du comité de pilotage de clôture (documents internes, disponibles auprès de "
        "l'établissement).",
    }
    return values


def _ensure_extra_establishments():
    regions = Department.objects.exclude(region=None).values_list("region__code", flat=True)
    for code in sorted(set(regions)):
        used = sum(plan[3] for plan in CLUSTER_PLAN if plan[1] == code)
        for serial in range(used, used + EXTRA_PER_REGION):
            _establishment(code, serial)
