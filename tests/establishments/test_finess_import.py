"""`manage.py import_finess`: the shared samples, generated extracts, every rejection reason,
--strict, --dry-run, re-import idempotence, deactivation and out-of-region territories."""

import datetime
import re

import pytest

from establishments.finess import with_luhn_key
from establishments.models import (
    Establishment,
    FinessImport,
    LegalStatus,
    Sector,
    search_text_of,
)
from tests.establishments.conftest import (
    ERRORS,
    SYNTHETIC,
    geolocation,
    structure,
    write_extract,
)
from tests.factories import ClusterFactory, add_members

pytestmark = pytest.mark.django_db

SUMMARY = re.compile(r"created=\d+ updated=\d+ unchanged=\d+ deactivated=\d+ rejected=\d+")
PARIS_1 = with_luhn_key("75000001")
PARIS_2 = with_luhn_key("75000002")
PARIS_3 = with_luhn_key("75000003")
BAD_KEY = PARIS_3[:-1] + str((int(PARIS_3[-1]) + 1) % 10)


def counts(**values):
    return {"created": 0, "updated": 0, "unchanged": 0, "deactivated": 0, "rejected": 0, **values}


# --- The shared samples --------------------------------------------------------------------------


def test_the_synthetic_sample_imports_every_establishment(import_finess):
    run = import_finess(SYNTHETIC)
    assert run.code == 0
    assert SUMMARY.fullmatch(run.summary_line)
    assert run.counts == counts(created=60)
    assert Establishment.objects.count() == 60
    job = FinessImport.objects.get()
    assert job.extraction_date == datetime.date(2026, 5, 12)
    assert job.source == FinessImport.Source.COMMAND and job.applied


def test_imported_search_text_is_what_save_would_compute(tmp_path, import_finess):
    import_finess(SYNTHETIC)
    import_finess(
        write_extract(
            tmp_path / "f.csv",
            [structure(PARIS_1, rs="FOYER ŒUVRE DE L'ÎLE", ligneacheminement="75012 PARIS CÉDEX")],
            date="2026-06-01",
        ),
        "--allow-deactivation",  # the sample is no longer listed: a partial extract
    )
    establishments = list(Establishment.objects.all())
    assert len(establishments) == 61
    for establishment in establishments:
        assert establishment.search_text == search_text_of(establishment), establishment.finess


def test_the_synthetic_sample_keeps_quoted_fields_whole(import_finess):
    import_finess(SYNTHETIC)
    clinic = Establishment.objects.get(finess="752914176")
    assert clinic.short_name == 'CLINIQUE "LE PARC"; SITE NORD'
    assert clinic.long_name == 'CLINIQUE "LE PARC"; SITE NORD TILLEULS'
    assert clinic.address == "200 BD DES PLATANES"
    assert (clinic.postcode, clinic.town) == ("75712", "TILLEULS")
    assert clinic.finess_ej == "757763172"
    assert clinic.opened_on == datetime.date(2008, 5, 1)
    assert clinic.search_text.startswith('752914176 CLINIQUE "LE PARC"')


def test_the_synthetic_sample_maps_departments_sectors_statuses_and_coordinates(import_finess):
    import_finess(SYNTHETIC)
    corsican = Establishment.objects.select_related("department", "region").get(finess="2A6812415")
    assert (corsican.department.code, corsican.region.code) == ("2A", "94")
    assert corsican.legal_status == LegalStatus.PUBLIC  # codesph 1
    assert corsican.sector == Sector.SANITAIRE  # category 355
    guadeloupe = Establishment.objects.select_related("department", "region").get(
        finess="971565080"
    )
    assert (guadeloupe.department.code, guadeloupe.region.code) == ("971", "01")
    assert guadeloupe.sector == Sector.MEDICO_SOCIAL  # ESAT, 246
    assert guadeloupe.legal_status == LegalStatus.A_QUALIFIER  # no codesph
    mayotte = Establishment.objects.select_related("department").get(finess="980506166")
    assert mayotte.department.code == "976" and mayotte.region.code == "06"
    espic = Establishment.objects.get(finess="752914176")
    assert espic.legal_status == LegalStatus.ESPIC  # codesph 6
    assert (espic.x, espic.y) == (1186334.7, 7093276.1)
    assert espic.projection == "EPSG:2154 RGF93 / Lambert-93 (Métropole)"


