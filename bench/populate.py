"""A deterministic national-scale dataset, loaded with PostgreSQL COPY.

    python -m bench.populate --scale 1 [--database-url URL] [--reset] [--password P]

Scale 1 = 100,000 establishments (every department), 3,000 clusters (about 20,000 memberships),
30,000 sessions with their attendance grids, 10,000 experiments with indicators and measurements,
3,000 monographs (a third published), over 10 waves and the 18 regions; plus an ARS and an Aract
user per region, a national reader (`dgos`), the programme team (`programme`) and an
administrator (`admin`), all with one password.

The same scale always gives the same rows (one seeded random generator, fixed timestamps).
The database is migrated first; a database that already holds clusters or establishments is
refused unless --reset, which empties the generated tables.

The rules the membership trigger keeps (members in the cluster's region, at most 8 active
members, one active cluster per wave per establishment) hold by construction, and the trigger
stays ON during the load: it checks every row (its cost is printed with the membership COPY).
"""

import argparse
import datetime
import io
import json
import logging
import os
import random
import sys
import time
from decimal import Decimal

ESTABLISHMENTS = 100_000
CLUSTERS = 3_000
SESSIONS = 30_000
EXPERIMENTS = 10_000
MONOGRAPHS = 3_000
WAVE_COUNT = 10
FIRST_WAVE_YEAR = 2016
DEFAULT_PASSWORD = "Bench-QVT-2026!"  # fictional dataset on a local database
SEED = 20260101
# Fixed "now" for auto_now fields, so that two runs give identical rows.
FIXED_NOW = datetime.datetime(2026, 1, 15, 9, 0, tzinfo=datetime.UTC)

KINDS = [
    ("CENTRE HOSPITALIER", "public"),
    ("EHPAD", "public"),
    ("EHPAD", "prive_non_lucratif"),
    ("CLINIQUE", "prive_commercial"),
    ("MAS", "prive_non_lucratif"),
    ("HAD", "espic"),
    ("IME", "prive_non_lucratif"),
    ("CENTRE HOSPITALIER SPÉCIALISÉ", "public"),
    ("ESAT", "prive_non_lucratif"),
    ("SSIAD", "a_qualifier"),
    ("FOYER D'ACCUEIL MÉDICALISÉ", "prive_non_lucratif"),
    ("MECS", "prive_non_lucratif"),
]
PLACES = [
    "LES TILLEULS", "SAINT-MARTIN", "LA COLLINE", "LE VAL FLEURI", "LES GLYCINES", "BEAUSÉJOUR",
    "LES CÈDRES", "PONT-NEUF", "LA SOURCE", "L'ÉTANG", "LES ROCHES", "MONTJOIE", "LES PINS",
    "SAINTE-ANNE", "LE BOCAGE", "LA RIVIÈRE", "LES LILAS", "BELLEVUE", "LES ÉRABLES", "LE PARC",
    "SAINT-JOSEPH", "LA ROSERAIE", "LES VIGNES", "L'ORÉE DU BOIS", "LES HORTENSIAS",
]  # fmt: skip
TOWN_FIRST = [
    "Saint-", "Sainte-", "Vill", "Mont", "Beau", "Château", "Font", "Roche", "Val", "Bois",
    "Pré", "Neu", "Cour", "Fon", "Mar", "Bel", "Lan", "Ker", "Plou", "Trémé",
]  # fmt: skip
TOWN_SECOND = [
    "ebrun", "eneuve", "ier", "ois", "ange", "ès", "ac", "y-le-Grand", "-sur-Loire", "-en-Brie",
    "ard", "olles", "ignac", "ézieux", "ville", "court", "mont", "fort", "ay", "enay",
    "-les-Bains", "ille", "ouse", "elle", "igny", "ec", "erne", "ieu", "al", "ot",
]  # fmt: skip
STREETS = ["RUE DES ÉCOLES", "AVENUE DE LA GARE", "CHEMIN DU MOULIN", "PLACE DE L'ÉGLISE",
           "RUE PASTEUR", "BOULEVARD VICTOR HUGO", "ROUTE DE LA FORÊT", "RUE DU STADE"]  # fmt: skip
