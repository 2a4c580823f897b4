"""Forms never take what the user may not set: no "__all__", no `exclude`, no owner or status
fields, and hand-made POSTs (another region's id, a status, an owner) change nothing."""

import ast
import datetime
import importlib
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from clusters.models import Cluster, DelegationContact, Membership, Session
from experiments.models import Experiment, Monograph
from reports.models import ReportJob
from tests.factories import (
    ClusterFactory,
    EstablishmentFactory,
    SessionFactory,
    add_members,
    aract_user,
    ars_user,
)

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
PROJECT_APPS = [
    "accounts",
    "clusters",
    "establishments",
    "experiments",
    "programme",
    "reports",
    "qvt",
]


def form_modules() -> list[Path]:
    paths = []
    for app in PROJECT_APPS:
        paths += sorted((BASE_DIR / app).glob("forms.py"))
        paths += sorted((BASE_DIR / app).glob("*_forms.py"))
        paths += sorted((BASE_DIR / app).glob("forms/*.py"))
    return paths


def test_the_scan_finds_the_projects_forms():
    names = {str(path.relative_to(BASE_DIR)) for path in form_modules()}
    assert {"clusters/forms.py", "experiments/forms.py", "clusters/session_forms.py"} <= names


@pytest.mark.parametrize("path", form_modules(), ids=lambda p: str(p.relative_to(BASE_DIR)))
def test_no_form_takes_all_fields_or_excludes_some(path):
    """`fields = "__all__"` or `exclude = [...]` would let a new model field (a region, an owner,
    a status) become writable by anyone who can post the form."""
    tree = ast.parse(path.read_text(), filename=str(path))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == "__all__":
            problems.append(f'line {node.lineno}: "__all__"')
        if isinstance(node, ast.ClassDef) and node.name == "Meta":
            for statement in node.body:
                if isinstance(statement, ast.Assign):
                    for target in statement.targets:
                        if isinstance(target, ast.Name) and target.id == "exclude":
                            problems.append(f"line {statement.lineno}: Meta.exclude")
    assert not problems, f"{path}: " + ", ".join(problems)


def all_model_forms():
    for path in form_modules():
        module = ".".join(path.relative_to(BASE_DIR).with_suffix("").parts)
        importlib.import_module(module)
    found, pending = [], list(forms.ModelForm.__subclasses__())
    while pending:
        form_class = pending.pop()
        pending += form_class.__subclasses__()
        if form_class.__module__.split(".")[0] in PROJECT_APPS:
            found.append(form_class)
    return found


# Fields the server sets: who did it, where it belongs, its workflow state.
SERVER_SET = {
    "created_by",
    "uploaded_by",
    "requested_by",
    "changed_by",
    "by",
    "region",
    "cluster",
    "membership",
    "session",
    "wave",
    "submitted_at",
    "validated_at",
    "published_at",
    "is_draft",
}
# The exceptions, each limited by the form to what the user may choose.
ALLOWED = {
    ("ClusterForm", "wave"),  # a wave is reference data every region shares
    ("ClusterForm", "region"),  # not a model field: the user's own ARS regions only
    ("ExperimentForm", "status"),  # the facilitator tracks the experiment's progress
}
WORKFLOW_STATUS = {Cluster: "status", Monograph: "status"}


def test_model_forms_list_their_fields_and_none_the_server_sets():
    problems = []
    model_forms = all_model_forms()
    assert len(model_forms) >= 5
    for form_class in model_forms:
        meta = form_class._meta
        if meta.fields is None or meta.fields == "__all__" or meta.exclude:
            problems.append(f"{form_class.__name__}: fields must be an explicit list")
            continue
        names = set(form_class.base_fields)
        if meta.model in WORKFLOW_STATUS and WORKFLOW_STATUS[meta.model] in names:
            problems.append(f"{form_class.__name__}: status changes go through transitions")
        for name in sorted(names & SERVER_SET):
            if (form_class.__name__, name) not in ALLOWED:
                problems.append(f"{form_class.__name__}: {name} is set by the server")
    assert not problems, "\n".join(problems)


