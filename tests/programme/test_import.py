"""Import of past clusters: the browser's rules, every rejection with its line, all or nothing."""

import datetime
import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from clusters.models import Cluster, Membership, Theme, Wave
from programme import services
from tests.factories import ClusterFactory, EstablishmentFactory, WaveFactory

from .conftest import join

pytestmark = pytest.mark.django_db

HEADER = "vague;region;cluster;thematiques;finess"


@pytest.fixture
def past_wave():
    return WaveFactory(
        code="2016", starts_on=datetime.date(2016, 1, 1), ends_on=datetime.date(2017, 6, 30)
    )


@pytest.fixture
def themes():
    return list(Theme.objects.order_by("name").values_list("name", flat=True)[:2])


def members(region_code="11", count=5):
    return [EstablishmentFactory(region_code=region_code).finess for _ in range(count)]


def lines_for(wave, region, name, themes, finess_numbers):
    return [f"{wave};{region};{name};{'|'.join(themes)};{finess}" for finess in finess_numbers]


def csv_file(lines) -> bytes:
    return "\n".join([HEADER, *lines]).encode("utf-8")


def run(content: bytes, name="clusters.csv", **options):
    return services.import_clusters(lines=services.read_lines(content, name), by=None, **options)


def database_state():
    return (
        Cluster.objects.count(),
        Membership.objects.count(),
        Wave.objects.count(),
        sorted(Cluster.objects.values_list("name", "status")),
    )


def test_a_past_wave_cluster_is_imported_closed_with_its_members_and_themes(past_wave, themes):
    finess = members()
    report = run(csv_file(lines_for("2016", "11", "Cluster IDF 2016", themes, finess)))
    assert report.ok and report.created_clusters == ["Cluster IDF 2016 (2016)"]
    cluster = Cluster.objects.get(name="Cluster IDF 2016")
    assert cluster.status == Cluster.Status.CLOTURE
    assert cluster.closed_on == past_wave.ends_on
    assert cluster.region.code == "11"
    assert sorted(cluster.themes.values_list("name", flat=True)) == sorted(themes)
    assert sorted(cluster.memberships.values_list("establishment__finess", flat=True)) == sorted(
        finess
    )
    assert set(cluster.memberships.values_list("wave__code", flat=True)) == {"2016"}


def test_a_cluster_of_an_ongoing_wave_stays_a_draft(themes):
    WaveFactory(code="2040", ends_on=None)
    run(csv_file(lines_for("2040", "11", "Cluster en cours", themes, members())))
    assert Cluster.objects.get(name="Cluster en cours").status == Cluster.Status.BROUILLON


def test_reimporting_the_same_file_changes_nothing(past_wave, themes):
    content = csv_file(
        lines_for("2016", "11", "Cluster A", themes, members())
        + lines_for("2016", "53", "Cluster B", themes[:1], members("53", 6))
    )
    assert run(content).ok
    before = database_state()
    again = run(content)
    assert again.ok
    assert again.created_clusters == [] and again.created_memberships == 0
    assert sorted(again.unchanged_clusters) == ["Cluster A (2016)", "Cluster B (2016)"]
    assert database_state() == before


def test_nothing_is_written_when_one_cluster_is_rejected(past_wave, themes):
    content = csv_file(
        lines_for("2016", "11", "Cluster bon", themes, members())
        + lines_for("2016", "53", "Cluster trop petit", themes, members("53", 4))
    )
    before = database_state()
    report = run(content)
    assert not report.ok
    assert report.errors == [
        (
            7,
            "Cluster « Cluster trop petit » (vague 2016, lignes 7, 8, 9, 10) : 4 "
            "établissement(s) ; un cluster en compte de 5 à 8.",
        )
    ]
    assert database_state() == before


def test_dry_run_writes_nothing_but_reports(past_wave, themes):
    before = database_state()
    report = run(csv_file(lines_for("2016", "11", "Essai", themes, members())), dry_run=True)
    assert report.ok and report.created_clusters == ["Essai (2016)"]
    assert report.created_memberships == 5
    assert database_state() == before


