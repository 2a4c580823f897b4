"""Import of past clusters from a spreadsheet (CSV with ";" or XLSX), one line per membership:
vague;region;cluster;thematiques;finess.

The membership rules are the browser's: each member goes through
`clusters.services.cluster_add_member` (region match, one cluster per wave per establishment,
at most 8), inside one transaction that is rolled back when anything is rejected or on a dry run.

Themes are matched tolerantly (`theme_key`: no case, accents, punctuation or trailing
parenthesis). What still does not match is reported once per theme, not once per line: the
caller maps it to an existing theme (`theme_map`) or creates it (`create_themes`); until then
nothing is written. Lines holding control characters (NUL...) are rejected with their number.
"""

import csv
import datetime
import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.rules import check_rule, has_rule
from clusters import services as cluster_services
from clusters.models import MAX_MEMBERS, MIN_MEMBERS, Cluster, Membership, SessionTool, Theme, Wave
from establishments.models import Establishment, Region
from establishments.services import delete_old_finess_files
from qvt.db import analyze
from qvt.uploads import control_character_refusal

COLUMNS = ["vague", "region", "cluster", "thematiques", "finess"]
audit_log = logging.getLogger("qvt.audit")
WAVE_CODE_LENGTH = Wave._meta.get_field("code").max_length
CLUSTER_NAME_LENGTH = Cluster._meta.get_field("name").max_length
THEME_NAME_LENGTH = Theme._meta.get_field("name").max_length
SHOWN_REJECTIONS = 200  # the pages show the first ones; the CSV download has them all
_TRAILING_PARENTHESIS = re.compile(r"\([^()]*\)\s*$")


class ImportFileError(Exception):
    """The file cannot be read at all (format, header): nothing is imported."""


def theme_key(name: str) -> str:
    """What two spellings of a theme share: "Risques psycho-sociaux (RPS)" and "risques
    psychosociaux" -> "risquespsychosociaux" (no case, accents, punctuation, spaces, nor a
    trailing parenthesis)."""
    text = _TRAILING_PARENTHESIS.sub("", name.strip()) or name
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum()).casefold()


@dataclass
class ImportLine:
    number: int  # line number in the file, header = 1
    wave: str
    region: str
    cluster: str
    themes: list[str]
    finess: str
    refusal: str = ""  # why the line cannot even be read (control characters)


@dataclass
class UnknownTheme:
    """A theme of the file that matches no existing one, reported once."""

    name: str  # as first written in the file
    lines: list[int] = field(default_factory=list)


@dataclass
class ImportReport:
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, French reason)
    created_clusters: list[str] = field(default_factory=list)
    unchanged_clusters: list[str] = field(default_factory=list)
    created_memberships: int = 0
    created_waves: list[str] = field(default_factory=list)
    created_themes: list[str] = field(default_factory=list)
    # Matched only once case, accents, punctuation or a parenthesis are ignored: {written: theme}
    matched_themes: dict[str, str] = field(default_factory=dict)
    unknown_themes: list[UnknownTheme] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.unknown_themes

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def shown_errors(self) -> list[tuple[int, str]]:
        return self.errors[:SHOWN_REJECTIONS]

    def reject(self, number: int, reason: str) -> None:
        self.errors.append((number, reason))


def read_lines(content: bytes, filename: str) -> list[ImportLine]:
    """The file's data lines; raises ImportFileError when it cannot be read."""
    if filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif filename.lower().endswith(".csv"):
        rows = _csv_rows(content)
    else:
        raise ImportFileError("Le fichier doit être un CSV (séparé par « ; ») ou un XLSX.")
    if not rows:
        raise ImportFileError("Le fichier est vide.")
    header = [str(cell or "").strip().lower() for cell in rows[0]]
    if header[: len(COLUMNS)] != COLUMNS:
        raise ImportFileError(
            "La première ligne doit être l'en-tête « " + ";".join(COLUMNS) + " »."
        )
    lines = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [_text(cell) for cell in row]
        if not any(cells):
            continue  # blank lines (common at the end of spreadsheets)
        if refusal := control_character_refusal(cells):
            lines.append(ImportLine(number, "", "", "", [], "", refusal=refusal))
            continue
        cells += [""] * (len(COLUMNS) - len(cells))
        wave, region, cluster, themes, finess = cells[: len(COLUMNS)]
        lines.append(
            ImportLine(
                number=number,
                wave=wave,
                region=region.zfill(2) if region.isdigit() else region,
                cluster=cluster,
                themes=[theme.strip() for theme in themes.split("|") if theme.strip()],
                # A spreadsheet may have turned 010001006 into the number 10001006.
                finess=finess.zfill(9) if finess.isdigit() else finess.upper(),
            )
        )
    return lines