# --- Hand-made POSTs ----------------------------------------------------------------------------


@pytest.fixture
def breton():
    """Region 53: a cluster with a member, and staff of both kinds."""
    cluster = ClusterFactory(region_code="53")
    return {
        "cluster": cluster,
        "membership": add_members(cluster, 1)[0],
        "establishment": EstablishmentFactory(region_code="53"),
        "ars": ars_user("53", username="ars-breton"),
        "aract": aract_user("53", username="aract-breton"),
    }


def test_adding_another_regions_establishment_by_hand_is_refused(client, ars, cluster, breton):
    client.force_login(ars)
    response = client.post(
        reverse("clusters:member-add", args=[cluster.pk]),
        {"establishment": breton["establishment"].pk},
    )
    assert not Membership.objects.filter(establishment=breton["establishment"]).exists()
    assert response.status_code in (200, 302)


def cluster_form_data(cluster, **changes):
    data = {
        "name": cluster.name,
        "wave": cluster.wave_id,
        "themes": [theme.pk for theme in cluster.themes.all()],
        "problem_statement": "Problématique",
        "starts_on": "2026-02-01",
    }
    data.update(changes)
    return data


def test_a_cluster_edit_cannot_move_it_to_another_region_nor_change_its_status(
    client, ars, cluster, breton
):
    client.force_login(ars)
    response = client.post(
        reverse("clusters:cluster-edit", args=[cluster.pk]),
        cluster_form_data(
            cluster,
            name="Nouveau nom",
            region=breton["cluster"].region_id,
            status=Cluster.Status.CLOTURE,
            closed_on="2026-01-01",
        ),
    )
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert cluster.name == "Nouveau nom"  # the legitimate change went through...
    assert cluster.region.code == "11"  # ...not the tampered ones
    assert cluster.status == Cluster.Status.BROUILLON
    assert cluster.closed_on is None


def test_a_cluster_cannot_be_registered_in_another_region(client, ars, breton):
    client.force_login(ars)
    wave = breton["cluster"].wave
    client.post(
        reverse("clusters:cluster-create"),
        {
            "name": "Cluster détourné",
            "wave": wave.pk,
            "themes": [breton["cluster"].themes.first().pk],
            "region": breton["cluster"].region_id,
        },
    )
    assert Cluster.objects.get(name="Cluster détourné").region.code == "11"


def test_another_regions_staff_cannot_be_named_facilitator_or_referent(
    client, ars, cluster, breton
):
    client.force_login(ars)
    response = client.post(
        reverse("clusters:cluster-edit", args=[cluster.pk]),
        cluster_form_data(
            cluster, facilitators=[breton["aract"].pk], ars_referent=breton["ars"].pk
        ),
    )
    assert response.status_code == 200  # the form again, with its errors
    cluster.refresh_from_db()
    assert breton["aract"] not in cluster.facilitators.all()
    assert cluster.ars_referent_id != breton["ars"].pk


def test_a_contact_cannot_be_moved_to_another_regions_membership(client, ars, cluster, breton):
    membership = add_members(cluster, 1)[0]
    contact = DelegationContact.objects.create(membership=membership, role="direction", name="A")
    client.force_login(ars)
    client.post(
        reverse("clusters:contact-edit", args=[cluster.pk, contact.pk]),
        {
            "role": "direction",
            "name": "B",
            "email": "",
            "phone": "",
            "membership": breton["membership"].pk,
        },
    )
    contact.refresh_from_db()
    assert contact.name == "B"
    assert contact.membership_id == membership.pk