def rejection(content: bytes, **options) -> list[tuple[int, str]]:
    report = run(content, **options)
    assert not report.ok
    return report.errors


def test_rejections_of_unknown_references_give_the_line_and_reason(past_wave, themes):
    finess = members()
    lines = lines_for("2016", "11", "C", themes, finess)
    lines[1] = f"1999;11;C;{themes[0]};{finess[1]}"  # line 3: unknown wave
    lines[2] = f"2016;99;C;{themes[0]};{finess[2]}"  # line 4: unknown region
    lines[3] = f"2016;11;C;Thème inventé;{finess[3]}"  # line 5: unknown theme
    lines[4] = f"2016;11;C;{themes[0]};010999999"  # line 6: not in the registry
    report = run(csv_file(lines))
    errors = dict(report.errors)
    assert errors[3] == ("La vague « 1999 » n'existe pas (option --create-waves pour la créer).")
    assert errors[4] == "La région « 99 » n'existe pas (code INSEE attendu)."
    assert errors[6] == "Le numéro FINESS « 010999999 » n'est pas dans le répertoire."
    assert "2 établissement(s)" in errors[2]  # what remains of the cluster is too small
    # An unknown theme is not a rejected line: it is listed once, to be chosen.
    assert 5 not in errors
    assert [(u.name, u.lines) for u in report.unknown_themes] == [("Thème inventé", [5])]


def test_rejection_of_empty_fields(past_wave, themes):
    finess = members()
    lines = lines_for("2016", "11", "C", themes, finess)
    lines[0] = f";11;C;{themes[0]};{finess[0]}"
    lines[1] = f"2016;11;;{themes[0]};{finess[1]}"
    lines[2] = f"2016;11;C;;{finess[2]}"
    lines[3] = f"{'9' * 21};11;C;{themes[0]};{finess[3]}"
    lines[4] = f"2016;11;{'C' * 201};{themes[0]};{finess[4]}"
    errors = dict(rejection(csv_file(lines), create_waves=True))
    assert errors[2] == "La vague est vide."
    assert errors[5] == "Le code de vague dépasse 20 caractères."
    assert errors[6] == "Le nom du cluster dépasse 200 caractères."
    assert errors[3] == "Le nom du cluster est vide."
    assert errors[4] == "Aucune thématique."


def test_rejection_of_an_establishment_of_another_region(past_wave, themes):
    finess = members()
    breton = EstablishmentFactory(region_code="53")
    lines = lines_for("2016", "11", "C", themes, [*finess, breton.finess])
    assert rejection(csv_file(lines)) == [
        (7, f"{breton.short_name} n'est pas dans la région du cluster.")
    ]


def test_rejection_of_a_closed_establishment(past_wave, themes):
    closed = EstablishmentFactory(region_code="11", is_active=False)
    lines = lines_for("2016", "11", "C", themes, [*members(), closed.finess])
    assert rejection(csv_file(lines)) == [
        (7, f"{closed.short_name} est fermé dans le répertoire FINESS.")
    ]


def test_rejection_of_too_many_members(past_wave, themes):
    errors = rejection(csv_file(lines_for("2016", "11", "C", themes, members(count=9))))
    assert errors == [
        (
            2,
            "Cluster « C » (vague 2016, lignes 2, 3, 4, 5, 6, 7, 8, 9, 10) : 9 établissement(s) ; "
            "un cluster en compte de 5 à 8.",
        )
    ]


def test_rejection_of_a_duplicate_line_and_of_several_regions(past_wave, themes):
    finess = members()
    errors = rejection(csv_file(lines_for("2016", "11", "C", themes, [*finess, finess[0]])))
    assert errors == [
        (
            2,
            "Cluster « C » (vague 2016, lignes 2, 3, 4, 5, 6, 7) : "
            f"établissement en double ({finess[0]}).",
        )
    ]
    lines = lines_for("2016", "11", "D", themes, finess)
    lines[-1] = lines[-1].replace(";11;", ";53;")
    assert "plusieurs régions" in rejection(csv_file(lines))[0][1]


