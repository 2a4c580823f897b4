"""Invitations: who may invite whom, invite, resend, revoke, accept."""

import datetime
import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import REGIONAL_ROLES, Role, RoleAssignment

from .models import Invitation, token_digest
from .services import queue_email

security_log = logging.getLogger("qvt.security")


def may_invite(inviter, *, role: str, region_id: int | None) -> bool:
    """Who may invite whom (one function, to be mapped onto the permissions table):
    administrators anyone; ARS staff their ARS colleagues and the Aract facilitators of their
    own region; the programme team national readers."""
    roles = inviter.roles
    if roles.is_admin:
        return True
    if role in (Role.ARS, Role.ARACT) and region_id in roles.ars_region_ids:
        return True
    return role in (Role.NATIONAL, Role.PROGRAMME) and roles.is_programme_team


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_digest(token)
    invitation.expires_at = timezone.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS)
    return token


def _unique_username(first_name: str, last_name: str) -> str:
    """prenom.nom (never the address: usernames appear in logs), numbered when taken."""
    User = get_user_model()
    parts = [slugify(part) for part in (first_name, last_name) if slugify(part)]
    base = ".".join(parts)[:140] or "utilisateur"
    username, number = base, 1
    while User.objects.filter(username=username).exists():
        number += 1
        username = f"{base}{number}"
    return username


def _send(invitation: Invitation, token: str) -> None:
    queue_email(
        kind="invitation",
        to=invitation.user.email,
        subject="Invitation à rejoindre Clusters QVT",
        template="invitation",
        context={
            "recipient": invitation.user,
            "inviter": invitation.invited_by,
            "role": invitation.get_role_display(),
            "region": invitation.region,
            "expires_at": invitation.expires_at,
        },
        link=reverse("notifications:invitation-open", args=[token]),
    )


@transaction.atomic
def invite(*, email: str, first_name: str, last_name: str, role: str, region, by) -> Invitation:
    region_id = region.pk if region else None
    if (role in REGIONAL_ROLES) != (region is not None):
        raise ValidationError({"region": "Une région est requise pour ce rôle, et seulement lui."})
    if not may_invite(by, role=role, region_id=region_id):
        raise ValidationError("Votre rôle ne permet pas d'inviter une personne à ce titre.")
    User = get_user_model()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Un compte existe déjà pour cette adresse."})
    user = User(
        username=_unique_username(first_name, last_name),
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    user.set_unusable_password()  # nobody can log in until the invitee chooses a password
    user.save()
    RoleAssignment.objects.create(user=user, role=role, region=region)
    invitation = Invitation(user=user, role=role, region=region, invited_by=by)
    token = _new_token(invitation)
    invitation.save()
    _send(invitation, token)
    security_log.info(
        "invitation_sent",
        extra={"event": "invitation_sent", "invitation": invitation.pk, "role": role,
               "actor": by.username},
    )  # fmt: skip
    return invitation


@transaction.atomic
def resend(*, invitation: Invitation, by) -> Invitation:
    """A new link (the old one stops working), valid INVITATION_VALID_DAYS days from now."""
    invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("Cette invitation est déjà acceptée ou révoquée.")
    token = _new_token(invitation)
    invitation.sent_count += 1
    invitation.save()
    _send(invitation, token)
    security_log.info(
        "invitation_resent",
        extra={"event": "invitation_resent", "invitation": invitation.pk, "actor": by.username},
    )
    return invitation


@transaction.atomic
def revoke(*, invitation: Invitation, by) -> Invitation:
    """The link stops working and the never-used account is deactivated."""
    invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError("Cette invitation est déjà acceptée : désactivez le compte.")
    invitation.revoked_at = timezone.now()
    invitation.save()
    invitation.user.is_active = False
    invitation.user.save(update_fields=["is_active"])
    security_log.info(
        "invitation_revoked",
        extra={"event": "invitation_revoked", "invitation": invitation.pk, "actor": by.username},
    )
    return invitation


def usable_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.usable()
        .select_related("user")
        .filter(token_hash=token_digest(token), user__is_active=True)
        .first()
    )


@transaction.atomic
def accept(*, invitation: Invitation, password: str):
    """Set the first password; the link then stops working (accepted_at)."""
    invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at or invitation.expires_at <= timezone.now():
        raise ValidationError("Ce lien d'invitation n'est plus valable.")
    invitation.accepted_at = timezone.now()
    invitation.save()
    invitation.user.set_password(password)
    invitation.user.save(update_fields=["password"])
    security_log.info(
        "invitation_accepted",
        extra={"event": "invitation_accepted", "invitation": invitation.pk,
               "username": invitation.user.username},
    )  # fmt: skip
    return invitation.user


def accept_on_sign_in(sender, request, user, **kwargs):
    """Whoever signs in has come in: a pending invitation of theirs is accepted and its link
    stops working. The invitee who signs in with ProConnect never sets the password the link
    offers, and the invitation would otherwise stay "En attente" until it expires."""
    for invitation in Invitation.objects.usable().filter(user=user):
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        security_log.info(
            "invitation_accepted",
            extra={"event": "invitation_accepted", "invitation": invitation.pk,
                   "username": user.username, "by": "sign_in"},
        )  # fmt: skip
