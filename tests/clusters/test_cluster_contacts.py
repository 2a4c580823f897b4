"""Delegation contacts: ARS staff and the cluster's facilitators manage them; others may not."""

import pytest
from django.urls import reverse

from clusters.models import DelegationContact
from tests.factories import add_members, aract_user

pytestmark = pytest.mark.django_db

CONTACT = {"role": "irp", "name": "Alex Durand", "email": "alex@example.invalid", "phone": ""}


@pytest.fixture
def membership(cluster):
    return add_members(cluster, 1)[0]


@pytest.mark.parametrize("persona", ["ars", "aract"])  # `aract` facilitates `cluster`
def test_ars_staff_and_facilitators_add_edit_and_remove_contacts(
    client, request, persona, cluster, membership
):
    client.force_login(request.getfixturevalue(persona))
    create = reverse("clusters:contact-create", args=[cluster.pk, membership.pk])
    response = client.post(create, CONTACT, follow=True)
    contact = DelegationContact.objects.get()
    assert contact.membership == membership
    assert "Le contact Alex Durand est ajouté." in response.content.decode()

    edit = reverse("clusters:contact-edit", args=[cluster.pk, contact.pk])
    client.post(edit, {**CONTACT, "phone": "01 02 03 04 05"})
    contact.refresh_from_db()
    assert contact.phone == "01 02 03 04 05"

    delete = reverse("clusters:contact-delete", args=[cluster.pk, contact.pk])
    assert "Confirmer la suppression" in client.get(delete).content.decode()
    assert DelegationContact.objects.exists()  # the confirmation page deletes nothing
    client.post(delete)
    assert not DelegationContact.objects.exists()


def test_an_invalid_contact_keeps_what_was_typed(client, ars, cluster, membership):
    client.force_login(ars)
    create = reverse("clusters:contact-create", args=[cluster.pk, membership.pk])
    response = client.post(create, {**CONTACT, "name": "", "email": "pas-une-adresse"})
    errors = response.context["form"].errors
    assert errors["name"] == ["Indiquez le nom de la personne."]
    assert errors["email"] == ["Saisissez une adresse électronique valide."]
    assert "pas-une-adresse" in response.content.decode()


def test_national_readers_and_other_aract_staff_cannot_touch_contacts(
    client, national, cluster, membership
):
    contact = DelegationContact.objects.create(membership=membership, role="irp", name="Alex")
    not_facilitating = aract_user("11", username="aract-autre")
    urls = [
        reverse("clusters:contact-create", args=[cluster.pk, membership.pk]),
        reverse("clusters:contact-edit", args=[cluster.pk, contact.pk]),
        reverse("clusters:contact-delete", args=[cluster.pk, contact.pk]),
    ]
    for user in (national, not_facilitating):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403
            assert client.post(url, CONTACT).status_code == 403
    assert DelegationContact.objects.get().name == "Alex"


def test_another_regions_contacts_answer_404(client, ars_other_region, cluster, membership):
    contact = DelegationContact.objects.create(membership=membership, role="irp", name="Alex")
    client.force_login(ars_other_region)
    assert (
        client.get(reverse("clusters:contact-edit", args=[cluster.pk, contact.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("clusters:contact-delete", args=[cluster.pk, contact.pk])).status_code
        == 404
    )