@pytest.mark.parametrize(
    "finess, department, region",
    [
        ("2A6812415", "2A", "94"),
        ("2B3038836", "2B", "94"),
        ("971565080", "971", "01"),  # FINESS 9A
        ("972475776", "972", "02"),  # 9B
        ("973423049", "973", "03"),  # 9C
        ("974235921", "974", "04"),  # 9D
        ("980506166", "976", "06"),  # 9F
        ("845428341", "84", "93"),
    ],
)
def test_finess_department_codes_map_to_our_departments_and_regions(
    import_finess, finess, department, region
):
    import_finess(SYNTHETIC)
    establishment = Establishment.objects.select_related("department", "region").get(finess=finess)
    assert (establishment.department.code, establishment.region.code) == (department, region)
    assert establishment.can_join_cluster


def test_out_of_region_territories_are_imported_without_a_region(import_finess):
    import_finess(SYNTHETIC)
    wallis = Establishment.objects.select_related("department").get(finess="980640908")
    saint_pierre = Establishment.objects.select_related("department").get(finess="975751355")
    assert (wallis.department.code, wallis.region) == ("986", None)
    assert (saint_pierre.department.code, saint_pierre.region) == ("975", None)
    assert not wallis.can_join_cluster and not saint_pierre.can_join_cluster


def test_the_errors_sample_reports_every_rejected_line_in_french(import_finess):
    run = import_finess(ERRORS)
    assert run.code == 1
    assert run.counts == counts(created=2, rejected=5)
    assert run.stderr.splitlines() == [
        "ligne 3 : La ligne compte 20 champs au lieu de 32.",
        "ligne 4 : La clé de contrôle du numéro FINESS 262468201 est fausse.",
        "ligne 5 : Le département FINESS « 99 » est inconnu.",
        "ligne 6 : Le numéro FINESS est vide.",
        "ligne 8 : Le numéro FINESS 845428341 figure déjà ligne 2 (doublon).",
    ]
    # Line 7 went through a spreadsheet: DD/MM/YYYY dates are valid.
    ssiad = Establishment.objects.get(finess="773432422")
    assert ssiad.opened_on == datetime.date(1979, 2, 13)
    job = FinessImport.objects.get()
    assert job.rejections[0] == {"line": 3, "reason": "La ligne compte 20 champs au lieu de 32."}


def test_reimporting_the_same_file_changes_nothing_and_says_so(import_finess):
    import_finess(SYNTHETIC)
    before = list(Establishment.objects.order_by("pk").values())
    run = import_finess(SYNTHETIC)
    assert run.code == 0
    assert run.counts == counts(unchanged=60)
    assert "Aucun changement" in run.stdout
    assert list(Establishment.objects.order_by("pk").values()) == before


# --- Generated files: layouts, quoting, encodings, dates -----------------------------------------


def test_a_name_with_separators_and_doubled_quotes_survives(tmp_path, import_finess):
    name = 'LIEU DE VIE "LES GENÊTS"; SITE 2'
    path = write_extract(tmp_path / "f.csv", [structure(PARIS_1, rs=name)])
    assert '"LIEU DE VIE ""LES GENÊTS""; SITE 2"' in path.read_text(encoding="utf-8")
    assert import_finess(path).code == 0
    assert Establishment.objects.get(finess=PARIS_1).short_name == name


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_utf8_and_cp1252_files_are_detected(tmp_path, import_finess, encoding):
    path = write_extract(
        tmp_path / "f.csv", [structure(PARIS_1, rs="FOYER DE L'ÎLE ÉTÉ")], encoding=encoding
    )
    assert import_finess(path).code == 0
    establishment = Establishment.objects.get(finess=PARIS_1)
    assert establishment.short_name == "FOYER DE L'ÎLE ÉTÉ"
    assert "FOYER DE L'ILE ETE" in establishment.search_text


def test_windows_line_endings_and_blank_lines_are_accepted(tmp_path, import_finess):
    path = write_extract(tmp_path / "f.csv", [structure(PARIS_1), "", structure(PARIS_2)])
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    run = import_finess(path)
    assert run.code == 0 and run.counts == counts(created=2)


