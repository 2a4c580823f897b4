"""Writes on experiments, indicators and monographs."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.rules import check_rule, has_rule
from notifications.models import Event
from notifications.services import ars_and_programme_team, notify_users

from .models import Experiment, Indicator, Measurement, Monograph, MonographTransition

Status = Monograph.Status

# target status -> {source status: the rule the user must pass, on the monograph's cluster}
MONOGRAPH_WORKFLOW = {
    Status.SOUMISE: {Status.BROUILLON: "experiments.submit_monograph"},
    Status.VALIDEE: {
        Status.SOUMISE: "experiments.validate_monograph",
        Status.PUBLIEE: "experiments.unpublish_monograph",  # out of the library, kept validated
    },
    Status.BROUILLON: {  # sent back with a comment
        Status.SOUMISE: "experiments.validate_monograph",
        Status.VALIDEE: "experiments.validate_monograph",
    },
    Status.PUBLIEE: {Status.VALIDEE: "experiments.publish_monograph"},
}
TRANSITION_LABELS = {
    Status.SOUMISE: "Soumettre à l'ARS",
    Status.VALIDEE: "Valider",
    Status.BROUILLON: "Renvoyer pour modification",
    Status.PUBLIEE: "Publier dans la bibliothèque",
}
UNPUBLISH_LABEL = "Retirer de la bibliothèque"


def transition_label(monograph: Monograph, target: str) -> str:
    if monograph.status == Status.PUBLIEE and target == Status.VALIDEE:
        return UNPUBLISH_LABEL
    return TRANSITION_LABELS[target]


def monograph_transition_rule(monograph: Monograph, target: str) -> str | None:
    """The rule a user must pass to move `monograph` to `target` from where it is (None: no
    such transition)."""
    return MONOGRAPH_WORKFLOW.get(target, {}).get(monograph.status)


def monograph_transition_refusal(monograph: Monograph, target: str, user) -> str | None:
    """Why `user` may not move `monograph` to `target`, or None. The rule is checked here, so
    that it holds whatever the caller."""
    if target not in MONOGRAPH_WORKFLOW:
        return "Ce changement de statut n'existe pas."
    rule = monograph_transition_rule(monograph, target)
    if rule is None:
        return (
            f"Une monographie « {monograph.get_status_display()} » ne peut pas passer au statut "
            f"« {Status(target).label} »."
        )
    if not has_rule(user, rule, monograph.membership.cluster):
        return "Votre rôle ne permet pas ce changement de statut."
    return None


@transaction.atomic
def monograph_transition(*, monograph: Monograph, target: str, by, comment: str = "") -> Monograph:
    monograph = Monograph.objects.select_for_update().get(pk=monograph.pk)
    refusal = monograph_transition_refusal(monograph, target, by)
    if refusal:
        raise ValidationError(refusal)
    if target == Status.BROUILLON and not comment.strip():
        raise ValidationError({"comment": "Expliquez ce qui doit être modifié."})
    if monograph.status == Status.PUBLIEE and not comment.strip():
        raise ValidationError({"comment": "Indiquez le motif du retrait de la bibliothèque."})
    now = timezone.now()
    source = monograph.status
    monograph.status = target
    if target == Status.SOUMISE:
        monograph.submitted_at = now
    elif target == Status.VALIDEE:
        monograph.validated_at = now
    elif target == Status.PUBLIEE:
        monograph.published_at = now
        monograph.redact()  # once: public pages read the stored, redacted text
    if source == Status.PUBLIEE:
        monograph.published_at = None
    monograph.save()
    MonographTransition.objects.create(
        monograph=monograph, from_status=source, to_status=target, comment=comment, by=by
    )
    _announce_transition(monograph, source=source, comment=comment)
    return monograph


def monograph_editable_refusal(monograph: Monograph) -> str | None:
    if monograph.status != Status.BROUILLON:
        return (
            f"Une monographie « {monograph.get_status_display()} » n'est plus modifiable : "
            "l'ARS peut la renvoyer pour modification."
        )
    return None


@transaction.atomic
def monograph_save(*, membership, values: dict, by, monograph: Monograph | None = None):
    """Create or update the monograph of a member establishment (drafts only)."""
    if monograph is None:
        if Monograph.objects.filter(membership=membership).exists():
            raise ValidationError("Cet établissement a déjà une monographie.")
        monograph = Monograph(membership=membership)
    else:
        refusal = monograph_editable_refusal(monograph)
        if refusal:
            raise ValidationError(refusal)
    for name, value in values.items():
        setattr(monograph, name, value)
    monograph.save()
    monograph.authors.add(by)
    return monograph


@transaction.atomic
def experiment_save(*, membership, values: dict, themes, by, experiment=None) -> Experiment:
    check_rule(by, "experiments.change_experiment", membership.cluster)
    if not membership.is_active and experiment is None:
        raise ValidationError("Cet établissement s'est retiré du cluster.")
    experiment = experiment or Experiment(membership=membership)
    for name, value in values.items():
        setattr(experiment, name, value)
    experiment.save()
    experiment.themes.set(themes)
    return experiment


def indicator_save(*, experiment: Experiment, values: dict, by, indicator=None) -> Indicator:
    check_rule(by, "experiments.change_experiment", experiment.membership.cluster)
    indicator = indicator or Indicator(experiment=experiment)
    for name, value in values.items():
        setattr(indicator, name, value)
    indicator.save()
    return indicator


def measurement_at(indicator: Indicator, measured_on) -> Measurement | None:
    return indicator.measurements.filter(measured_on=measured_on).first()


@transaction.atomic
def measurement_record(
    *, indicator: Indicator, measured_on, value, by, replace: bool = False
) -> Measurement:
    """One value per indicator and date. Recording a date that has a value already replaces it
    only with `replace` (the page asks first; the refusal has code "measurement_exists")."""
    check_rule(by, "experiments.change_experiment", indicator.experiment.membership.cluster)
    Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
    existing = measurement_at(indicator, measured_on)
    if existing is None:
        return Measurement.objects.create(indicator=indicator, measured_on=measured_on, value=value)
    if not replace:
        raise ValidationError(
            f"Une mesure existe déjà au {measured_on:%d/%m/%Y} (valeur {existing.value}) : "
            "confirmez pour la remplacer.",
            code="measurement_exists",
        )
    existing.value = value
    existing.save(update_fields=["value"])  # save(): the replacement is in the audit log
    return existing


@transaction.atomic
def measurement_update(*, measurement: Measurement, measured_on, value, by) -> Measurement:
    """Correct a measurement's date or value; never onto another measurement's date."""
    check_rule(
        by, "experiments.change_experiment", measurement.indicator.experiment.membership.cluster
    )
    Indicator.objects.select_for_update().filter(pk=measurement.indicator_id).first()
    other = measurement.indicator.measurements.filter(measured_on=measured_on).exclude(
        pk=measurement.pk
    )
    if other.exists():
        raise ValidationError(
            {
                "measured_on": (
                    f"Une autre mesure existe déjà au {measured_on:%d/%m/%Y} : "
                    "supprimez-la ou corrigez-la d'abord."
                )
            }
        )
    measurement.measured_on = measured_on
    measurement.value = value
    measurement.save()
    return measurement


def measurement_delete(*, measurement: Measurement, by) -> None:
    check_rule(
        by, "experiments.change_experiment", measurement.indicator.experiment.membership.cluster
    )
    measurement.delete()


def _announce_transition(monograph: Monograph, *, source: str, comment: str) -> None:
    """E-mail whoever must act or hear of it: the region's ARS and the programme team for a
    submission, the authors for everything that happens to their monograph afterwards."""
    cluster = monograph.membership.cluster
    Mono = Monograph.Status
    context = {"monograph": monograph, "cluster": cluster, "comment": comment}
    link = reverse("experiments:monograph-detail", args=[monograph.pk])
    target = monograph.status
    if target == Mono.SOUMISE:
        recipients = ars_and_programme_team(cluster.region_id)
        event, template = Event.MONOGRAPH_SUBMITTED, "monograph_submitted"
        subject = f"Monographie soumise : « {monograph.title} »"
    elif target == Mono.BROUILLON:
        recipients = monograph.authors.all()
        event, template = Event.MONOGRAPH_SENT_BACK, "monograph_sent_back"
        subject = f"Monographie renvoyée pour modification : « {monograph.title} »"
    elif target == Mono.VALIDEE and source == Mono.SOUMISE:
        recipients = monograph.authors.all()
        event, template = Event.MONOGRAPH_VALIDATED, "monograph_validated"
        subject = f"Monographie validée : « {monograph.title} »"
    elif target == Mono.PUBLIEE or source == Mono.PUBLIEE:
        recipients = monograph.authors.all()
        event, template = Event.MONOGRAPH_PUBLISHED, "monograph_published"
        published = target == Mono.PUBLIEE
        subject = (
            f"Monographie {'publiée' if published else 'retirée de la bibliothèque'} : "
            f"« {monograph.title} »"
        )
        context["published"] = published
    else:
        return
    notify_users(
        recipients, event=event, subject=subject, template=template, context=context, link=link
    )
