"""Writes on clusters, memberships and sessions. Every business rule on them lives here (or in
the database for the rules two requests could race on); views and commands call these functions."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.rules import check_rule
from establishments.models import Establishment
from notifications.models import Event
from notifications.services import notify_users

from . import convocations
from .models import (
    MAX_MEMBERS,
    MIN_MEMBERS,
    Attendance,
    Cluster,
    Membership,
    Phase,
    PhaseChange,
    Session,
)

Status = Cluster.Status

# The transitions of a cluster's status, each with its button label.
TRANSITIONS = {
    Status.CONSTITUE: (Status.BROUILLON, "Constituer le cluster"),
    Status.EN_COURS: (Status.CONSTITUE, "Démarrer le cluster"),
    Status.CLOTURE: (Status.EN_COURS, "Clôturer le cluster"),
}


def active_member_count(cluster: Cluster) -> int:
    return cluster.memberships.filter(withdrawn_on__isnull=True).count()


def constitution_missing(cluster: Cluster, *, member_count: int | None = None) -> list[str]:
    """What the cluster still lacks to be constituted, in French (empty when it is ready)."""
    count = active_member_count(cluster) if member_count is None else member_count
    missing = []
    if count < MIN_MEMBERS:
        missing.append(
            f"Il faut au moins {MIN_MEMBERS} établissements membres actifs ({count} actuellement)."
        )
    if count > MAX_MEMBERS:
        missing.append(f"Un cluster compte au plus {MAX_MEMBERS} établissements membres actifs.")
    if not cluster.facilitators.exists():
        missing.append("Il faut désigner un(e) chargé(e) de mission Aract.")
    return missing


def transition_refusal(cluster: Cluster, target: str) -> str | None:
    """Why the cluster may not move to `target`, in French, or None when it may."""
    if target not in TRANSITIONS:
        return "Ce changement de statut n'existe pas."
    source, _label = TRANSITIONS[target]
    if cluster.status != source:
        return (
            f"Un cluster au statut « {cluster.get_status_display()} » ne peut pas passer au "
            f"statut « {Status(target).label} »."
        )
    # Re-checked at every step: members may have withdrawn since the cluster was constituted.
    if target in (Status.CONSTITUE, Status.EN_COURS):
        missing = constitution_missing(cluster)
        if missing:
            verb = "encore être constitué" if target == Status.CONSTITUE else "démarrer"
            return f"Le cluster ne peut pas {verb} : " + " ".join(missing)
    return None


@transaction.atomic
def cluster_transition(*, cluster: Cluster, target: str, by, on: datetime.date | None = None):
    check_rule(by, "clusters.change_cluster", cluster)
    cluster = Cluster.objects.select_for_update().get(pk=cluster.pk)
    refusal = transition_refusal(cluster, target)
    if refusal:
        raise ValidationError(refusal)
    on = on or timezone.localdate()
    cluster.status = target
    if target == Status.CONSTITUE:
        cluster.constituted_on = on
    elif target == Status.EN_COURS and cluster.starts_on is None:
        cluster.starts_on = on
    elif target == Status.CLOTURE:
        cluster.closed_on = on
    cluster.save()
    _announce_status(cluster)
    return cluster


def membership_refusal(cluster: Cluster, establishment: Establishment) -> str | None:
    """Why `establishment` may not join `cluster`, in French, or None when it may."""
    if cluster.status == Status.CLOTURE:
        return "Ce cluster est clôturé : on ne peut plus y ajouter d'établissement."
    if establishment.region_id is None:
        return (
            f"{establishment.short_name} est dans un territoire rattaché à aucune ARS : "
            "il ne peut pas rejoindre un cluster."
        )
    if establishment.region_id != cluster.region_id:
        return f"{establishment.short_name} n'est pas dans la région du cluster."
    wave = cluster.wave
    if not wave.accepts_sector(establishment.sector):
        return (
            f"{establishment.short_name} relève du secteur "
            f"« {establishment.get_sector_display().lower()} » : la vague « {wave.name} » "
            f"est réservée {wave.sector_phrase}."
        )
    if not establishment.is_active or establishment.is_closed_in_finess:
        return f"{establishment.short_name} est fermé dans le répertoire FINESS."
    active = Membership.objects.active()
    if active.filter(cluster=cluster, establishment=establishment).exists():
        return f"{establishment.short_name} est déjà membre de ce cluster."
    other = (
        active.filter(establishment=establishment, cluster__wave_id=cluster.wave_id)
        .select_related("cluster")
        .first()
    )
    if other:
        return (
            f"{establishment.short_name} participe déjà au cluster « {other.cluster.name} » "
            "de la même vague."
        )
    if active_member_count(cluster) >= MAX_MEMBERS:
        return f"Ce cluster a déjà {MAX_MEMBERS} membres actifs, le maximum."
    return None


def default_joined_on(cluster: Cluster) -> datetime.date:
    """A member added before the first session joins at the cluster's launch date (the kickoff
    session counts it present); later, on the day it is added."""
    if cluster.starts_on and not cluster.sessions.exists():
        return cluster.starts_on
    return timezone.localdate()


@transaction.atomic
def cluster_add_member(
    *, cluster: Cluster, establishment: Establishment, joined_on: datetime.date | None = None
) -> Membership:
    """Callers check who may add (the cluster's ARS, or the past-cluster import's rule)."""
    # Lock the cluster so the checks below see every concurrent addition; the database
    # trigger keeps the same rules should anything bypass this function.
    cluster = Cluster.objects.select_for_update().get(pk=cluster.pk)
    refusal = membership_refusal(cluster, establishment)
    if refusal:
        raise ValidationError(refusal)
    try:
        with transaction.atomic():
            return Membership.objects.create(
                cluster=cluster,
                establishment=establishment,
                wave_id=cluster.wave_id,
                joined_on=joined_on or default_joined_on(cluster),
            )
    except IntegrityError as error:
        raise ValidationError(_integrity_message(error)) from error


def _integrity_message(error: IntegrityError) -> str:
    text = str(error)
    if "membership_max" in text:
        return f"Ce cluster a déjà {MAX_MEMBERS} membres actifs, le maximum."
    if "membership_region" in text:
        return "Cet établissement n'est pas dans la région du cluster."
    if "one_active_cluster_per_wave" in text:
        return "Cet établissement participe déjà à un cluster de cette vague."
    raise error


def withdrawal_leaves_too_few(membership: Membership) -> str | None:
    """The warning to confirm when withdrawing `membership` leaves its running cluster under
    MIN_MEMBERS active members, or None."""
    cluster = membership.cluster
    if cluster.status != Status.EN_COURS or not membership.is_active:
        return None
    remaining = active_member_count(cluster) - 1
    if remaining >= MIN_MEMBERS:
        return None
    return (
        f"Après ce retrait, le cluster en cours ne comptera plus que {remaining} "
        f"établissement{'s' if remaining > 1 else ''} membre{'s' if remaining > 1 else ''} "
        f"actif{'s' if remaining > 1 else ''} (il en faut au moins {MIN_MEMBERS})."
    )


@transaction.atomic
def cluster_withdraw_member(
    *,
    membership: Membership,
    by,
    withdrawn_on: datetime.date,
    reason: str,
    confirm_under_minimum: bool = False,
) -> Membership:
    check_rule(by, "clusters.change_cluster", membership.cluster)
    """Withdraw a member. Leaving a running cluster under MIN_MEMBERS needs
    `confirm_under_minimum` (the refusal has code "under_minimum")."""
    # Lock the cluster: two withdrawals at once must both see the count they leave.
    Cluster.objects.select_for_update().filter(pk=membership.cluster_id).first()
    membership.refresh_from_db()
    if membership.withdrawn_on is not None:
        raise ValidationError("Cet établissement s'est déjà retiré du cluster.")
    if withdrawn_on < membership.joined_on:
        raise ValidationError(
            {"withdrawn_on": "La date de retrait ne peut pas précéder la date d'entrée."}
        )
    warning = withdrawal_leaves_too_few(membership)
    if warning and not confirm_under_minimum:
        raise ValidationError(
            warning + " Confirmez le retrait pour l'enregistrer.", code="under_minimum"
        )
    membership.withdrawn_on = withdrawn_on
    membership.withdrawal_reason = reason
    membership.save(update_fields=["withdrawn_on", "withdrawal_reason"])
    return membership


@transaction.atomic
def membership_set_joined_on(*, membership: Membership, joined_on: datetime.date, by) -> Membership:
    """Correct a member's entry date (e.g. back to the kickoff session it attended)."""
    check_rule(by, "clusters.change_cluster", membership.cluster)
    membership.refresh_from_db()
    if joined_on > timezone.localdate():
        raise ValidationError({"joined_on": "La date d'entrée ne peut pas être dans le futur."})
    if membership.withdrawn_on is not None and joined_on > membership.withdrawn_on:
        raise ValidationError(
            {"joined_on": "La date d'entrée ne peut pas suivre la date de retrait."}
        )
    first_attended = (
        Session.objects.filter(attendances__membership=membership)
        .order_by("held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    if first_attended and joined_on > first_attended:
        raise ValidationError(
            {
                "joined_on": (
                    "L'établissement a assisté à la séance du "
                    f"{first_attended:%d/%m/%Y} : sa date d'entrée ne peut pas être postérieure."
                )
            }
        )
    membership.joined_on = joined_on
    membership.save(update_fields=["joined_on"])
    return membership


def cluster_delete_refusal(cluster: Cluster) -> str | None:
    """Why `cluster` may not be deleted, in French, or None: only a draft without sessions."""
    if cluster.status != Status.BROUILLON:
        return (
            f"Seul un cluster au statut « Brouillon » peut être supprimé ; celui-ci est "
            f"« {cluster.get_status_display()} »."
        )
    if cluster.sessions.exists():
        return "Ce cluster a déjà des séances : il ne peut plus être supprimé."
    return None


@transaction.atomic
def cluster_delete(*, cluster: Cluster, by) -> None:
    """Delete a draft cluster and its memberships (each deletion is in the audit log)."""
    check_rule(by, "clusters.delete_cluster", cluster)
    cluster = Cluster.objects.select_for_update().get(pk=cluster.pk)
    refusal = cluster_delete_refusal(cluster)
    if refusal:
        raise ValidationError(refusal)
    # One by one, not a bulk delete: django-auditlog records each row's deletion.
    for membership in cluster.memberships.all():
        membership.delete()
    cluster.delete()


# --- Registering a cluster and its delegation contacts (ARS staff) ----------------------------


def aract_staff_in(region_ids):
    """Users holding an Aract role in one of `region_ids`: the possible facilitators."""
    from accounts.models import Role, User

    return User.objects.filter(
        role_assignments__role=Role.ARACT, role_assignments__region_id__in=region_ids
    ).distinct()


def ars_staff_in(region_ids):
    """Users holding an ARS role in one of `region_ids`: the possible ARS referents."""
    from accounts.models import Role, User

    return User.objects.filter(
        role_assignments__role=Role.ARS, role_assignments__region_id__in=region_ids
    ).distinct()


@transaction.atomic
def cluster_save(*, cluster: Cluster, themes, facilitators, by) -> Cluster:
    """Create or update `cluster` (its region already set by the caller, never by the user) with
    its themes and facilitators; the Aract, the facilitators and the referent must be of the
    cluster's region, and the wave is fixed once the cluster has members."""
    check_rule(by, "clusters.change_cluster", cluster)  # ARS staff of the cluster's region
    region_id = cluster.region_id
    errors = {}
    if cluster.aract_id and (cluster.aract.kind != "aract" or cluster.aract.region_id != region_id):
        errors["aract"] = "Choisissez l'Aract de la région du cluster."
    facilitators = list(facilitators)
    facilitator_ids = {user.pk for user in facilitators}
    allowed = set(
        aract_staff_in([region_id]).filter(pk__in=facilitator_ids).values_list("pk", flat=True)
    )
    if facilitator_ids - allowed:
        errors["facilitators"] = (
            "Les chargé(e)s de mission doivent avoir un rôle Aract dans la région du cluster."
        )
    if (
        cluster.ars_referent_id
        and not ars_staff_in([region_id]).filter(pk=cluster.ars_referent_id).exists()
    ):
        errors["ars_referent"] = "Le référent doit être un agent de l'ARS de la région du cluster."
    if cluster.pk:
        saved_wave_id = Cluster.objects.filter(pk=cluster.pk).values_list("wave_id", flat=True)[0]
        if saved_wave_id != cluster.wave_id and cluster.memberships.exists():
            errors["wave"] = "La vague ne peut plus changer : le cluster a déjà des membres."
    if errors:
        raise ValidationError(errors)
    cluster.save()
    cluster.themes.set(themes)
    cluster.facilitators.set(facilitators)
    return cluster


def dates_outside_wave(cluster: Cluster) -> str | None:
    """A warning (not an error: the ARS may know better) when the cluster's planned dates fall
    outside its wave's."""
    wave = cluster.wave
    outside = (
        (cluster.starts_on and wave.starts_on and cluster.starts_on < wave.starts_on)
        or (cluster.starts_on and wave.ends_on and cluster.starts_on > wave.ends_on)
        or (cluster.ends_on and wave.ends_on and cluster.ends_on > wave.ends_on)
    )
    if not outside:
        return None
    period = f"du {wave.starts_on:%d/%m/%Y}" if wave.starts_on else "sans date de début"
    period += f" au {wave.ends_on:%d/%m/%Y}" if wave.ends_on else ", sans date de fin"
    return (
        f"Attention : les dates du cluster sortent de celles de la vague « {wave.name} » "
        f"({period}). Vérifiez les dates ou la vague."
    )


def contact_save(*, contact, by):
    """Create or update a delegation contact (personal data, only for regional staff)."""
    check_rule(by, "clusters.change_contacts", contact.membership.cluster)
    if contact.membership.withdrawn_on is not None and contact.pk is None:
        raise ValidationError("Cet établissement s'est retiré du cluster.")
    contact.full_clean()
    contact.save()
    return contact


def contact_delete(*, contact, by) -> None:
    check_rule(by, "clusters.change_contacts", contact.membership.cluster)
    contact.delete()


def phase_jump(membership: Membership, phase: str) -> str | None:
    """The warning to confirm when `phase` is more than one step away from the current one."""
    values = Phase.values
    if phase not in values or abs(values.index(phase) - values.index(membership.phase)) <= 1:
        return None
    return (
        f"{membership.establishment.short_name} passerait de la phase "
        f"« {Phase(membership.phase).label} » à la phase « {Phase(phase).label} » "
        "en sautant au moins une étape."
    )


@transaction.atomic
def membership_set_phase(
    *,
    membership: Membership,
    phase: str,
    by,
    changed_on: datetime.date,
    comment: str = "",
    confirm_jump: bool = False,
) -> PhaseChange:
    """Move a member to `phase`. Never at a future date; a jump of more than one phase needs
    `confirm_jump` (the refusal has code "phase_jump")."""
    if phase not in Phase.values:
        raise ValidationError({"phase": "Phase inconnue."})
    if not membership.is_active:
        raise ValidationError("Cet établissement s'est retiré du cluster.")
    if changed_on > timezone.localdate():
        raise ValidationError(
            {"changed_on": "La date du changement de phase ne peut pas être dans le futur."}
        )
    warning = phase_jump(membership, phase)
    if warning and not confirm_jump:
        raise ValidationError(warning + " Confirmez pour l'enregistrer.", code="phase_jump")
    membership.phase = phase
    membership.save(update_fields=["phase"])
    return PhaseChange.objects.create(
        membership=membership, phase=phase, changed_on=changed_on, comment=comment, changed_by=by
    )


def next_session_number(cluster: Cluster) -> int:
    last = cluster.sessions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def session_save_attendance(*, session: Session, counts: dict[tuple[int, str], int]) -> None:
    """Replace the attendance grid of `session`: {(membership id, role): count}."""
    active_ids = set(session.cluster.memberships.active().values_list("id", flat=True))
    for (membership_id, _role), count in counts.items():
        if membership_id not in active_ids:
            raise ValidationError("La présence ne peut concerner que les membres actifs.")
        if count < 0:
            raise ValidationError("Un nombre de présents ne peut pas être négatif.")
    session.attendances.all().delete()
    Attendance.objects.bulk_create(
        Attendance(session=session, membership_id=membership_id, role=role, count=count)
        for (membership_id, role), count in counts.items()
        if count
    )


# --- Sessions, attendance, attachments (the facilitators' work) -----------------------------


def attendance_summary(*, memberships, attendances) -> dict:
    """The attendance grid with its totals and rates, computed in Python (no query).

    `memberships`: the grid's rows. Rates: an establishment is "represented" when at least one
    person of it attended; the attendance rate is represented establishments / rows, and per role
    the share of establishments that sent someone in that role.
    """
    from .models import ParticipantRole

    roles = ParticipantRole.values
    cells = {(a.membership_id, a.role): a.count for a in attendances}
    rows = []
    for membership in memberships:
        counts = [cells.get((membership.pk, role), 0) for role in roles]
        rows.append({"membership": membership, "counts": counts, "total": sum(counts)})
    member_count = len(rows)
    represented = sum(1 for row in rows if row["total"])
    columns = []
    for index, (role, label) in enumerate(ParticipantRole.choices):
        with_role = sum(1 for row in rows if row["counts"][index])
        columns.append(
            {
                "role": role,
                "label": label,
                "total": sum(row["counts"][index] for row in rows),
                "establishments": with_role,
                "rate": round(100 * with_role / member_count) if member_count else None,
            }
        )
    return {
        "rows": rows,
        "columns": columns,
        "total": sum(row["total"] for row in rows),
        "member_count": member_count,
        "represented": represented,
        "rate": round(100 * represented / member_count) if member_count else None,
    }


@transaction.atomic
def session_record(
    *,
    cluster: Cluster,
    by,
    values: dict,
    tools,
    counts: dict[tuple[int, str], int],
    is_draft: bool,
    session: Session | None = None,
) -> Session:
    """Create or update a session with its attendance grid. A draft needs only a date; a
    completed session needs at least one person present. Only the cells of active members are
    replaced (a withdrawn member's past attendance stays)."""
    from .models import ParticipantRole

    active_ids = set(cluster.memberships.active().values_list("id", flat=True))
    for (membership_id, role), count in counts.items():
        if membership_id not in active_ids:
            raise ValidationError("La présence ne peut concerner que les membres actifs.")
        if role not in ParticipantRole.values:
            raise ValidationError("Rôle de participant inconnu.")
        if count is None or count < 0:
            raise ValidationError("Un nombre de présents ne peut pas être négatif.")
    if not is_draft and not any(counts.values()):
        raise ValidationError(
            "Pour enregistrer la séance comme terminée, indiquez au moins une présence "
            "(ou enregistrez-la comme brouillon)."
        )
    if session is None:
        # Lock the cluster so two sessions created at once get different numbers.
        Cluster.objects.select_for_update().filter(pk=cluster.pk).first()
        session = Session(cluster=cluster, number=next_session_number(cluster), created_by=by)
    # Read from the database: a bound ModelForm has already set the new values on `session`.
    before = (
        convocations.calendar_values(Session.objects.get(pk=session.pk)) if session.pk else None
    )
    for name, value in values.items():
        setattr(session, name, value)
    session.is_draft = is_draft
    session.full_clean(exclude=["cluster", "created_by", "tools"])
    session.save()
    if before is not None:  # a changed appointment: invitees get an update (same UID)
        convocations.session_calendar_changed(session=session, before=before, by=by)
    session.tools.set(tools)
    session.attendances.filter(membership_id__in=active_ids).delete()
    Attendance.objects.bulk_create(
        Attendance(session=session, membership_id=membership_id, role=role, count=count)
        for (membership_id, role), count in counts.items()
        if count
    )
    _announce_session(session)
    return session


def session_add_attachment(*, session: Session, file, kind: str, content_type: str, by):
    """Store an already checked file (see session_forms.AttachmentForm) under a random name."""
    from .models import SessionAttachment

    attachment = SessionAttachment(
        session=session,
        kind=kind,
        original_name=file.name[-255:],
        content_type=content_type,
        size=file.size,
        uploaded_by=by,
    )
    attachment.file.save(file.name, file, save=False)
    attachment.save()
    return attachment


def session_delete_attachment(*, attachment) -> None:
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- E-mails to the cluster's facilitators and ARS referent -----------------------------------


def _followers(cluster: Cluster) -> list:
    return [
        *cluster.facilitators.all(),
        *([cluster.ars_referent] if cluster.ars_referent_id else []),
    ]


def _announce_status(cluster: Cluster) -> None:
    if cluster.status not in (Status.CONSTITUE, Status.CLOTURE):  # only these are announced
        return
    notify_users(
        _followers(cluster),
        event=Event.CLUSTER_STATUS,
        subject=f"Cluster « {cluster.name} » : {cluster.get_status_display().lower()}",
        template="cluster_status",
        context={"cluster": cluster},
        link=reverse("clusters:cluster-detail", args=[cluster.pk]),
    )


def _announce_session(session: Session) -> None:
    if session.is_draft:  # a draft is the facilitator's own work in progress
        return
    cluster = session.cluster
    notify_users(
        _followers(cluster),
        event=Event.SESSION_RECORDED,
        subject=f"Séance n° {session.number} enregistrée — cluster « {cluster.name} »",
        template="session_recorded",
        context={"session": session, "cluster": cluster},
        link=reverse("clusters:session-detail", args=[cluster.pk, session.pk]),
    )
