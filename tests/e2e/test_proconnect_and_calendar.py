"""Browser tests: ProConnect sign-in and sign-out through a real OpenID Connect provider
(tests/oidc/provider.mjs) on 127.0.0.1; the convocation, cancellation and "Mon agenda" pages
(axe-core and the Nu HTML Checker on each)."""

import datetime

import pytest
from django.utils import timezone

from clusters.models import DelegationContact, ParticipantRole, SessionConvocation
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import TEST_PASSWORD, ClusterFactory, SessionFactory, add_members, aract_user
from tests.oidc.provider import oidc_provider

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_signs_in_with_proconnect_and_out_of_both(page, live_server, settings):
    aract_user("11", username="aract-proconnect", email="camille.proconnect@example.invalid")
    with oidc_provider(
        redirect_uris=[f"{live_server.url}/compte/proconnect/retour/"],
        post_logout_redirect_uris=[f"{live_server.url}/compte/connexion/"],
        accounts={
            "camille": {"email": "camille.proconnect@example.invalid", "email_verified": True}
        },
    ) as provider:
        provider.configure(settings)
        page.goto("/compte/connexion/")
        assert_accessible(page)  # the page with the ProConnect button
        page.get_by_role("button", name="S’identifier avec ProConnect").click()

        # The provider's own pages (its development login form and consent).
        page.locator('input[name="login"]').fill("camille")
        page.locator('input[name="password"]').fill("peu-importe")
        page.get_by_role("button", name="Sign-in").click()
        page.get_by_role("button", name="Continue").click()

        page.get_by_role("heading", name="Tableau de bord").wait_for()
        assert page.url.startswith(live_server.url)

        page.get_by_role("button", name="Se déconnecter").click()
        page.get_by_role("button", name="Yes, sign me out").click()
        page.wait_for_url(f"{live_server.url}/compte/connexion/**")
        page.get_by_role("heading", name="Connexion à Clusters QVT").wait_for()

        # Signed out at the provider too: the button leads to its login form again.
        page.get_by_role("button", name="S’identifier avec ProConnect").click()
        page.locator('input[name="login"]').wait_for()


def test_a_facilitator_convenes_the_delegations_then_cancels(page):
    facilitator = aract_user("11", username="aract-convocation")
    cluster = ClusterFactory(region_code="11", name="Cluster des convocations")
    cluster.facilitators.add(facilitator)
    [member] = add_members(cluster, 1)
    DelegationContact.objects.create(
        membership=member, role=ParticipantRole.DIRECTION, name="Alice Martin",
        email="alice.martin@example.invalid",
    )  # fmt: skip
    session = SessionFactory(
        cluster=cluster, held_on=timezone.localdate() + datetime.timedelta(days=7), is_draft=True
    )
    log_in(page, "aract-convocation", TEST_PASSWORD)
    page.get_by_role("heading", name="Tableau de bord").wait_for()

    page.goto(f"/clusters/{cluster.pk}/seances/{session.pk}/")
    page.get_by_role("link", name="Envoyer la convocation").click()
    page.get_by_role("heading", name="Envoyer la convocation").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer la convocation").click()
    page.get_by_text("Convocation envoyée : 1 contact.").wait_for()
    assert page.get_by_role("table", name="Contacts convoqués à cette séance").is_visible()
    assert_accessible(page)  # the session page with its invitees
    assert SessionConvocation.objects.filter(session=session).count() == 1

    page.get_by_role("link", name="Annuler la séance").click()
    assert_accessible(page)
    page.get_by_role("button", name="Annuler la séance").click()
    page.get_by_text("Annulée", exact=True).wait_for()
    assert SessionConvocation.objects.filter(session=session, method="CANCEL").count() == 1


def test_my_calendar_page(page):
    aract_user("11", username="aract-agenda")
    log_in(page, "aract-agenda", TEST_PASSWORD)
    page.get_by_role("heading", name="Tableau de bord").wait_for()
    page.goto("/compte/agenda/")
    assert_accessible(page)
    page.get_by_role("button", name="Créer l'adresse de mon agenda").click()
    address = page.locator("#adresse-agenda").inner_text()
    assert "/agenda/seances.ics?jeton=" in address
    assert_accessible(page)
    response = page.context.request.get(address)
    assert response.status == 200 and response.text().startswith("BEGIN:VCALENDAR")