UNITS = ["Médecine", "Chirurgie ambulatoire", "EHPAD, unité Alzheimer", "Psychiatrie adulte",
         "Soins de suite", "Bloc opératoire", "Urgences", "Hébergement", "Atelier ESAT",
         "Service de nuit", "Pôle gériatrie", "Hôpital de jour"]  # fmt: skip
INDICATORS = [
    ("Taux d'absentéisme", "%", False),
    ("Taux de rotation du personnel", "%", False),
    ("Accidents du travail", "nombre", False),
    ("Satisfaction des patients", "/10", True),
    ("Postes vacants", "nombre", False),
    ("Satisfaction des équipes", "/10", True),
]
EXPERIMENT_TITLES = [
    "Planification des horaires par l'équipe", "Temps d'échange sur le travail hebdomadaire",
    "Binômes soignants jour-nuit", "Réorganisation des transmissions", "Vis mon travail",
    "Pool de remplacement interne", "Accueil des nouveaux arrivants", "Espaces de discussion",
    "Matériel d'aide à la manutention", "Démarche de prévention des TMS",
]  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.populate", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 100,000 establishments")
    parser.add_argument("--database-url", help="defaults to $DATABASE_URL")
    parser.add_argument("--reset", action="store_true", help="empty the generated tables first")
    parser.add_argument("--password", default=DEFAULT_PASSWORD, help="password of every user")
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.scale > 10:
        parser.error("--scale must be in (0, 10]")
    setup_django(args.database_url)
    return populate(scale=args.scale, reset=args.reset, password=args.password)


def setup_django(database_url: str | None) -> None:
    from bench.run import _env_database_url

    database_url = database_url or _env_database_url()
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL or pass --database-url (the embedded database is not used).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qvt.settings")
    import django

    django.setup()


def populate(*, scale: float, reset: bool, password: str) -> int:
    from django.core.management import call_command
    from django.db import connection, transaction

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    from clusters.models import Cluster
    from establishments.models import Establishment

    if Cluster.objects.exists() or Establishment.objects.exists():
        if not reset:
            print(
                "This database already holds clusters or establishments: "
                "pass --reset to replace them.",
                file=sys.stderr,
            )
            return 2
        _reset(connection)
    with transaction.atomic():
        loader = Loader(connection, scale=scale, password=password)
        loader.run()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    elapsed = time.monotonic() - started
    print(
        f"Done in {elapsed:.0f} s (scale {scale:g}, database {connection.settings_dict['NAME']})."
    )
    logins = "ars-<region code>, aract-<region code>, dgos, programme, admin"
    print(f"Logins: {logins}; password: {password}")
    return 0


def _reset(connection) -> None:
    # CASCADE empties every table that points at these (memberships, sessions, experiments,
    # report jobs, the figures' counts, which TRUNCATE's lack of row triggers would leave
    # stale...); users, organisations and reference data stay. The audit log goes too: its
    # entries would point at rows that no longer exist.
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE clusters_cluster, establishments_establishment, clusters_wave, "
            "auditlog_logentry RESTART IDENTITY CASCADE"
        )
    print("Emptied the generated tables (--reset).")


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    text = json.dumps(value) if isinstance(value, dict) else str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