def test_rejection_of_an_establishment_already_in_a_cluster_of_the_same_wave(past_wave, themes):
    taken = EstablishmentFactory(region_code="11")
    join(ClusterFactory(region_code="11", wave=past_wave, name="Cluster existant"), taken)
    lines = lines_for("2016", "11", "C", themes, [*members(count=4), taken.finess])
    assert rejection(csv_file(lines)) == [
        (
            6,
            f"{taken.short_name} participe déjà au cluster « Cluster existant » de la même vague.",
        )
    ]


def test_rejection_of_one_establishment_in_two_clusters_of_the_same_wave_in_the_file(
    past_wave, themes
):
    shared = EstablishmentFactory(region_code="11")
    lines = lines_for("2016", "11", "A", themes, [*members(count=4), shared.finess])
    lines += lines_for("2016", "11", "B", themes, [*members(count=4), shared.finess])
    errors = rejection(csv_file(lines))
    assert errors == [
        (11, f"{shared.short_name} participe déjà au cluster « A » de la même vague.")
    ]


def test_an_establishment_may_join_clusters_of_two_waves(past_wave, themes):
    WaveFactory(code="2017", ends_on=datetime.date(2018, 12, 31))
    shared = EstablishmentFactory(region_code="11")
    lines = lines_for("2016", "11", "A", themes, [*members(count=4), shared.finess])
    lines += lines_for("2017", "11", "B", themes, [*members(count=4), shared.finess])
    assert run(csv_file(lines)).ok
    assert shared.memberships.count() == 2


def test_rejection_of_an_existing_cluster_with_other_members(past_wave, themes):
    assert run(csv_file(lines_for("2016", "11", "C", themes, members()))).ok
    errors = rejection(csv_file(lines_for("2016", "11", "C", themes, members())))
    assert (
        "existe déjà dans cette région et cette vague avec d'autres établissements"
        in (errors[0][1])
    )
    finess = list(
        Cluster.objects.get(name="C").memberships.values_list("establishment__finess", flat=True)
    )
    errors = rejection(csv_file(lines_for("2016", "11", "C", themes[:1], finess)))
    assert "avec d'autres thématiques" in errors[0][1]


def test_regions_outside_the_allowed_ones_are_rejected(past_wave, themes, ars):
    lines = lines_for("2016", "53", "C", themes, members("53"))
    errors = rejection(csv_file(lines), region_ids=ars.roles.ars_region_ids)
    assert errors[0] == (2, "La région « Bretagne » n'est pas dans votre périmètre.")
    assert len(errors) == 5


def test_unreadable_files_are_refused_whole():
    with pytest.raises(services.ImportFileError, match="en-tête"):
        services.read_lines(b"a;b;c\n1;2;3", "x.csv")
    with pytest.raises(services.ImportFileError, match="CSV"):
        services.read_lines(b"", "x.ods")
    with pytest.raises(services.ImportFileError, match="illisible"):
        services.read_lines(b"not a zip", "x.xlsx")