def _text(cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # 2016.0 -> "2016"
    return str(cell if cell is not None else "").strip()


def _csv_rows(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")  # older spreadsheet exports
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    from qvt.uploads import zip_bomb_refusal

    if refusal := zip_bomb_refusal(io.BytesIO(content)):  # before openpyxl expands anything
        raise ImportFileError(refusal)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable workbook is the user's file
        raise ImportFileError("Ce fichier XLSX est illisible.") from error
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows


def import_clusters(
    *,
    lines: list[ImportLine],
    by,
    dry_run: bool = False,
    create_waves: bool = False,
    create_themes: bool = False,
    create_theme_names: frozenset[str] = frozenset(),
    theme_map: dict[str, str] | None = None,
    region_ids: frozenset | None = None,
    today: datetime.date | None = None,
) -> ImportReport:
    """Create the clusters of `lines` with their members; all or nothing.

    `region_ids` restricts the import to those regions; None allows every region. `by` (None
    for the management command) must pass `programme.import_clusters`, and is held to its ARS
    regions unless it may import anywhere (the programme team), whatever the caller passed.
    `theme_map` ({theme as written: existing theme name}) resolves themes that do not match;
    `create_themes` creates those still unknown, `create_theme_names` those of these names
    (`by` must then manage themes).
    A cluster already imported with the same members is left unchanged, so a second import of
    the same file writes nothing. Clusters of a past wave (ended, or created by this import)
    are closed ("clôturé"), through an audited save; others stay drafts for the ARS to complete.
    """
    if by is not None:
        check_rule(by, "programme.import_clusters")
        if not has_rule(by, "programme.import_clusters_anywhere"):
            region_ids = frozenset(by.roles.ars_region_ids) & (
                region_ids if region_ids is not None else frozenset(by.roles.ars_region_ids)
            )
        if create_themes or create_theme_names:
            check_rule(by, "programme.manage_themes")
    report = ImportReport(dry_run=dry_run)
    today = today or timezone.localdate()
    with transaction.atomic():
        create = create_themes or {theme_key(name) for name in create_theme_names}
        themes = _resolve_themes(lines, report, create, theme_map or {})
        groups = _check_lines(lines, report, create_waves, region_ids, themes)
        waves = _waves(groups, report, create_waves)
        for (wave_code, name), group in groups.items():
            _import_cluster(wave_code, name, group, waves, report, today)
        if not report.ok or dry_run:
            transaction.set_rollback(True)
        elif report.created_clusters:  # a whole past wave at once: fresh planner statistics
            analyze(Cluster, Cluster.themes.through, Membership)
    report.errors.sort()
    if report.written:
        audit_log.info(
            "cluster_import user=%s clusters=%s memberships=%s unchanged=%s themes_created=%s",
            getattr(by, "username", "commande"),
            len(report.created_clusters),
            report.created_memberships,
            len(report.unchanged_clusters),
            len(report.created_themes),
        )
    return report


def _resolve_themes(lines, report, create_themes, theme_map) -> dict[str, Theme]:
    """{theme as written in the file: Theme} for every theme that can be resolved: same name
    (case aside), same `theme_key`, the caller's `theme_map`, or created (`create_themes`: True
    for every unknown theme, or a set of theme keys). The others are listed once in
    `report.unknown_themes`."""
    existing = list(Theme.objects.all())
    by_name = {theme.name.casefold(): theme for theme in existing}
    by_key: dict[str, Theme | None] = {}
    for theme in existing:  # two themes with one key: ambiguous, matched by name only
        key = theme_key(theme.name)
        by_key[key] = None if key in by_key and by_key[key] != theme else theme
    mapped = {theme_key(written): target for written, target in theme_map.items()}
    resolved: dict[str, Theme] = {}
    unknown: dict[str, UnknownTheme] = {}
    for line in lines:
        for written in line.themes:
            if written in resolved:
                continue
            theme = by_name.get(written.casefold()) or by_key.get(theme_key(written))
            if theme is not None:
                if theme.name != written and theme.name.casefold() != written.casefold():
                    report.matched_themes[written] = theme.name
                resolved[written] = theme
                continue
            if (target := mapped.get(theme_key(written))) is not None:
                theme = by_name.get(target.casefold()) or by_key.get(theme_key(target))
                if theme is None:
                    report.reject(
                        line.number,
                        f"La thématique « {target} », choisie pour « {written} », n'existe pas.",
                    )
                    continue
                report.matched_themes[written] = theme.name
                resolved[written] = theme
                continue
            unknown.setdefault(theme_key(written), UnknownTheme(written)).lines.append(line.number)
    for key, item in sorted(unknown.items(), key=lambda pair: pair[1].name.casefold()):
        wanted = create_themes is True or key in create_themes
        if wanted and len(item.name) <= THEME_NAME_LENGTH:
            theme = Theme(name=item.name)
            theme.full_clean()
            theme.save()  # audited, like a theme added on the themes page
            report.created_themes.append(theme.name)
            by_key[key] = theme
            del unknown[key]
    for line in lines:  # every spelling of a created theme
        for written in line.themes:
            if written not in resolved and (theme := by_key.get(theme_key(written))):
                resolved[written] = theme
    report.unknown_themes = sorted(unknown.values(), key=lambda item: item.name.casefold())
    return resolved


def _check_lines(lines, report, create_waves, region_ids, themes) -> dict:
    """Reject lines whose references are unknown; group the rest by (wave, cluster name).
    A line whose only fault is an unknown theme stays in its group (the theme is reported
    once, and nothing is written until it is resolved)."""
    regions = {r.code: r for r in Region.objects.all()}
    wave_codes = set(Wave.objects.values_list("code", flat=True))
    establishments = {
        e.finess: e
        for e in Establishment.objects.filter(
            finess__in={line.finess for line in lines if not line.refusal}
        )
    }
    groups: dict[tuple[str, str], list] = {}
    for line in lines:
        if line.refusal:
            report.reject(line.number, line.refusal)
            continue
        reasons = []
        if not line.wave:
            reasons.append("la vague est vide")
        elif len(line.wave) > WAVE_CODE_LENGTH:
            reasons.append(f"le code de vague dépasse {WAVE_CODE_LENGTH} caractères")
        elif line.wave not in wave_codes and not create_waves:
            reasons.append(
                f"la vague « {line.wave} » n'existe pas (option --create-waves pour la créer)"
            )
        region = regions.get(line.region)
        if region is None:
            reasons.append(f"la région « {line.region} » n'existe pas (code INSEE attendu)")
        elif region_ids is not None and region.id not in region_ids:
            reasons.append(f"la région « {region.name} » n'est pas dans votre périmètre")
        if not line.cluster:
            reasons.append("le nom du cluster est vide")
        elif len(line.cluster) > CLUSTER_NAME_LENGTH:
            reasons.append(f"le nom du cluster dépasse {CLUSTER_NAME_LENGTH} caractères")
        if not line.themes:
            reasons.append("aucune thématique")
        establishment = establishments.get(line.finess)
        if establishment is None:
            reasons.append(f"le numéro FINESS « {line.finess} » n'est pas dans le répertoire")
        if reasons:
            report.reject(line.number, _sentence(reasons))
            continue
        line.region_obj = region
        line.theme_objs = [themes[name] for name in line.themes if name in themes]
        line.establishment = establishment
        groups.setdefault((line.wave, line.cluster), []).append(line)
    return groups


def _sentence(reasons: list[str]) -> str:
    text = " ; ".join(reasons)
    return text[0].upper() + text[1:] + "."


def _waves(groups, report, create_waves) -> dict[str, tuple[Wave, bool]]:
    """{code: (wave, is_past)} for every wave the groups use, creating missing ones if asked."""
    codes = {code for code, _name in groups}
    waves = {w.code: (w, False) for w in Wave.objects.filter(code__in=codes)}
    for code in sorted(codes - set(waves)):
        if create_waves:
            waves[code] = (Wave.objects.create(code=code, name=f"Vague {code}"), True)
            report.created_waves.append(code)
    return waves


def _import_cluster(wave_code, name, group, waves, report, today) -> None:
    first = group[0].number
    numbers = ", ".join(str(line.number) for line in group)
    label = f"Cluster « {name} » (vague {wave_code}, lignes {numbers})"
    wave, created_wave = waves[wave_code]
    region = group[0].region_obj
    finess = [line.finess for line in group]
    if any(line.region_obj != region for line in group):
        report.reject(first, f"{label} : ses lignes indiquent plusieurs régions.")
        return
    duplicates = sorted({f for f in finess if finess.count(f) > 1})
    if duplicates:
        report.reject(first, f"{label} : établissement en double ({', '.join(duplicates)}).")
        return
    if not MIN_MEMBERS <= len(group) <= MAX_MEMBERS:
        report.reject(
            first,
            f"{label} : {len(group)} établissement(s) ; un cluster en compte de "
            f"{MIN_MEMBERS} à {MAX_MEMBERS}.",
        )
        return
    themes = {theme for line in group for theme in line.theme_objs}
    # Looked up in the cluster's region only: the report says nothing of other regions.
    existing = Cluster.objects.filter(wave=wave, region=region, name=group[0].cluster).first()
    if existing is not None:
        _check_unchanged(existing, region, finess, themes, report, first, label)
        return
    cluster = Cluster.objects.create(name=group[0].cluster, region=region, wave=wave)
    cluster.themes.set(themes)
    joined_on = wave.starts_on or today
    for line in group:
        try:
            cluster_services.cluster_add_member(
                cluster=cluster, establishment=line.establishment, joined_on=joined_on
            )
        except ValidationError as error:
            report.reject(line.number, " ".join(error.messages))
        else:
            report.created_memberships += 1
    if created_wave or (wave.ends_on is not None and wave.ends_on < today):
        # A cluster of a past wave is history: it is recorded closed, as it ended. Saved (not
        # QuerySet.update()) so that the audit log records the change in the cluster's history.
        cluster.status = Cluster.Status.CLOTURE
        cluster.starts_on = wave.starts_on
        cluster.closed_on = wave.ends_on
        cluster.save(update_fields=["status", "starts_on", "closed_on"])
    report.created_clusters.append(f"{cluster.name} ({wave_code})")


def _check_unchanged(existing, region, finess, themes, report, first, label) -> None:
    current = set(existing.memberships.active().values_list("establishment__finess", flat=True))
    if current != set(finess):
        report.reject(
            first,
            f"{label} : il existe déjà dans cette région et cette vague avec d'autres "
            "établissements ; corrigez-le dans l'application.",
        )
        return
    if set(existing.themes.all()) != themes:
        report.reject(
            first, f"{label} : il existe déjà dans cette vague avec d'autres thématiques."
        )
        return
    report.unchanged_clusters.append(f"{existing.name} ({existing.wave.code})")


# --- Retention of uploaded import files ----------------------------------------------------------

PENDING_FOLDER = "imports"  # checked spreadsheets waiting for a confirmation, rejection CSVs


def delete_old_import_files(*, days: int, now: datetime.datetime | None = None) -> int:
    """Delete the uploaded import files older than `days` days: FINESS extracts (their import
    keeps its report) and past-cluster files left in `imports/` (never confirmed, or the CSV of
    a check's rejections). Returns how many files were deleted."""
    from django.core.files.storage import default_storage

    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    deleted = delete_old_finess_files(before=cutoff)
    try:
        _folders, names = default_storage.listdir(PENDING_FOLDER)
    except FileNotFoundError:
        names = []
    for name in names:
        path = f"{PENDING_FOLDER}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            deleted += 1
    if deleted:
        audit_log.info("import_files_deleted count=%s older_than_days=%s", deleted, days)
    return deleted


# --- Programme administration: waves, themes, session tools (the programme team) -------------

# Model -> the rule that lets a user change its rows.
REFERENCE_RULES = {
    Wave: "programme.manage_waves",
    Theme: "programme.manage_themes",
    SessionTool: "programme.manage_session_tools",
}


def reference_save(*, obj, by):
    """Create or update a wave, a theme or a session tool. Rows are never deleted: a theme or a
    tool is retired instead, so that past clusters and sessions keep it."""
    check_rule(by, REFERENCE_RULES[type(obj)])
    obj.full_clean()
    obj.save()
    return obj


def published_figure_save(*, figure, by):
    """Create or update a published figure (the programme team; audited by django-auditlog)."""
    check_rule(by, "programme.change_published_figures")
    figure.full_clean()
    figure.save()
    return figure