class Loader:
    def __init__(self, connection, *, scale: float, password: str):
        self.connection = connection
        self.scale = scale
        self.password = password
        self.rng = random.Random(SEED)
        self.next_ids: dict[str, int] = {}
        self.copied: set = set()  # the models whose tables this load wrote, to ANALYZE them

    def count(self, base: int) -> int:
        return max(1, round(base * self.scale))

    # --- COPY plumbing -------------------------------------------------------------------------
    def new_id(self, model) -> int:
        table = model._meta.db_table
        if table not in self.next_ids:
            with self.connection.cursor() as cursor:
                cursor.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"')
                self.next_ids[table] = cursor.fetchone()[0] + 1
        value = self.next_ids[table]
        self.next_ids[table] += 1
        return value

    def copy(self, model, rows) -> int:
        """COPY `rows` (dicts keyed by field attname) into the model's table.

        Fields a row does not give get their Django default (auto_now fields: FIXED_NOW), so a
        field added to a model later does not break the generator unless it is required."""
        from django.db.models import NOT_PROVIDED

        started = time.monotonic()
        rows = iter(rows)
        first = next(rows, None)
        if first is None:
            return 0
        self.copied.add(model)
        fields, fillers = [], {}
        for field in model._meta.concrete_fields:
            if field.attname in first:
                fields.append(field)
            elif field.primary_key:
                continue  # the sequence numbers it
            elif getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
                continue  # the database fills it
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                fields.append(field)
                fillers[field.attname] = FIXED_NOW
            elif field.has_default():
                fields.append(field)
                fillers[field.attname] = field.get_default()
            elif field.null:
                fields.append(field)
                fillers[field.attname] = None
            elif field.get_internal_type() in ("CharField", "TextField"):
                fields.append(field)
                fillers[field.attname] = ""
            else:
                raise RuntimeError(f"bench.populate does not fill {model.__name__}.{field.name}")
        names = [f.attname for f in fields]
        buffer = io.StringIO()
        written = 0
        for row in _chain(first, rows):
            values = [row[n] if n in row else fillers[n] for n in names]
            buffer.write("\t".join(map(_copy_value, values)))
            buffer.write("\n")
            written += 1
        buffer.seek(0)
        columns = ", ".join(f'"{f.column}"' for f in fields)
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.cursor.copy_expert(f'COPY "{table}" ({columns}) FROM STDIN', buffer)
            if "id" in names:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                    f'(SELECT max(id) FROM "{table}"))'
                )
        print(f"  {table:<40} {written:>8} rows  {time.monotonic() - started:6.1f} s")
        return written

    # --- the dataset ---------------------------------------------------------------------------
    def run(self) -> None:
        self.load_reference()
        self.make_users()
        self.make_waves()
        self.make_establishments()
        self.make_clusters()
        self.make_sessions()
        self.make_experiments()
        self.make_monographs()
        self.make_history()
        # Before the commit: until autovacuum passes, the planner would believe every table
        # it loaded is empty (a prefetch then ran for minutes in the page benchmark's test).
        from qvt.db import analyze

        analyze(*self.copied)

    def load_reference(self) -> None:
        from clusters.models import SessionTool, Theme
        from establishments.models import Category, Department, Organisation, Region

        self.regions = list(Region.objects.order_by("code"))
        self.departments = list(Department.objects.order_by("code"))
        self.categories = list(Category.objects.order_by("code"))
        self.themes = list(Theme.objects.order_by("name").values_list("id", flat=True))
        self.tools = list(SessionTool.objects.order_by("name").values_list("id", flat=True))
        self.ars_org = {o.region_id: o for o in Organisation.objects.filter(kind="ars")}
        self.aract_org = {o.region_id: o for o in Organisation.objects.filter(kind="aract")}
        self.national_org = Organisation.objects.filter(kind="national").order_by("name").first()
        assert len(self.regions) == 18, "reference data missing: run the migrations"

    def make_users(self) -> None:
        from django.contrib.auth.hashers import make_password

        from accounts.models import Role, RoleAssignment, User

        logging.getLogger("qvt.security").setLevel(logging.ERROR)  # 38 "role granted" lines
        hashed = make_password(self.password)  # hashed once: same password for every user
        self.ars_user, self.aract_user = {}, {}

        def ensure(username, role, organisation, region, first, last, superuser=False):
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@bench.clusters-qvt.invalid",
                    "organisation": organisation,
                    "password": hashed,
                    "is_staff": superuser,
                    "is_superuser": superuser,
                    "is_active": True,
                },
            )
            RoleAssignment.objects.get_or_create(user=user, role=role, region=region)
            return user

        for region in self.regions:
            self.ars_user[region.id] = ensure(
                f"ars-{region.code}", Role.ARS, self.ars_org.get(region.id), region,
                "Référent ARS", region.name,
            )  # fmt: skip
            # Guyane and Mayotte have no Aract organisation: their facilitator has none.
            self.aract_user[region.id] = ensure(
                f"aract-{region.code}", Role.ARACT, self.aract_org.get(region.id), region,
                "Chargé(e) de mission", region.name,
            )  # fmt: skip
        self.national_user = ensure(
            "dgos", Role.NATIONAL, self.national_org, None, "Lecteur", "DGOS"
        )
        ensure("programme", Role.PROGRAMME, self.national_org, None, "Équipe", "Programme")
        ensure("admin", Role.ADMIN, self.national_org, None, "Administrateur", "Bench", True)
        print(f"  users: {2 * len(self.regions) + 3}")

    def make_waves(self) -> None:
        from clusters.models import Wave

        self.waves = []
        for index in range(WAVE_COUNT):
            year = FIRST_WAVE_YEAR + index
            wave, _ = Wave.objects.get_or_create(
                code=str(year),
                defaults={
                    "name": f"Vague {year}",
                    "starts_on": datetime.date(year, 1, 1),
                    "ends_on": datetime.date(year + 1, 6, 30),
                },
            )
            self.waves.append(wave)

    def make_establishments(self) -> None:
        from establishments.finess import with_luhn_key
        from establishments.models import Establishment, search_text_of

        rng = self.rng
        total = self.count(ESTABLISHMENTS)
        per_department = -(-total // len(self.departments))
        if per_department >= 10_000:
            raise SystemExit("Scale too large: FINESS serials would not fit (Mayotte: 4 digits).")

        def number(department, serial: int) -> str:
            code = department.code
            if code in ("2A", "2B"):  # Corsica: format only, no Luhn key
                return f"{code}{serial:07d}"
            prefix = "9805" if code == "976" else code
            return with_luhn_key(f"{prefix}{serial:0{8 - len(prefix)}d}")

        class Row:  # what search_text_of reads
            __slots__ = ("finess", "short_name", "long_name", "town", "postcode")

        self.active_by_region: dict[int, list[int]] = {r.id: [] for r in self.regions}

        def rows():
            probe = Row()
            for index in range(total):
                department = self.departments[index % len(self.departments)]
                serial = index // len(self.departments) + 1
                kind, legal_status = KINDS[rng.randrange(len(KINDS))]
                category = self.categories[rng.randrange(len(self.categories))]
                place = PLACES[rng.randrange(len(PLACES))]
                town = TOWN_FIRST[rng.randrange(20)] + TOWN_SECOND[rng.randrange(30)]
                code = department.code
                postcode = (
                    f"20{rng.randrange(1000):03d}"
                    if code in ("2A", "2B")
                    else f"{code}{rng.randrange(10 ** (5 - len(code))):0{5 - len(code)}d}"
                )
                finess = number(department, serial)
                probe.finess, probe.postcode, probe.town = finess, postcode, town
                probe.short_name = f"{kind} {place}"[:100]
                probe.long_name = f"{kind} {place} de {town}"
                is_active = rng.random() < 0.97
                pk = self.new_id(Establishment)
                if department.region_id and is_active:
                    self.active_by_region[department.region_id].append(pk)
                yield {
                    "id": pk,
                    "finess": finess,
                    "finess_ej": number(department, serial - (serial - 1) % 4),
                    "short_name": probe.short_name,
                    "long_name": probe.long_name,
                    "category_id": category.id,
                    "category_code": category.code,
                    "category_label": category.label,
                    "sector": category.sector,
                    "legal_status": legal_status,
                    "department_id": department.id,
                    "region_id": department.region_id,
                    "address": f"{rng.randrange(1, 200)} {STREETS[rng.randrange(len(STREETS))]}",
                    "postcode": postcode,
                    "town": town,
                    "phone": f"0{rng.randrange(1, 6)}{rng.randrange(10**8):08d}",
                    "opened_on": datetime.date(1950, 1, 1)
                    + datetime.timedelta(days=rng.randrange(26_000)),
                    "updated_on": datetime.date(2025, 1, 1)
                    + datetime.timedelta(days=rng.randrange(365)),
                    "is_active": is_active,
                    "search_text": search_text_of(probe),
                }

        self.copy(Establishment, rows())

    def make_clusters(self) -> None:
        from clusters.models import Cluster, Membership, Phase, PhaseChange

        rng = self.rng
        total = self.count(CLUSTERS)
        last_wave = len(self.waves) - 1
        # One shuffled pool of active establishments per (region, wave): a member is taken out
        # of its pool, so an establishment is in at most one cluster per wave (by construction).
        pools: dict[tuple[int, int], list[int]] = {}
        self.clusters = []  # dicts kept for sessions, experiments and monographs
        self.memberships = []
        numbers: dict[tuple[int, int], int] = {}
        cluster_rows, theme_rows, facilitator_rows = [], [], []
        for index in range(total):
            region = self.regions[index % len(self.regions)]
            wave_index = (index // len(self.regions)) % len(self.waves)
            wave = self.waves[wave_index]
            numbers[region.id, wave_index] = numbers.get((region.id, wave_index), 0) + 1
            age = last_wave - wave_index  # 0 = the newest wave
            if age >= 4:
                status = "cloture"
            elif age >= 2:
                status = "cloture" if rng.random() < 0.3 else "en_cours"
            elif age == 1:
                status = rng.choice(["en_cours", "en_cours", "constitue"])
            else:
                status = rng.choice(["brouillon", "constitue", "en_cours"])
            starts_on = wave.starts_on + datetime.timedelta(days=rng.randrange(120))
            ends_on = starts_on + datetime.timedelta(days=540)
            theme = self.themes[rng.randrange(len(self.themes))]
            cluster = {
                "id": self.new_id(Cluster),
                "name": f"Cluster {region.name} {numbers[region.id, wave_index]} — {wave.name}",
                "region_id": region.id,
                "wave_id": wave.id,
                "problem_statement": (
                    "Comment améliorer la qualité de vie au travail des équipes tout en "
                    "maintenant la qualité des soins ? Problématique commune retenue par "
                    f"l'ARS {region.name} pour la {wave.name.lower()}."
                ),
                "status": status,
                "ars_referent_id": self.ars_user[region.id].id,
                "aract_id": self.aract_org[region.id].id if region.id in self.aract_org else None,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "constituted_on": None
                if status == "brouillon"
                else starts_on - datetime.timedelta(days=15),
                "closed_on": ends_on if status == "cloture" else None,
                "created_at": FIXED_NOW,
                "updated_at": FIXED_NOW,
            }
            cluster_rows.append(cluster)
            themes = {theme, self.themes[rng.randrange(len(self.themes))]}
            theme_rows += [{"cluster_id": cluster["id"], "theme_id": t} for t in sorted(themes)]
            facilitator_rows.append(
                {"cluster_id": cluster["id"], "user_id": self.aract_user[region.id].id}
            )

            pool = pools.get((region.id, wave_index))
            if pool is None:
                pool = list(self.active_by_region[region.id])
                rng.shuffle(pool)
                pools[region.id, wave_index] = pool
            size = rng.randint(5, 8) if status != "brouillon" else rng.randint(2, 8)
            withdrawn = 1 if rng.random() < 0.08 and status != "brouillon" else 0
            if len(pool) < size + withdrawn:
                raise SystemExit(f"Scale too small: region {region.code} lacks establishments.")
            reached = {
                "cloture": [Phase.EVALUATION, Phase.PERENNISATION],
                "en_cours": [Phase.DIAGNOSTIC, Phase.CHOIX, Phase.EXPERIMENTATION],
            }.get(status, [Phase.CADRAGE])
            cluster["members"] = []
            for position in range(size + withdrawn):
                is_withdrawn = position >= size
                membership = {
                    "id": self.new_id(Membership),
                    "cluster_id": cluster["id"],
                    "establishment_id": pool.pop(),
                    "wave_id": wave.id,  # the trigger sets it too
                    "joined_on": starts_on - datetime.timedelta(days=20),
                    "withdrawn_on": starts_on + datetime.timedelta(days=90)
                    if is_withdrawn
                    else None,
                    "withdrawal_reason": "Réorganisation interne de l'établissement."
                    if is_withdrawn
                    else "",
                    "phase": Phase.CADRAGE if is_withdrawn else rng.choice(reached),
                    "_by": self.aract_user[region.id].id,  # not a column: for PhaseChange
                }
                self.memberships.append(membership)
                if not is_withdrawn:
                    cluster["members"].append(membership)
            self.clusters.append(cluster)

        self.copy(Cluster, ({k: v for k, v in c.items() if k != "members"} for c in cluster_rows))
        self.copy(Cluster.themes.through, theme_rows)
        self.copy(Cluster.facilitators.through, facilitator_rows)
        self.copy(Membership, self.memberships)  # the trigger checks every row
        self.copy(
            PhaseChange,
            (
                {
                    "membership_id": m["id"],
                    "phase": m["phase"],
                    "changed_on": m["joined_on"] + datetime.timedelta(days=150),
                    "comment": "Avancement constaté en séance.",
                    "changed_by_id": m["_by"],
                    "created_at": FIXED_NOW,
                }
                for m in self.memberships
                if m["phase"] != Phase.CADRAGE
            ),
        )

    def make_sessions(self) -> None:
        from clusters.models import Attendance, ParticipantRole, Session

        rng = self.rng
        started = [c for c in self.clusters if c["status"] in ("en_cours", "cloture")]
        total = self.count(SESSIONS)
        base, extra = divmod(total, len(started))
        roles = list(ParticipantRole.values)
        sessions, tools, attendances = [], [], []
        for position, cluster in enumerate(started):
            count = base + (1 if position < extra else 0)
            step = max(1, 540 // max(count, 1))
            for number in range(1, count + 1):
                kind = "lancement" if number == 1 else rng.choice(["collective"] * 4 + ["appui"])
                if cluster["status"] == "cloture" and number == count:
                    kind = "restitution"
                session = {
                    "id": self.new_id(Session),
                    "cluster_id": cluster["id"],
                    "number": number,
                    "held_on": cluster["starts_on"] + datetime.timedelta(days=(number - 1) * step),
                    "kind": kind,
                    "format": rng.choice(["presentiel", "presentiel", "distanciel", "hybride"]),
                    "place": f"Locaux de l'Aract, salle {rng.randrange(1, 6)}",
                    "agenda": "Tour de table ; retour sur les diagnostics ; travail en "
                    "sous-groupes sur les pistes d'expérimentation ; prochaines étapes.",
                    "other_tools": "",
                    "key_points": "Les équipes ont partagé leurs constats sur l'organisation "
                    "du travail et les premières actions engagées.",
                    "decisions": "Chaque établissement présente son avancement à la séance "
                    "suivante.",
                    "next_steps": "Préparer la restitution intermédiaire.",
                    "is_confidential": rng.random() < 0.05,
                    "is_draft": False,
                    "created_by_id": self.aract_user[cluster["region_id"]].id,
                    "created_at": FIXED_NOW,
                    "updated_at": FIXED_NOW,
                }
                sessions.append(session)
                for tool in sorted(set(rng.sample(self.tools, rng.randint(1, 3)))):
                    tools.append({"session_id": session["id"], "sessiontool_id": tool})
                for member in cluster["members"]:
                    for role in sorted(rng.sample(roles, rng.randint(1, 3))):
                        attendances.append(
                            {
                                "id": self.new_id(Attendance),
                                "session_id": session["id"],
                                "membership_id": member["id"],
                                "role": role,
                                "count": rng.randint(1, 3),
                            }
                        )
        self.copy(Session, sessions)
        self.copy(Session.tools.through, tools)
        self.copy(Attendance, attendances)

    def make_experiments(self) -> None:
        from experiments.models import Experiment, Indicator, Measurement

        rng = self.rng
        candidates = [
            (cluster, member)
            for cluster in self.clusters
            if cluster["status"] in ("en_cours", "cloture")
            for member in cluster["members"]
        ]
        rng.shuffle(candidates)
        total = self.count(EXPERIMENTS)
        experiments, themes, indicators, measurements = [], [], [], []
        for index in range(total):
            cluster, member = candidates[index % len(candidates)]
            starts_on = cluster["starts_on"] + datetime.timedelta(days=rng.randrange(120, 240))
            closed = cluster["status"] == "cloture"
            experiment = {
                "id": self.new_id(Experiment),
                "membership_id": member["id"],
                "title": EXPERIMENT_TITLES[rng.randrange(len(EXPERIMENT_TITLES))],
                "problem": "Difficultés d'organisation signalées lors du diagnostic.",
                "objectives": "Réduire les glissements de tâches et améliorer les échanges.",
                "unit": UNITS[rng.randrange(len(UNITS))],
                "starts_on": starts_on,
                "ends_on": starts_on + datetime.timedelta(days=180),
                "status": rng.choice(["evaluee", "perennisee", "abandonnee"])
                if closed
                else rng.choice(["envisagee", "en_cours"]),
                "actions": "Groupes de travail, réunions d'équipe, ajustement des plannings.",
                "created_at": FIXED_NOW,
                "updated_at": FIXED_NOW,
            }
            experiments.append(experiment)
            themes.append(
                {
                    "experiment_id": experiment["id"],
                    "theme_id": self.themes[rng.randrange(len(self.themes))],
                }
            )
            for name, unit, higher in rng.sample(INDICATORS, rng.randint(1, 3)):
                baseline = Decimal(rng.randrange(200, 2000)) / 100
                indicator = {
                    "id": self.new_id(Indicator),
                    "experiment_id": experiment["id"],
                    "name": name,
                    "unit": unit,
                    "baseline": baseline,
                    "target": baseline * Decimal("1.2") if higher else baseline * Decimal("0.8"),
                    "higher_is_better": higher,
                }
                indicators.append(indicator)
                for step in range(rng.randint(1, 4)):
                    measurements.append(
                        {
                            "id": self.new_id(Measurement),
                            "indicator_id": indicator["id"],
                            "measured_on": starts_on + datetime.timedelta(days=60 * step),
                            "value": (baseline * Decimal(rng.randrange(70, 130)) / 100).quantize(
                                Decimal("0.01")
                            ),
                        }
                    )
        self.copy(Experiment, experiments)
        self.copy(Experiment.themes.through, themes)
        self.copy(Indicator, indicators)
        self.copy(Measurement, measurements)

    def make_monographs(self) -> None:
        from experiments.models import Monograph, MonographTransition

        rng = self.rng
        # Closed clusters first: only their members' monographs get published.
        ordered = sorted(
            (c for c in self.clusters if c["status"] in ("en_cours", "cloture")),
            key=lambda c: c["status"] != "cloture",
        )
        members = [(c, m) for c in ordered for m in c["members"]]
        total = min(self.count(MONOGRAPHS), len(members))
        closed = [pair for pair in members if pair[0]["status"] == "cloture"]
        rng.shuffle(closed)
        published_target = total // 3
        chosen = closed[:published_target]
        taken = {m["id"] for _c, m in chosen}
        rest = [pair for pair in members if pair[1]["id"] not in taken]
        rng.shuffle(rest)
        chosen += rest[: total - len(chosen)]
        monographs, authors, transitions = [], [], []
        order = ["brouillon", "soumise", "validee", "publiee"]
        for index, (cluster, member) in enumerate(chosen):
            status = "publiee" if index < published_target else rng.choice(order[:3])
            if status == "validee" and cluster["status"] != "cloture":
                status = "soumise"
            day = datetime.datetime.combine(
                cluster["ends_on"], datetime.time(10), tzinfo=datetime.UTC
            )
            reached = order.index(status)
            dates = [None, day, day + datetime.timedelta(days=20), day + datetime.timedelta(40)]
            monograph = {
                "id": self.new_id(Monograph),
                "membership_id": member["id"],
                "title": f"Monographie : {EXPERIMENT_TITLES[index % len(EXPERIMENT_TITLES)]}",
                "identity": "Établissement de taille moyenne, plusieurs unités de soins.",
                "context": "Des difficultés de recrutement et un absentéisme en hausse.",
                "approach": "Un trinôme direction, représentant du personnel et cadre de santé.",
                "diagnostic": "Réalisé avec les 10 questions sur la QVT et un reportage photo.",
                "experiments": "Une expérimentation conduite dans une unité pilote.",
                "results": "Baisse de l'absentéisme et meilleure qualité des échanges.",
                "lessons": "Le soutien de la direction et du dialogue social est décisif.",
                "outlook": "Extension à d'autres services.",
                "annexes": "",
                "status": status,
                "submitted_at": dates[1] if reached >= 1 else None,
                "validated_at": dates[2] if reached >= 2 else None,
                "published_at": dates[3] if reached >= 3 else None,
                "redacted_sections": {},
                "created_at": FIXED_NOW,
                "updated_at": FIXED_NOW,
            }
            if status == "publiee":  # publication stores the masked texts (monograph_transition)
                published = Monograph(**monograph)
                published.redact()
                monograph["redacted_sections"] = published.redacted_sections
            monographs.append(monograph)
            author = self.aract_user[cluster["region_id"]].id
            authors.append({"monograph_id": monograph["id"], "user_id": author})
            for step in range(1, reached + 1):
                transitions.append(
                    {
                        "monograph_id": monograph["id"],
                        "from_status": order[step - 1],
                        "to_status": order[step],
                        "comment": "",
                        "by_id": author,
                        "at": dates[step],
                    }
                )
        self.copy(Monograph, monographs)
        self.copy(Monograph.authors.through, authors)
        self.copy(MonographTransition, transitions)

    def make_history(self) -> None:
        """Delegation contacts, and the audit log a real history leaves: a creation entry per
        cluster, membership and contact (the cluster page reads it; COPY bypasses auditlog)."""
        from auditlog.models import LogEntry
        from django.contrib.contenttypes.models import ContentType

        from clusters.models import Cluster, DelegationContact, Membership

        rng = self.rng
        contacts = []
        first_names = ["Camille", "Dominique", "Claude", "Alex", "Sacha", "Maxime", "Morgan"]
        for membership in self.memberships:
            if membership["withdrawn_on"] is not None:
                continue
            for role in ("direction", "irp", "medecin_metier"):
                name = f"{rng.choice(first_names)} {rng.choice(PLACES).title()}"
                contacts.append(
                    {
                        "id": self.new_id(DelegationContact),
                        "membership_id": membership["id"],
                        "role": role,
                        "name": name,
                        "email": f"contact{len(contacts)}@etablissement.invalid",
                        "phone": "",
                    }
                )
        self.copy(DelegationContact, contacts)
        types = ContentType.objects.get_for_models(Cluster, Membership, DelegationContact)

        def entry(model, pk, repr_, changes, day):
            return {
                "content_type_id": types[model].id,
                "object_pk": str(pk),
                "object_id": pk,
                "object_repr": repr_,
                "action": LogEntry.Action.CREATE,
                "changes_text": "",
                "changes": json.dumps(changes),
                "actor_id": None,  # a system load, like an import
                "timestamp": datetime.datetime.combine(day, datetime.time(9), datetime.UTC),
            }

        def rows():
            for cluster in self.clusters:
                yield entry(
                    Cluster, cluster["id"], cluster["name"],
                    {"name": ["None", cluster["name"]], "status": ["None", "brouillon"]},
                    cluster["starts_on"] - datetime.timedelta(days=60),
                )  # fmt: skip
            for membership in self.memberships:
                yield entry(
                    Membership, membership["id"], f"Participation {membership['id']}",
                    {"cluster": ["None", str(membership["cluster_id"])],
                     "establishment": ["None", str(membership["establishment_id"])]},
                    membership["joined_on"],
                )  # fmt: skip
            for contact in contacts:
                yield entry(
                    DelegationContact, contact["id"], contact["name"],
                    {"membership": ["None", str(contact["membership_id"])],
                     "role": ["None", contact["role"]], "name": ["None", contact["name"]]},
                    datetime.date(2025, 6, 1),
                )  # fmt: skip

        self.copy(LogEntry, rows())


def _chain(first, rest):
    yield first
    yield from rest


if __name__ == "__main__":
    sys.exit(main())