def test_a_session_is_recorded_in_the_urls_cluster_by_the_signed_in_user(
    client, aract, cluster, breton
):
    members = add_members(cluster, 5)
    client.force_login(aract)
    client.post(
        reverse("clusters:session-create", args=[cluster.pk]),
        {
            f"m{members[0].pk}-direction": 2,
            "held_on": "2026-04-02",
            "kind": Session.Kind.COLLECTIVE,
            "format": Session.Format.PRESENTIEL,
            "cluster": breton["cluster"].pk,
            "created_by": breton["aract"].pk,
            "is_draft": "",
            "number": 99,
        },
    )
    assert not Session.objects.filter(cluster=breton["cluster"]).exists()
    session = Session.objects.get(cluster=cluster)
    assert session.created_by == aract
    assert session.number != 99


def test_a_monograph_edit_cannot_publish_it(client, aract, cluster):
    membership = add_members(cluster, 1)[0]
    monograph = Monograph.objects.create(membership=membership, title="Brouillon")
    client.force_login(aract)
    client.post(
        reverse("experiments:monograph-edit", args=[monograph.pk]),
        {
            "title": "Titre modifié",
            "status": Monograph.Status.PUBLIEE,
            "published_at": "2026-01-01T00:00",
        },
    )
    monograph.refresh_from_db()
    assert monograph.title == "Titre modifié"
    assert monograph.status == Monograph.Status.BROUILLON
    assert monograph.published_at is None


def test_an_experiment_is_created_for_the_urls_membership(client, aract, cluster, breton):
    membership = add_members(cluster, 1)[0]
    client.force_login(aract)
    client.post(
        reverse("experiments:experiment-create", args=[membership.pk]),
        {
            "title": "Essai",
            "status": Experiment.Status.ENVISAGEE,
            "membership": breton["membership"].pk,
        },
    )
    assert Experiment.objects.get(title="Essai").membership == membership


def test_a_regional_report_cannot_be_asked_for_another_region(client, ars, cluster, breton):
    client.force_login(ars)
    client.post(
        reverse("reports:region-report-request"),
        {"region": breton["cluster"].region_id, "wave": breton["cluster"].wave_id},
    )
    assert not ReportJob.objects.filter(region=breton["cluster"].region).exists()


def test_a_session_of_another_cluster_cannot_be_reached_through_ones_own_cluster(
    client, aract, cluster, breton
):
    """The session id in the URL must belong to the cluster in the URL."""
    breton_session = SessionFactory(cluster=breton["cluster"], held_on=datetime.date(2026, 5, 1))
    client.force_login(aract)
    url = reverse("clusters:session-edit", args=[cluster.pk, breton_session.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"held_on": "2026-05-02"}).status_code == 404


def test_no_user_can_grant_themselves_a_role_outside_the_admin(client, ars):
    """No page but the admin takes a role or a staff flag: the matrix lists every URL, and only
    admin URLs accept them; here, the profile-like pages ignore such fields."""
    client.force_login(ars)
    client.post(
        reverse("accounts:password-change"),
        {"is_staff": "on", "is_superuser": "on", "role": "admin"},
    )
    ars.refresh_from_db()
    assert not ars.is_staff and not ars.is_superuser
    assert not User.objects.filter(pk=ars.pk, role_assignments__role="admin").exists()


def test_attendance_cannot_be_recorded_for_another_clusters_member(client, aract, cluster, breton):
    members = add_members(cluster, 5)
    client.force_login(aract)
    client.post(
        reverse("clusters:session-create", args=[cluster.pk]),
        {
            "held_on": "2026-04-03",
            "kind": Session.Kind.COLLECTIVE,
            "format": Session.Format.PRESENTIEL,
            f"m{members[0].pk}-direction": 1,
            f"m{breton['membership'].pk}-direction": 7,
        },
    )
    session = Session.objects.get(cluster=cluster)
    assert {a.membership_id for a in session.attendances.all()} == {members[0].pk}


def test_ids_of_another_clusters_objects_in_ones_own_clusters_urls_answer_404(
    client, aract, cluster, breton
):
    """Nested URLs check that the inner object belongs to the outer one."""
    client.force_login(aract)
    foreign_membership = breton["membership"].pk
    urls = [
        reverse("clusters:phase-change", args=[cluster.pk, foreign_membership]),
        reverse("clusters:contact-create", args=[cluster.pk, foreign_membership]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