def test_xlsx_files_are_read_like_csv(past_wave, themes):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    finess_numbers = members("84")  # Auvergne-Rhône-Alpes: numbers start with 0
    for finess in finess_numbers:
        # Spreadsheets turn codes into numbers: 2016, 84, and FINESS without leading zero.
        sheet.append([2016, 84, "Cluster XLSX", "|".join(themes), int(finess)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = run(buffer.getvalue(), name="clusters.xlsx")
    assert report.ok
    cluster = Cluster.objects.get(name="Cluster XLSX")
    assert sorted(cluster.memberships.values_list("establishment__finess", flat=True)) == sorted(
        finess_numbers
    )


def test_command_dry_run_create_waves_and_errors(themes, tmp_path):
    path = tmp_path / "clusters.csv"
    path.write_bytes(csv_file(lines_for("2015", "11", "Pionnier", themes, members())))
    with pytest.raises(CommandError, match="rien n'a été enregistré"):
        call_command("import_clusters", str(path), stderr=io.StringIO())

    before = database_state()
    output = io.StringIO()
    call_command("import_clusters", str(path), "--dry-run", "--create-waves", stdout=output)
    assert "Simulation" in output.getvalue() and "vagues créées : 2015" in output.getvalue()
    assert database_state() == before

    call_command("import_clusters", str(path), "--create-waves", stdout=io.StringIO())
    assert Cluster.objects.get(name="Pionnier", wave__code="2015").status == "cloture"
    after = database_state()
    output = io.StringIO()
    call_command("import_clusters", str(path), "--create-waves", stdout=output)
    assert "Clusters créés : 0" in output.getvalue()
    assert database_state() == after


def test_command_reports_each_rejected_line(past_wave, themes, tmp_path):
    path = tmp_path / "clusters.csv"
    lines = lines_for("2016", "11", "C", themes, members())
    lines[2] = lines[2].replace(themes[0], "Inconnue")
    path.write_bytes(csv_file(lines))
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_clusters", str(path), stderr=errors)
    assert "Thématique inconnue « Inconnue » (ligne 4)." in errors.getvalue()


def upload(client, content, name="clusters.csv"):
    return client.post(
        reverse("programme:import-upload"), {"file": SimpleUploadedFile(name, content)}
    )


def test_upload_page_checks_then_imports_on_confirmation(
    client, programme_team, past_wave, themes, caplog
):
    caplog.set_level(logging.INFO, logger="qvt.audit")
    client.force_login(programme_team)
    content = csv_file(lines_for("2016", "53", "Cluster breton", themes, members("53")))
    response = upload(client, content)
    assert response.status_code == 200
    assert "Fichier vérifié : aucun rejet" in response.content.decode()
    assert not Cluster.objects.filter(name="Cluster breton").exists()
    response = client.post(reverse("programme:import-confirm"))
    assert response.status_code == 302
    assert Cluster.objects.get(name="Cluster breton").status == "cloture"
    assert any(
        r.getMessage().startswith(f"cluster_import user={programme_team.username} clusters=1")
        for r in caplog.records
        if r.name == "qvt.audit"
    )
    # The checked file is used once only.
    client.post(reverse("programme:import-confirm"))
    assert Cluster.objects.filter(name="Cluster breton").count() == 1


def test_upload_page_lists_rejections(client, ars, past_wave, themes):
    client.force_login(ars)
    response = upload(client, csv_file(lines_for("2016", "53", "C", themes, members("53"))))
    page = response.content.decode()
    assert "5 rejet(s) : rien n'a été enregistré" in page
    assert "La région « Bretagne » n&#x27;est pas dans votre périmètre." in page
    assert "Confirmer l'import" not in page


def test_upload_page_refuses_other_formats(client, programme_team):
    client.force_login(programme_team)
    response = upload(client, b"x", name="clusters.ods")
    assert "Le fichier doit être un CSV ou un XLSX." in response.content.decode()


@pytest.mark.parametrize("persona", ["aract", "national", "admin"])
def test_who_may_not_import(client, request, persona):
    """Aract staff, the national reader (read-only) and administrators: 403, nothing written."""
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programme:import-upload")).status_code == 403
    assert client.post(reverse("programme:import-confirm")).status_code == 403


def test_aract_staff_may_not_import(client, aract):
    client.force_login(aract)
    assert client.get(reverse("programme:import-upload")).status_code == 403
    assert client.post(reverse("programme:import-confirm")).status_code == 403


def test_an_import_analyzes_the_tables_it_loaded(past_wave, themes):
    from tests.statistics import analyze_counts

    tables = (Cluster, Cluster.themes.through, Membership)
    content = csv_file(lines_for("2016", "11", "Pionnier", themes, members()))
    before = analyze_counts(*tables)
    run(content, dry_run=True)
    assert analyze_counts(*tables) == before  # a check writes nothing, analyzes nothing
    assert run(content).created_clusters
    assert analyze_counts(*tables) == {table: count + 1 for table, count in before.items()}
