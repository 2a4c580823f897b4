"""The tolerant past-cluster import: themes matched loosely, unknown themes listed once with a
choice (command line and page), the first 200 rejections shown and all of them downloadable,
control characters rejected per line, and the closing of past clusters in the audit log."""

import csv
import datetime
import io

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from clusters.models import Cluster, Theme
from programme import services
from tests.factories import EstablishmentFactory, WaveFactory

pytestmark = pytest.mark.django_db

HEADER = "vague;region;cluster;thematiques;finess"
VIRAGE = "Virage ambulatoire et chirurgie ambulatoire"
RPS = "Risques psychosociaux (RPS)"
FUSIONS = "Réorganisations (fusions, GHT)"


@pytest.fixture
def past_wave():
    return WaveFactory(
        code="2016", starts_on=datetime.date(2016, 1, 1), ends_on=datetime.date(2017, 6, 30)
    )


def cluster_lines(wave, name, themes, region="11", count=5):
    return [
        f"{wave};{region};{name};{themes};{EstablishmentFactory(region_code=region).finess}"
        for _ in range(count)
    ]


def loose_spreadsheet(tmp_path, wave="2016"):
    """Three clusters whose themes are written as people write them in a spreadsheet."""
    lines = [
        *cluster_lines(wave, "Ambulatoire Paris", "Virage ambulatoire"),
        *cluster_lines(wave, "RPS Paris", "risques psycho-sociaux|SENS DU TRAVAIL"),
        *cluster_lines(wave, "Fusions Paris", "GHT et fusions|Risques psychosociaux"),
    ]
    path = tmp_path / "clusters.csv"
    path.write_text("\n".join([HEADER, *lines]), encoding="utf-8")
    return path


def command(path, *options):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_clusters", str(path), *options, stdout=out, stderr=err)
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


# --- Matching ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, theme",
    [
        ("risques psychosociaux", RPS),
        ("Risques psycho-sociaux", RPS),
        ("RISQUES PSYCHOSOCIAUX (rps)", RPS),
        ("Reorganisations", FUSIONS),
        ("hospitalisation a domicile", "Hospitalisation à domicile (HAD)"),
        ("Sens du travail.", "Sens du travail"),
    ],
)
def test_themes_match_without_case_accents_punctuation_or_trailing_parenthesis(written, theme):
    existing = {services.theme_key(t.name): t.name for t in Theme.objects.all()}
    assert existing[services.theme_key(written)] == theme


def test_a_theme_written_differently_is_reported_as_read(past_wave):
    lines = cluster_lines("2016", "C", "risques psycho-sociaux")
    report = services.import_clusters(
        lines=services.read_lines("\n".join([HEADER, *lines]).encode(), "c.csv"), by=None
    )
    assert report.ok
    assert report.matched_themes == {"risques psycho-sociaux": RPS}
    assert list(Cluster.objects.get(name="C").themes.values_list("name", flat=True)) == [RPS]


# --- Command line --------------------------------------------------------------------------------


def test_with_neither_option_each_unknown_theme_is_listed_once_and_nothing_is_written(
    tmp_path, past_wave
):
    path = loose_spreadsheet(tmp_path)
    ok, out, err = command(path)
    assert not ok
    assert "rien n'a été enregistré" in err
    # Each theme once, with its lines, not one message per line.
    assert err.count("« Virage ambulatoire »") == 1
    assert err.count("« GHT et fusions »") == 1
    assert "Thématique inconnue « Virage ambulatoire » (lignes 2, 3, 4, 5, 6)." in err
    assert "Thématique inconnue « GHT et fusions » (lignes 12, 13, 14, 15, 16)." in err
    assert "--map-theme" in err and "--create-themes" in err
    assert "Ligne" not in err  # the unknown themes are not rejected lines
    assert not Cluster.objects.exists()
    assert not Theme.objects.filter(name__in=["Virage ambulatoire", "GHT et fusions"]).exists()


def test_create_waves_and_create_themes_import_every_cluster_of_a_loose_spreadsheet(tmp_path):
    path = loose_spreadsheet(tmp_path, wave="2015")  # a wave the application does not know
    ok, out, err = command(path, "--create-waves", "--create-themes")
    assert ok, err
    assert "Clusters créés : 3" in out
    assert "thématiques créées : GHT et fusions, Virage ambulatoire" in out
    assert "Thématique « risques psycho-sociaux » lue comme « Risques psychosociaux (RPS) »." in out
    themes = {
        cluster.name: sorted(t.name for t in cluster.themes.all())
        for cluster in Cluster.objects.prefetch_related("themes")
    }
    assert themes == {
        "Ambulatoire Paris": ["Virage ambulatoire"],
        "RPS Paris": [RPS, "Sens du travail"],
        "Fusions Paris": ["GHT et fusions", RPS],
    }
    assert set(Cluster.objects.values_list("status", flat=True)) == {"cloture"}


def test_map_theme_reads_a_theme_as_an_existing_one(tmp_path, past_wave):
    path = loose_spreadsheet(tmp_path)
    ok, out, err = command(
        path,
        "--map-theme",
        f"Virage ambulatoire={VIRAGE}",
        "--map-theme",
        f"ght et fusions={FUSIONS}",
    )
    assert ok, err
    assert Cluster.objects.count() == 3
    assert list(
        Cluster.objects.get(name="Ambulatoire Paris").themes.values_list("name", flat=True)
    ) == [VIRAGE]
    assert not Theme.objects.filter(name="Virage ambulatoire").exists()


