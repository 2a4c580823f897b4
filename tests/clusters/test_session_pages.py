"""Session logging: attendance rules, drafts, confidential content, query counts."""

import datetime

import pytest
from django.urls import reverse

from clusters import services
from clusters.models import Attendance, ParticipantRole, Session
from tests.factories import SessionFactory, add_members

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(cluster):
    return add_members(cluster, 6)


def grid_data(members, counts=None, **extra):
    """POST data of the session form: every cell of the grid, 1 direction per member."""
    data = {"held_on": "2026-03-10", "kind": "collective", "format": "presentiel", **extra}
    for member in members:
        for role in ParticipantRole.values:
            data[f"m{member.pk}-{role}"] = "0"
        data[f"m{member.pk}-direction"] = "1"
    data.update(counts or {})
    return data


def test_facilitator_logs_a_session_with_attendance(client, aract, cluster, members):
    client.force_login(aract)
    data = grid_data(members, {f"m{members[0].pk}-irp": "2"}, key_points="Diagnostic partagé")
    response = client.post(reverse("clusters:session-create", args=[cluster.pk]), data)
    session = Session.objects.get(cluster=cluster)
    assert response.status_code == 302
    assert response.url == reverse("clusters:session-detail", args=[cluster.pk, session.pk])
    assert session.number == 1 and not session.is_draft and session.created_by == aract
    assert Attendance.objects.filter(session=session).count() == 7
    page = client.get(response.url).content.decode()
    assert "Diagnostic partagé" in page
    assert "Taux de présence : <strong>100 %</strong>" in page
    assert reverse("clusters:cluster-detail", args=[cluster.pk]) in page  # links back


def test_attendance_counts_must_not_be_negative(client, aract, cluster, members):
    client.force_login(aract)
    data = grid_data(members, {f"m{members[0].pk}-cadre": "-1"}, key_points="Texte saisi")
    response = client.post(reverse("clusters:session-create", args=[cluster.pk]), data)
    assert response.status_code == 200  # re-rendered with what the user typed
    page = response.content.decode()
    assert "Texte saisi" in page
    cell = f"id_m{members[0].pk}-cadre"
    assert (
        f'name="m{members[0].pk}-cadre" value="-1" class="fr-input" inputmode="numeric" min="0"'
        f' max="99" id="{cell}" aria-invalid="true" aria-describedby="{cell}-error">'
    ) in page
    assert f'<p class="fr-error-text" id="{cell}-error">Le nombre de présents ne peut pas' in page
    assert not Session.objects.exists()


def test_attendance_only_for_active_members(cluster, aract, ars, members):
    withdrawn = members[0]
    services.cluster_withdraw_member(
        membership=withdrawn, by=ars, withdrawn_on=datetime.date(2026, 3, 1), reason="Départ"
    )
    with pytest.raises(services.ValidationError, match="membres actifs"):
        services.session_record(
            cluster=cluster,
            by=aract,
            values={"held_on": datetime.date(2026, 3, 10)},
            tools=[],
            counts={(withdrawn.pk, "direction"): 1},
            is_draft=False,
        )


def test_the_grid_has_a_row_per_active_member_only(client, aract, ars, cluster, members):
    services.cluster_withdraw_member(
        membership=members[0], by=ars, withdrawn_on=datetime.date(2026, 3, 1), reason="Départ"
    )
    client.force_login(aract)
    page = client.get(reverse("clusters:session-create", args=[cluster.pk])).content.decode()
    assert f'name="m{members[0].pk}-direction"' not in page
    assert f'name="m{members[1].pk}-direction"' in page


def test_a_draft_needs_only_a_date_and_can_be_completed_later(client, aract, cluster, members):
    client.force_login(aract)
    data = {"held_on": "2026-04-02", "kind": "collective", "format": "presentiel"}
    create = reverse("clusters:session-create", args=[cluster.pk])
    response = client.post(create, {**data, "action": "final"})
    assert "au moins une présence" in response.content.decode()  # completed: needs attendance
    client.post(create, {**data, "action": "draft"})
    session = Session.objects.get()
    assert session.is_draft
    client.post(
        reverse("clusters:session-edit", args=[cluster.pk, session.pk]),
        grid_data(members, held_on="2026-04-02", action="final"),
    )
    session.refresh_from_db()
    assert not session.is_draft
    assert session.attendances.count() == 6


def test_the_edit_form_shows_the_saved_counts_and_their_totals(client, aract, cluster, members):
    session = SessionFactory(cluster=cluster, is_draft=True)
    Attendance.objects.create(session=session, membership=members[0], role="direction", count=2)
    Attendance.objects.create(session=session, membership=members[0], role="cadre", count=3)
    client.force_login(aract)
    page = client.get(reverse("clusters:session-edit", args=[cluster.pk, session.pk]))
    html = page.content.decode()
    assert f'name="m{members[0].pk}-cadre" value="3"' in html
    assert "<td data-row-total>5</td>" in html
    assert "<td data-grand-total>5</td>" in html


