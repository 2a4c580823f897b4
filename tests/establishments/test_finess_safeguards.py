"""Safeguards of the FINESS import: a partial extract stops before writing (exit status 3) unless
--allow-deactivation or a confirmation on the upload page; a member of a running cluster is never
deactivated (kept, marked closed, with a warning on its cluster page and the ARS home); a closed
or deactivated establishment is never offered to a cluster."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters import services as cluster_services
from clusters.models import Cluster, Membership
from establishments.finess import with_luhn_key
from establishments.models import Establishment, FinessImport
from establishments.tasks import run_finess_import
from tests.establishments.conftest import SYNTHETIC, structure, write_extract
from tests.factories import ClusterFactory, EstablishmentFactory

pytestmark = pytest.mark.django_db

EXTRACTED = datetime.date(2026, 5, 12)


def registry_snapshot():
    return list(Establishment.objects.order_by("pk").values())


def extract_of(tmp_path, establishments, name="extract.csv"):
    """An extract listing `establishments` (Paris, as the factory makes them)."""
    return write_extract(
        tmp_path / name,
        [structure(e.finess, rs=e.short_name, departement="75") for e in establishments],
    )


@pytest.fixture
def registry():
    """20 active establishments of Île-de-France: 5 members of a running cluster, 1 member of a
    closed one, 14 in no cluster."""
    establishments = [EstablishmentFactory(region_code="11") for _ in range(20)]
    running = ClusterFactory(region_code="11", status=Cluster.Status.EN_COURS, name="En cours")
    closed = ClusterFactory(region_code="11", status=Cluster.Status.CLOTURE, name="Passé")
    for establishment in establishments[:5]:
        running.memberships.create(
            establishment=establishment, wave=running.wave, joined_on=running.starts_on
        )
    closed_cluster_member = establishments[5]
    closed.memberships.create(
        establishment=closed_cluster_member, wave=closed.wave, joined_on=closed.starts_on
    )
    return {
        "all": establishments,
        "running": running,
        "closed": closed,
        "members": establishments[:5],
        "past_member": closed_cluster_member,
    }


# --- The command ---------------------------------------------------------------------------------


def test_a_partial_extract_exits_3_and_changes_nothing(tmp_path, import_finess):
    import_finess(SYNTHETIC)
    before = registry_snapshot()
    one_line = write_extract(
        tmp_path / "partiel.csv", [structure(with_luhn_key("75000001"))], date="2026-06-01"
    )  # a number absent from the sample: the other 60 would be deactivated

    run = import_finess(one_line)

    assert run.code == 3
    assert "60 des 60 établissements actifs" in run.stderr
    assert "100\u00a0%" in run.stderr and "5\u00a0%" in run.stderr  # how many, and why
    assert "--allow-deactivation" in run.stderr
    assert run.counts["created"] == run.counts["deactivated"] == 0
    assert registry_snapshot() == before
    job = FinessImport.objects.latest("pk")
    assert job.stopped and not job.applied
    assert (job.active_before, job.absent) == (60, 60)
    # Nothing written: the stopped extract's date does not block an older, complete one.
    assert FinessImport.objects.latest_extraction_date() == datetime.date(2026, 5, 12)


def test_a_partial_dry_run_also_stops_and_says_why(tmp_path, import_finess):
    import_finess(SYNTHETIC)
    run = import_finess(
        write_extract(
            tmp_path / "p.csv", [structure(with_luhn_key("75000001"))], date="2026-06-01"
        ),
        "--dry-run",
    )
    assert run.code == 3
    assert "Import arrêté avant toute écriture" in run.stderr


def test_with_allow_deactivation_members_of_running_clusters_stay_members_and_are_flagged(
    tmp_path, import_finess, registry
):
    kept = registry["all"][10:]  # the extract lists 10 of the 20: 50 % absent
    run = import_finess(extract_of(tmp_path, kept))
    assert run.code == 3
    assert Establishment.objects.filter(is_active=True).count() == 20  # nothing written

    run = import_finess(extract_of(tmp_path, kept), "--allow-deactivation")

    assert run.code == 0
    assert run.counts["deactivated"] == 5  # the past member and the 4 in no cluster
    for member in registry["members"]:
        member.refresh_from_db()
        assert member.is_active and member.finess_closed_on == EXTRACTED
        assert f"{member} reste membre, signalé fermé dans FINESS" in run.stdout
    assert registry["running"].memberships.active().count() == 5
    job = FinessImport.objects.latest("pk")
    assert job.applied and job.closed_members == 5
    assert "5 établissement(s) absent(s) de l'extrait mais membre(s)" in job.message
    past_member = registry["past_member"]
    past_member.refresh_from_db()
    assert not past_member.is_active and past_member.finess_closed_on == EXTRACTED
    assert registry["closed"].memberships.active().filter(establishment=past_member).exists()
    assert set(Establishment.objects.filter(is_active=False)) == set(registry["all"][5:10])
    assert set(Membership.objects.closed_in_finess()) == set(registry["running"].memberships.all())


def test_a_flagged_member_listed_again_is_no_longer_closed(tmp_path, import_finess, registry):
    import_finess(extract_of(tmp_path, registry["all"][10:]), "--allow-deactivation")
    later = write_extract(
        tmp_path / "later.csv",
        [structure(e.finess, rs=e.short_name, departement="75") for e in registry["all"]],
        date="2026-07-01",
    )
    run = import_finess(later)
    assert run.code == 0
    assert not Establishment.objects.filter(finess_closed_on__isnull=False).exists()
    assert Establishment.objects.filter(is_active=True).count() == 20
    assert not Membership.objects.closed_in_finess().exists()


def test_an_extract_under_the_threshold_needs_no_option(tmp_path, import_finess):
    establishments = [EstablishmentFactory(region_code="11") for _ in range(21)]
    run = import_finess(extract_of(tmp_path, establishments[1:]))  # 1 of 21 absent: 4.8 %
    assert run.code == 0 and run.counts["deactivated"] == 1


def test_the_threshold_is_a_setting(tmp_path, import_finess, registry, settings):
    settings.FINESS_MAX_DEACTIVATION_SHARE = 0.6
    run = import_finess(extract_of(tmp_path, registry["all"][10:]))  # 50 % absent
    assert run.code == 0
    assert FinessImport.objects.get().closed_members == 5


# --- The warnings --------------------------------------------------------------------------------


def flag(establishments, closed_on=EXTRACTED):
    for establishment in establishments:
        establishment.finess_closed_on = closed_on
        establishment.save()


def test_the_cluster_page_warns_about_members_closed_in_finess(client, ars, registry):
    flag(registry["members"][:2])
    client.force_login(ars)
    page = client.get(reverse("clusters:cluster-detail", args=[registry["running"].pk]))
    text = page.content.decode()
    assert "2 membres sont fermés dans le répertoire FINESS" in text
    for member in registry["members"][:2]:
        assert f"{member.short_name} ({member.finess}), absent de l'extrait du 12/05/2026" in text
    assert {m.establishment for m in page.context["finess_closures"]} == set(
        registry["members"][:2]
    )


def test_a_closed_cluster_page_shows_no_finess_warning(client, ars, registry):
    flag([registry["past_member"]])
    client.force_login(ars)
    page = client.get(reverse("clusters:cluster-detail", args=[registry["closed"].pk]))
    assert "fermé dans le répertoire FINESS" not in page.content.decode()


def test_the_ars_home_lists_members_closed_in_finess_of_its_region_only(
    client, ars, ars_other_region, registry
):
    flag(registry["members"][:1])
    client.force_login(ars)
    text = client.get(reverse("home")).content.decode()
    assert "Un membre est fermé dans le répertoire FINESS" in text
    assert reverse("clusters:cluster-detail", args=[registry["running"].pk]) in text
    client.force_login(ars_other_region)
    assert "fermé dans le répertoire FINESS" not in client.get(reverse("home")).content.decode()


# --- Adding members ------------------------------------------------------------------------------


def test_the_member_search_never_offers_a_closed_or_deactivated_establishment(client, ars):
    cluster = ClusterFactory(region_code="11", name="Nouveau")
    open_one = EstablishmentFactory(region_code="11", short_name="EHPAD OUVERT")
    closed = EstablishmentFactory(region_code="11", short_name="EHPAD FERME FINESS")
    flag([closed])
    EstablishmentFactory(region_code="11", short_name="EHPAD INACTIF", is_active=False)
    client.force_login(ars)
    page = client.get(reverse("clusters:member-search", args=[cluster.pk]), {"q": "ehpad"})
    assert [e.pk for e in page.context["results"]] == [open_one.pk]
    # Nor through the JSON search, nor by posting its id.
    found = client.get(reverse("establishments:establishment-search-json"), {"q": "ehpad"})
    joinable = {r["name"]: r["can_join_cluster"] for r in found.json()["results"]}
    assert joinable == {"EHPAD FERME FINESS": False, "EHPAD OUVERT": True}
    assert cluster_services.membership_refusal(cluster, closed) == (
        "EHPAD FERME FINESS est fermé dans le répertoire FINESS."
    )


# --- The upload page: confirmation ---------------------------------------------------------------


def upload_and_run(client, path):
    client.post(
        reverse("establishments:finess-import"),
        {"file": SimpleUploadedFile("etalab.csv", path.read_bytes())},
    )
    job = FinessImport.objects.latest("pk")
    run_finess_import(job.pk)  # what the worker does
    job.refresh_from_db()
    return job


def test_the_upload_page_asks_for_a_confirmation_then_imports(
    client, admin, media, tmp_path, registry
):
    client.force_login(admin)
    before = registry_snapshot()
    job = upload_and_run(client, extract_of(tmp_path, registry["all"][10:]))
    assert job.stopped and not job.applied and registry_snapshot() == before
    detail = reverse("establishments:finess-import-detail", args=[job.pk])
    text = client.get(detail).content.decode()
    assert "Import arrêté avant écriture" in text
    assert '<th scope="row">Actifs dans le registre</th><td>20</td>' in text
    assert "seraient désactivés ou signalés fermés)</th><td>10</td>" in text
    assert "50\u00a0%" in text and "Confirmer et importer" in text

    confirm = reverse("establishments:finess-import-confirm", args=[job.pk])
    refused = client.post(confirm, {})  # the box is not ticked
    assert refused.status_code == 200
    assert "Cochez la case pour confirmer l&#x27;import." in refused.content.decode()
    assert FinessImport.objects.count() == 1

    response = client.post(confirm, {"confirm": "on"})
    confirmation = FinessImport.objects.latest("pk")
    assert response.status_code == 302
    assert response.url == reverse("establishments:finess-import-detail", args=[confirmation.pk])
    assert (confirmation.confirmed_from, confirmation.requested_by) == (job, admin)
    assert confirmation.allow_deactivation and confirmation.file.name == job.file.name
    entry = LogEntry.objects.get_for_object(confirmation).get()  # audited
    assert entry.actor == admin and entry.action == LogEntry.Action.CREATE
    assert entry.changes_dict["allow_deactivation"] == ["None", "True"]

    run_finess_import(confirmation.pk)
    confirmation.refresh_from_db()
    assert confirmation.applied and confirmation.closed_members == 5
    assert Establishment.objects.filter(is_active=False).count() == 5
    # Confirmed once: the stopped import no longer offers the confirmation.
    text = client.get(detail).content.decode()
    assert "Confirmer et importer" not in text and f"import n° {confirmation.pk}" in text
    client.post(confirm, {"confirm": "on"})
    assert FinessImport.objects.count() == 2


# --- Control characters --------------------------------------------------------------------------


def test_a_nul_byte_or_a_control_character_rejects_its_line_with_its_number(
    tmp_path, import_finess
):
    clean = with_luhn_key("75000001")
    established = EstablishmentFactory(region_code="11")
    path = write_extract(
        tmp_path / "nul.csv",
        [
            structure(clean),
            structure(established.finess, rs="EHPAD\x00LES LILAS"),
            structure(with_luhn_key("75000002"), voie="DES\x1bLILAS"),
        ],
    )
    run = import_finess(path, "--allow-deactivation")
    assert run.code == 1, run.stderr  # some lines rejected, not an unusable file
    assert (
        "ligne 3 : La ligne contient l'octet nul U+0000, interdit, dans la colonne 4 : "
        "corrigez le fichier." in run.stderr
    )
    assert "ligne 4 : La ligne contient le caractère de contrôle U+001B, interdit" in run.stderr
    assert run.counts["created"] == 1 and run.counts["rejected"] == 2
    established.refresh_from_db()
    assert established.is_active  # a number read on a rejected line is not "absent"
    assert established.short_name.startswith("EHPAD LES TILLEULS")  # its line was not written