def test_the_cs1100507_layout_sets_coordinates(tmp_path, import_finess):
    path = write_extract(
        tmp_path / "f.csv", [structure(PARIS_1), structure(PARIS_2), geolocation(PARIS_1)]
    )
    assert import_finess(path).code == 0
    first = Establishment.objects.get(finess=PARIS_1)
    assert (first.x, first.y, first.projection[:9]) == (652000.5, 6862000.25, "EPSG:2154")
    assert Establishment.objects.get(finess=PARIS_2).x is None


def test_a_geolocation_line_may_come_before_its_establishment(tmp_path, import_finess):
    path = write_extract(tmp_path / "f.csv", [geolocation(PARIS_1), structure(PARIS_1)])
    assert import_finess(path).code == 0
    assert Establishment.objects.get(finess=PARIS_1).x == 652000.5


def test_the_cs1100502_layout_keeps_known_coordinates(tmp_path, import_finess):
    with_geo = write_extract(tmp_path / "a.csv", [structure(PARIS_1), geolocation(PARIS_1)])
    import_finess(with_geo)
    without_geo = write_extract(tmp_path / "b.csv", [structure(PARIS_1)])
    run = import_finess(without_geo)
    assert run.counts == counts(unchanged=1)
    assert Establishment.objects.get(finess=PARIS_1).x == 652000.5


def test_iso_and_spreadsheet_dates_are_read(tmp_path, import_finess):
    path = write_extract(
        tmp_path / "f.csv",
        [structure(PARIS_1, dateouv="1999-12-31"), structure(PARIS_2, dateouv="31/12/1999")],
        date="12/05/2026",
    )
    assert import_finess(path).code == 0
    assert set(Establishment.objects.values_list("opened_on", flat=True)) == {
        datetime.date(1999, 12, 31)
    }
    assert FinessImport.objects.get().extraction_date == datetime.date(2026, 5, 12)


# --- Rejections ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "record, reason",
    [
        (structure(PARIS_1)[:-1], "La ligne compte 31 champs au lieu de 32."),
        ([*structure(PARIS_1), "x"], "La ligne compte 33 champs au lieu de 32."),
        (structure(BAD_KEY), f"La clé de contrôle du numéro FINESS {BAD_KEY} est fausse."),
        (structure("75A000001"), "« 75A000001 » n'est pas un numéro FINESS"),
        (structure(""), "Le numéro FINESS est vide."),
        (structure(PARIS_1, departement="99"), "Le département FINESS « 99 » est inconnu."),
        (structure(PARIS_1, rs=" "), "La raison sociale est vide."),
        (structure(PARIS_1, dateouv="2001-13-45"), "La date « 2001-13-45 » est invalide"),
        (structure(PARIS_1, datemaj="hier"), "La date « hier » est invalide"),
        (["structurej", PARIS_1], "Type de ligne « structurej » inconnu"),
        (geolocation(PARIS_3), "Géolocalisation d'un établissement absent du fichier"),
        (geolocation(PARIS_2, x="abc"), "Coordonnées « abc ; 6862000.25 » invalides."),
        (geolocation(PARIS_2)[:5], "La ligne de géolocalisation compte 5 champs au lieu de 6."),
        (structure(PARIS_2), f"Le numéro FINESS {PARIS_2} figure déjà ligne 2 (doublon)."),
    ],
)
def test_every_rejection_reason_is_reported_with_its_line(tmp_path, import_finess, record, reason):
    path = write_extract(tmp_path / "f.csv", [structure(PARIS_2), "", record])
    run = import_finess(path)
    assert run.code == 1
    assert run.stderr.startswith(f"ligne 4 : {reason}")
    assert run.counts["rejected"] == 1
    assert Establishment.objects.filter(finess=PARIS_2).exists()  # the valid line went in