def test_map_theme_to_a_theme_that_does_not_exist_is_refused(tmp_path, past_wave):
    path = loose_spreadsheet(tmp_path)
    ok, out, err = command(path, "--map-theme", "Virage ambulatoire=Nulle part", "--create-themes")
    assert not ok
    assert "La thématique « Nulle part », choisie pour « Virage ambulatoire », n'existe pas." in err
    assert not Cluster.objects.exists()
    ok, out, err = command(path, "--map-theme", "sans signe égal")
    assert not ok and "écrivez « thématique du fichier=thématique existante »" in err


# --- Control characters --------------------------------------------------------------------------


def test_a_nul_byte_or_a_control_character_rejects_its_line_in_french(tmp_path, past_wave):
    lines = cluster_lines("2016", "C", "Management")
    lines[1] = lines[1].replace(";C;", ";C\x00;")
    lines[3] = lines[3].replace("Management", "Manage\x07ment")
    report = services.import_clusters(
        lines=services.read_lines("\n".join([HEADER, *lines]).encode(), "c.csv"), by=None
    )
    errors = dict(report.errors)
    assert errors[3] == (
        "La ligne contient l'octet nul U+0000, interdit, dans la colonne 3 : corrigez le fichier."
    )
    assert errors[5] == (
        "La ligne contient le caractère de contrôle U+0007, interdit, dans la colonne 4 : "
        "corrigez le fichier."
    )
    assert not Cluster.objects.exists()


def test_a_nul_byte_on_the_upload_page_is_a_rejected_line_not_an_error(client, programme_team):
    WaveFactory(code="2016", ends_on=datetime.date(2017, 6, 30))
    client.force_login(programme_team)
    lines = cluster_lines("2016", "C", "Management")
    lines[0] = lines[0].replace(";C;", ";C\x00;")
    content = "\n".join([HEADER, *lines]).encode()
    response = client.post(
        reverse("programme:import-upload"), {"file": SimpleUploadedFile("c.csv", content)}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert '<tr><th scope="row">2</th><td>La ligne contient l&#x27;octet nul U+0000' in page


# --- The upload page -----------------------------------------------------------------------------


def upload(client, path):
    return client.post(
        reverse("programme:import-upload"),
        {"file": SimpleUploadedFile("clusters.csv", path.read_bytes())},
    )


def test_the_page_lists_unknown_themes_once_and_imports_with_the_choices_made(
    client, programme_team, past_wave, tmp_path
):
    client.force_login(programme_team)
    response = upload(client, loose_spreadsheet(tmp_path))
    page = response.content.decode()
    assert "2 thématique(s) inconnue(s) : rien n'a été enregistré" in page
    assert page.count('<label class="fr-label" for="id_theme_') == 2  # one choice per theme
    assert page.count("« Virage ambulatoire » <span") == 1
    assert "Créer la thématique « GHT et fusions »" in page  # the programme team may create
    assert "Confirmer l&#x27;import" not in page and "Confirmer l'import" not in page

    response = client.post(
        reverse("programme:import-upload"),
        {"themes": "1", "theme_0": FUSIONS},  # the second choice is missing
    )
    assert "Choisissez une thématique." in response.content.decode()

    response = client.post(
        reverse("programme:import-upload"),
        {"themes": "1", "theme_0": "__creer__", "theme_1": VIRAGE},  # in name order
    )
    page = response.content.decode()
    assert "Fichier vérifié : aucun rejet" in page
    assert "1 thématique(s) à créer (GHT et fusions)" in page
    assert not Cluster.objects.exists() and not Theme.objects.filter(name="GHT et fusions")

    client.post(reverse("programme:import-confirm"))
    assert Cluster.objects.count() == 3
    assert list(
        Cluster.objects.get(name="Ambulatoire Paris").themes.values_list("name", flat=True)
    ) == [VIRAGE]
    assert Theme.objects.filter(name="GHT et fusions").exists()


def test_ars_staff_may_map_themes_but_not_create_them(client, ars, past_wave, tmp_path):
    client.force_login(ars)
    page = upload(client, loose_spreadsheet(tmp_path)).content.decode()
    assert "Créer la thématique" not in page
    response = client.post(
        reverse("programme:import-upload"),
        {"themes": "1", "theme_0": "__creer__", "theme_1": VIRAGE},
    )
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Theme.objects.filter(name="GHT et fusions").exists()


def test_the_page_shows_the_first_200_rejections_and_the_csv_has_them_all(
    client, programme_team, past_wave
):
    client.force_login(programme_team)
    lines = [f"2016;11;C{n};Management;010999999" for n in range(250)]
    content = "\n".join([HEADER, *lines]).encode()
    response = client.post(
        reverse("programme:import-upload"), {"file": SimpleUploadedFile("c.csv", content)}
    )
    page = response.content.decode()
    assert "250 rejet(s)" in page and "les 200 premiers sur 250" in page
    assert page.count("n&#x27;est pas dans le répertoire.") == 200
    download = client.get(reverse("programme:import-rejects"))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="rejets-import-clusters.csv"'
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["ligne", "motif"]
    assert [int(row[0]) for row in rows[1:]] == list(range(2, 252))


def test_no_rejections_to_download_answers_404(client, programme_team):
    client.force_login(programme_team)
    assert client.get(reverse("programme:import-rejects")).status_code == 404


# --- Audit ---------------------------------------------------------------------------------------


def test_closing_an_imported_past_cluster_is_in_its_audit_history(past_wave):
    lines = cluster_lines("2016", "Historique", "Management")
    services.import_clusters(
        lines=services.read_lines("\n".join([HEADER, *lines]).encode(), "c.csv"), by=None
    )
    cluster = Cluster.objects.get(name="Historique")
    assert cluster.status == Cluster.Status.CLOTURE
    changes = [
        entry.changes_dict
        for entry in LogEntry.objects.get_for_object(cluster).filter(action=LogEntry.Action.UPDATE)
    ]
    assert any(change.get("status") == ["brouillon", "cloture"] for change in changes), changes