def test_attendance_rate_per_establishment_and_role(cluster, members):
    session = SessionFactory(cluster=cluster)
    Attendance.objects.create(session=session, membership=members[0], role="direction", count=2)
    Attendance.objects.create(session=session, membership=members[1], role="irp", count=1)
    summary = services.attendance_summary(
        memberships=members, attendances=list(session.attendances.all())
    )
    assert summary["total"] == 3
    assert summary["represented"] == 2
    assert summary["rate"] == round(100 * 2 / 6)
    direction = summary["columns"][0]
    assert (direction["total"], direction["establishments"], direction["rate"]) == (2, 1, 17)


@pytest.mark.parametrize("persona", ["ars", "national"])
def test_only_facilitators_log_sessions(client, request, cluster, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("clusters:session-create", args=[cluster.pk])).status_code == 403


def test_an_aract_user_who_does_not_facilitate_cannot_log(client, cluster):
    from tests.factories import aract_user

    client.force_login(aract_user("11", username="aract-autre"))
    response = client.post(reverse("clusters:session-create", args=[cluster.pk]), {})
    assert response.status_code == 403
    assert client.get(reverse("clusters:session-list", args=[cluster.pk])).status_code == 200


def test_another_regions_session_answers_404(client, ars_other_region, cluster):
    session = SessionFactory(cluster=cluster)
    client.force_login(ars_other_region)
    url = reverse("clusters:session-detail", args=[cluster.pk, session.pk])
    assert client.get(url).status_code == 404


CONFIDENTIAL = {
    "agenda": "ORDRE-DU-JOUR-SECRET",
    "key_points": "POINTS-CLES-SECRETS",
    "decisions": "DECISIONS-SECRETES",
    "next_steps": "SUITES-SECRETES",
}


def test_confidential_content_is_absent_for_national_readers(client, national, ars, cluster):
    session = SessionFactory(cluster=cluster, is_confidential=True, **CONFIDENTIAL)
    url = reverse("clusters:session-detail", args=[cluster.pk, session.pk])
    client.force_login(national)
    page = client.get(url).content.decode()
    assert "10/03/2026" in page or "10 mars 2026" in page  # date and kind stay visible
    assert "Séance collective" in page
    for secret in CONFIDENTIAL.values():
        assert secret not in page
    client.force_login(ars)
    page = client.get(url).content.decode()
    assert all(secret in page for secret in CONFIDENTIAL.values())


def test_session_pages_query_count_is_constant(
    client, aract, cluster, members, django_assert_num_queries
):
    session = SessionFactory(cluster=cluster)
    for member in members[:2]:
        Attendance.objects.create(session=session, membership=member, role="cadre", count=1)
    client.force_login(aract)
    detail = reverse("clusters:session-detail", args=[cluster.pk, session.pk])
    listing = reverse("clusters:session-list", args=[cluster.pk])

    def check():
        # django session, user, role assignments, cluster (+ region, wave), facilitators,
        # the session, its attendances, the members (+ establishments), tools, attachments,
        # its convocations (+ their e-mails)
        with django_assert_num_queries(11):
            assert client.get(detail).status_code == 200
        # django session, user, role assignments, cluster, facilitators, count, page of sessions
        with django_assert_num_queries(7):
            assert client.get(listing).status_code == 200

    check()
    for member in members:
        for role in ParticipantRole.values:
            Attendance.objects.update_or_create(
                session=session, membership=member, role=role, defaults={"count": 3}
            )
    for _ in range(5):
        SessionFactory(cluster=cluster)
    check()


def test_the_cached_session_form_follows_its_choices_and_the_session(
    client, aract, cluster, members
):
    from clusters.models import SessionTool

    client.force_login(aract)
    url = reverse("clusters:session-create", args=[cluster.pk])
    assert "Photolangage imaginaire" not in client.get(url).content.decode()
    tool = SessionTool.objects.create(name="Photolangage imaginaire")
    assert "Photolangage imaginaire" in client.get(url).content.decode()  # a new key
    tool.retired = True
    tool.save()
    assert "Photolangage imaginaire" not in client.get(url).content.decode()
    # Each session's edit form shows its own values, never another's cached rendering.
    first = SessionFactory(cluster=cluster, number=1, agenda="Ordre du jour de la première")
    second = SessionFactory(cluster=cluster, number=2, agenda="Ordre du jour de la seconde")
    for session, other in [(first, second), (second, first)]:
        page = client.get(reverse("clusters:session-edit", args=[cluster.pk, session.pk]))
        assert session.agenda in page.content.decode()
        assert other.agenda not in page.content.decode()