def test_an_establishment_on_a_rejected_line_is_not_deactivated(tmp_path, import_finess):
    import_finess(write_extract(tmp_path / "a.csv", [structure(PARIS_1), structure(PARIS_2)]))
    run = import_finess(
        write_extract(
            tmp_path / "b.csv",
            [structure(PARIS_1), structure(PARIS_2, dateouv="jamais")],
            date="2026-06-12",
        )
    )
    assert run.counts == counts(unchanged=1, rejected=1)
    assert Establishment.objects.get(finess=PARIS_2).is_active


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "vide"),
        (b"code_insee;nom\n75;Paris\n", "n'est pas un extrait FINESS"),
        (b"finess;etalab;111;demain\n", "date d'extraction"),
        (b"finess;etalab;111;2026-05-12\n", "aucune ligne d'établissement"),
        (b"finess;etalab;111;2026-05-12\nstructureet;\x81\x8d\x8f\n", "illisible"),
    ],
)
def test_an_unusable_file_exits_with_status_2(tmp_path, import_finess, content, message):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    run = import_finess(path)
    assert run.code == 2
    assert message in run.stderr
    assert run.counts == counts()
    assert FinessImport.objects.get().status == FinessImport.Status.FAILED


def test_a_missing_file_exits_with_status_2(tmp_path, import_finess):
    run = import_finess(tmp_path / "absent.csv")
    assert run.code == 2 and "Fichier illisible" in run.stderr
    assert run.counts == counts()


# --- --strict, --dry-run -------------------------------------------------------------------------


def test_strict_mode_aborts_everything_when_a_line_is_rejected(import_finess):
    import_finess(SYNTHETIC)
    before = list(Establishment.objects.order_by("pk").values())
    run = import_finess(ERRORS, "--strict")
    assert run.code == 1
    assert run.counts == counts(rejected=5)
    assert "rien n'a été écrit" in run.stdout
    assert list(Establishment.objects.order_by("pk").values()) == before
    assert not FinessImport.objects.get(strict=True).applied


def test_strict_mode_imports_a_clean_file(import_finess):
    run = import_finess(SYNTHETIC, "--strict")
    assert run.code == 0 and run.counts == counts(created=60)


def test_dry_run_reports_what_would_change_without_writing(import_finess):
    import_finess(SYNTHETIC)
    before = list(Establishment.objects.order_by("pk").values())
    run = import_finess(ERRORS, "--dry-run", "--allow-deactivation")
    assert run.code == 1
    assert run.counts == counts(updated=1, unchanged=1, deactivated=56, rejected=5)
    assert "Simulation" in run.stdout
    assert list(Establishment.objects.order_by("pk").values()) == before
    simulation = FinessImport.objects.get(dry_run=True)
    assert simulation.status == FinessImport.Status.DONE and not simulation.applied


# --- Upsert, deactivation ------------------------------------------------------------------------


def test_a_changed_line_updates_the_establishment(tmp_path, import_finess):
    import_finess(write_extract(tmp_path / "a.csv", [structure(PARIS_1), structure(PARIS_2)]))
    pk = Establishment.objects.get(finess=PARIS_1).pk
    run = import_finess(
        write_extract(
            tmp_path / "b.csv",
            [structure(PARIS_1, rs="EHPAD LES ROSES", ligneacheminement="75015 PARIS"),
             structure(PARIS_2)],
        )
    )  # fmt: skip
    assert run.counts == counts(updated=1, unchanged=1)
    changed = Establishment.objects.get(finess=PARIS_1)
    assert changed.pk == pk
    assert (changed.short_name, changed.postcode) == ("EHPAD LES ROSES", "75015")
    assert "EHPAD LES ROSES" in changed.search_text


def test_an_absent_establishment_is_deactivated_never_deleted(tmp_path, import_finess):
    import_finess(
        write_extract(
            tmp_path / "a.csv", [structure(PARIS_1, departement="91"), structure(PARIS_2)]
        )
    )
    member = Establishment.objects.get(finess=PARIS_1)
    cluster = ClusterFactory(region_code="11", status="cloture")  # a past cluster's member
    add_members(cluster, 0)
    cluster.memberships.create(establishment=member, wave=cluster.wave, joined_on=cluster.starts_on)

    run = import_finess(
        write_extract(tmp_path / "b.csv", [structure(PARIS_2)], date="2026-06-12"),
        "--allow-deactivation",  # 1 of 2: over the threshold
    )
    assert run.counts == counts(unchanged=1, deactivated=1)
    member.refresh_from_db()
    assert not member.is_active
    assert cluster.memberships.filter(establishment=member).exists()

    # Back in a later extract: active again.
    run = import_finess(
        write_extract(
            tmp_path / "c.csv", [structure(PARIS_1, departement="91"), structure(PARIS_2)],
            date="2026-07-12",
        )
    )  # fmt: skip
    assert run.counts == counts(updated=1, unchanged=1)
    member.refresh_from_db()
    assert member.is_active


def test_an_extract_older_than_the_last_one_is_refused(tmp_path, import_finess):
    import_finess(write_extract(tmp_path / "a.csv", [structure(PARIS_1)], date="2026-06-12"))
    run = import_finess(write_extract(tmp_path / "b.csv", [structure(PARIS_2)], date="2026-05-12"))
    assert run.code == 2
    assert "plus ancien que le dernier importé" in run.stderr
    assert list(Establishment.objects.values_list("finess", "is_active")) == [(PARIS_1, True)]


# --- Categories and legal status -----------------------------------------------------------------


def test_an_unknown_category_is_imported_to_qualify_and_reported(tmp_path, import_finess):
    path = write_extract(
        tmp_path / "f.csv",
        [structure(PARIS_1, categetab="999", libcategetab="Catégorie nouvelle"),
         structure(PARIS_2, categetab="999", libcategetab="Catégorie nouvelle")],
    )  # fmt: skip
    run = import_finess(path)
    assert run.code == 0
    assert "catégorie inconnue 999 « Catégorie nouvelle » : 2 établissement(s)" in run.stdout
    establishment = Establishment.objects.get(finess=PARIS_1)
    assert establishment.category is None
    assert (establishment.category_code, establishment.category_label) == (
        "999",
        "Catégorie nouvelle",
    )
    assert establishment.sector == Sector.A_QUALIFIER
    assert FinessImport.objects.get().unknown_categories == [
        {"code": "999", "label": "Catégorie nouvelle", "count": 2}
    ]


def test_the_file_category_label_is_kept_and_the_sector_comes_from_our_table(
    tmp_path, import_finess
):
    path = write_extract(
        tmp_path / "f.csv", [structure(PARIS_1, categetab="355", libcategetab="Libellé FINESS")]
    )
    import_finess(path)
    establishment = Establishment.objects.select_related("category").get(finess=PARIS_1)
    assert establishment.category.code == "355"
    assert establishment.category_label == "Libellé FINESS"
    assert establishment.sector == Sector.SANITAIRE


@pytest.mark.parametrize(
    "codesph, status",
    [("1", LegalStatus.PUBLIC), ("6", LegalStatus.ESPIC), ("0", LegalStatus.A_QUALIFIER),
     ("", LegalStatus.A_QUALIFIER)],
)  # fmt: skip
def test_the_legal_status_comes_from_codesph(tmp_path, import_finess, codesph, status):
    import_finess(write_extract(tmp_path / "f.csv", [structure(PARIS_1, codesph=codesph)]))
    assert Establishment.objects.get(finess=PARIS_1).legal_status == status


def test_a_legal_status_qualified_by_hand_survives_a_reimport(tmp_path, import_finess):
    path = write_extract(tmp_path / "f.csv", [structure(PARIS_1)])
    import_finess(path)
    Establishment.objects.filter(finess=PARIS_1).update(legal_status=LegalStatus.PRIVE_COMMERCIAL)
    assert import_finess(path).counts == counts(unchanged=1)
    assert Establishment.objects.get(finess=PARIS_1).legal_status == LegalStatus.PRIVE_COMMERCIAL


def test_an_extract_larger_than_one_copy_chunk_is_imported_whole(tmp_path, import_finess):
    numbers = [with_luhn_key(f"13{n:06d}") for n in range(1, 1202)]
    path = write_extract(tmp_path / "f.csv", [structure(n, departement="13") for n in numbers])
    assert import_finess(path).counts == counts(created=1201)
    assert set(Establishment.objects.values_list("finess", flat=True)) == set(numbers)
    assert import_finess(path).counts == counts(unchanged=1201)
