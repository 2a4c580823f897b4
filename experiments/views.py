"""Experiments with their indicators, and monographs with their review workflow.

Read: everyone who sees the cluster. Write: the cluster's facilitators (accounts/rules.py);
validate, send back, publish: the roles of services.MONOGRAPH_WORKFLOW."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from accounts.rules import check_rule, has_rule, rule_required
from clusters.models import Cluster, Membership
from qvt.charts import indicator_chart_svg, indicator_trend

from . import services
from .forms import ExperimentForm, IndicatorForm, MeasurementForm, MonographForm, TransitionForm
from .models import Experiment, Indicator, Measurement, Monograph

CLUSTER_RELATED = ("membership__establishment", "membership__cluster__region")


@rule_required("experiments.view_my_clusters")
def my_clusters(request):
    clusters = (
        Cluster.objects.visible_to(request.user)
        .with_active_member_count()
        .select_related("region", "wave")
    )
    if request.user.roles.aract_region_ids:
        clusters = clusters.filter(facilitators=request.user)
    clusters = clusters.order_by("-wave__code", "name")
    context = {
        "title": "Mes clusters",
        "page": Paginator(clusters, 25).get_page(request.GET.get("page")),
    }
    return render(request, "experiments/cluster_list.html", context)


def cluster_work(request, cluster_pk):
    """Every member's experiments and monograph, with the facilitator's actions."""
    queryset = Cluster.objects.visible_to(request.user).select_related("region", "wave")
    cluster = get_object_or_404(queryset.prefetch_related("facilitators"), pk=cluster_pk)
    memberships = (
        cluster.memberships.select_related("establishment", "monograph")
        .prefetch_related(Prefetch("experiments", queryset=Experiment.objects.order_by("title")))
        .order_by("withdrawn_on", "establishment__short_name")
    )
    context = {
        "title": f"Expérimentations et monographies — {cluster.name}",
        "cluster": cluster,
        "memberships": memberships,
        "can_facilitate": has_rule(request.user, "experiments.change_experiment", cluster),
    }
    return render(request, "experiments/cluster_work.html", context)


def _membership(request, membership_pk):
    queryset = Membership.objects.visible_to(request.user).select_related(
        "establishment", "cluster__region"
    )
    membership = get_object_or_404(
        queryset.prefetch_related("cluster__facilitators"), pk=membership_pk
    )
    return membership


def _experiment(request, pk):
    queryset = Experiment.objects.visible_to(request.user).select_related(*CLUSTER_RELATED)
    return get_object_or_404(queryset.prefetch_related("membership__cluster__facilitators"), pk=pk)


def experiment_create(request, membership_pk):
    membership = _membership(request, membership_pk)
    check_rule(request.user, "experiments.change_experiment", membership.cluster)
    return _experiment_form_page(request, membership, None)


def experiment_edit(request, pk):
    experiment = _experiment(request, pk)
    check_rule(request.user, "experiments.change_experiment", experiment.membership.cluster)
    return _experiment_form_page(request, experiment.membership, experiment)


def _experiment_form_page(request, membership, experiment):
    form = ExperimentForm(request.POST or None, instance=experiment)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "themes"}
        try:
            experiment = services.experiment_save(
                membership=membership,
                values=values,
                themes=form.cleaned_data["themes"],
                by=request.user,
                experiment=experiment,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"L'expérimentation « {experiment.title} » est enregistrée.")
            return redirect("experiments:experiment-detail", pk=experiment.pk)
    context = {
        "title": "Modifier l'expérimentation" if experiment else "Nouvelle expérimentation",
        "membership": membership,
        "cluster": membership.cluster,
        "experiment": experiment,
        "form": form,
    }
    return render(request, "experiments/experiment_form.html", context)


def experiment_detail(request, pk):
    experiment = _experiment(request, pk)
    indicators = list(experiment.indicators.prefetch_related("measurements"))
    charts = []
    for indicator in indicators:
        measurements = list(indicator.measurements.all())
        charts.append(
            {
                "indicator": indicator,
                "measurements": measurements,
                "svg": indicator_chart_svg(indicator, measurements),
                "trend": indicator_trend(indicator, measurements),
            }
        )
    context = {
        "title": experiment.title,
        "experiment": experiment,
        "membership": experiment.membership,
        "cluster": experiment.membership.cluster,
        "themes": list(experiment.themes.all()),
        "charts": charts,
        "can_facilitate": has_rule(
            request.user, "experiments.change_experiment", experiment.membership.cluster
        ),
    }
    return render(request, "experiments/experiment_detail.html", context)


def indicator_create(request, pk):
    experiment = _experiment(request, pk)
    check_rule(request.user, "experiments.change_experiment", experiment.membership.cluster)
    return _indicator_form_page(request, experiment, None)


def indicator_edit(request, pk):
    indicator = get_object_or_404(Indicator, pk=pk)
    experiment = _experiment(request, indicator.experiment_id)
    check_rule(request.user, "experiments.change_experiment", experiment.membership.cluster)
    return _indicator_form_page(request, experiment, indicator)


def _indicator_form_page(request, experiment, indicator):
    form = IndicatorForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        indicator = services.indicator_save(
            experiment=experiment, values=form.cleaned_data, by=request.user, indicator=indicator
        )
        messages.success(request, f"L'indicateur « {indicator.name} » est enregistré.")
        return redirect("experiments:experiment-detail", pk=experiment.pk)
    context = {
        "title": "Modifier l'indicateur" if indicator else "Nouvel indicateur",
        "experiment": experiment,
        "cluster": experiment.membership.cluster,
        "form": form,
    }
    return render(request, "experiments/indicator_form.html", context)


def _indicator_for_writing(request, pk):
    indicator = get_object_or_404(Indicator, pk=pk)
    experiment = _experiment(request, indicator.experiment_id)
    check_rule(request.user, "experiments.change_experiment", experiment.membership.cluster)
    return indicator, experiment


def measurement_create(request, pk):
    indicator, experiment = _indicator_for_writing(request, pk)
    replace = request.POST.get("replace") == "1"
    existing = None
    if request.method == "POST" and replace:
        # Confirmed: bind the form to the measurement it replaces (its own date is then free).
        existing = services.measurement_at(indicator, _posted_date(request))
    data = request.POST if request.method == "POST" else None
    form = MeasurementForm(data, instance=existing, indicator=indicator)
    if data is not None:
        if form.is_valid():
            try:
                services.measurement_record(
                    indicator=indicator, by=request.user, replace=replace, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"La mesure de « {indicator.name} » est enregistrée.")
                return redirect("experiments:experiment-detail", pk=experiment.pk)
        measured_on = form.cleaned_data.get("measured_on")
        value = form.cleaned_data.get("value")
        existing = services.measurement_at(indicator, measured_on) if measured_on else None
        if existing is not None and value is not None and not form.has_error("value"):
            # A value at that date already: ask before replacing it.
            context = {
                "title": f"Remplacer une mesure — {indicator.name}",
                "experiment": experiment,
                "indicator": indicator,
                "cluster": experiment.membership.cluster,
                "existing": existing,
                "measured_on": measured_on,
                "value": value,
            }
            return render(request, "experiments/measurement_replace.html", context)
    context = {
        "title": f"Nouvelle mesure — {indicator.name}",
        "experiment": experiment,
        "indicator": indicator,
        "cluster": experiment.membership.cluster,
        "form": form,
    }
    return render(request, "experiments/measurement_form.html", context)


def _posted_date(request):
    field = MeasurementForm.base_fields["measured_on"]
    try:
        return field.clean(request.POST.get("measured_on"))
    except ValidationError:
        return None


def _measurement_for_writing(request, pk):
    measurement = get_object_or_404(Measurement.objects.select_related("indicator"), pk=pk)
    indicator, experiment = _indicator_for_writing(request, measurement.indicator_id)
    return measurement, indicator, experiment


def measurement_edit(request, pk):
    """Correct the date or value of a measurement."""
    measurement, indicator, experiment = _measurement_for_writing(request, pk)
    form = MeasurementForm(request.POST or None, instance=measurement, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            services.measurement_update(
                measurement=measurement, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"La mesure de « {indicator.name} » est corrigée.")
            return redirect("experiments:experiment-detail", pk=experiment.pk)
    context = {
        "title": f"Corriger une mesure — {indicator.name}",
        "experiment": experiment,
        "indicator": indicator,
        "cluster": experiment.membership.cluster,
        "form": form,
    }
    return render(request, "experiments/measurement_form.html", context)


def measurement_delete(request, pk):
    """Confirmation page (GET) and deletion (POST) of a measurement."""
    measurement, indicator, experiment = _measurement_for_writing(request, pk)
    if request.method == "POST":
        services.measurement_delete(measurement=measurement, by=request.user)
        messages.success(
            request,
            f"La mesure du {measurement.measured_on:%d/%m/%Y} de « {indicator.name} » est "
            "supprimée.",
        )
        return redirect("experiments:experiment-detail", pk=experiment.pk)
    context = {
        "title": f"Supprimer une mesure — {indicator.name}",
        "experiment": experiment,
        "indicator": indicator,
        "cluster": experiment.membership.cluster,
        "measurement": measurement,
    }
    return render(request, "experiments/measurement_delete.html", context)


# --- Monographs ----------------------------------------------------------------------------


@rule_required("experiments.view_monographs")
def monograph_list(request):
    """The monographs the user can see, by status: ARS staff find what to validate here."""
    status = request.GET.get("statut", "")
    monographs = (
        Monograph.objects.visible_to(request.user)
        .select_related("membership__establishment", "membership__cluster__region")
        .order_by("-updated_at")
    )
    if status in Monograph.Status.values:
        monographs = monographs.filter(status=status)
    context = {
        "title": "Monographies",
        "page": Paginator(monographs, 25).get_page(request.GET.get("page")),
        "statuses": Monograph.Status.choices,
        "status": status,
    }
    return render(request, "experiments/monograph_list.html", context)


def _monograph(request, pk):
    queryset = Monograph.objects.visible_to(request.user).select_related(
        *CLUSTER_RELATED, "membership__cluster__wave"
    )
    return get_object_or_404(queryset.prefetch_related("membership__cluster__facilitators"), pk=pk)


def monograph_create(request, membership_pk):
    membership = _membership(request, membership_pk)
    check_rule(request.user, "experiments.change_monograph", membership.cluster)
    if Monograph.objects.filter(membership=membership).exists():
        return redirect("experiments:monograph-detail", pk=membership.monograph.pk)
    return _monograph_form_page(request, membership, None)


def monograph_edit(request, pk):
    monograph = _monograph(request, pk)
    check_rule(request.user, "experiments.change_monograph", monograph.membership.cluster)
    refusal = services.monograph_editable_refusal(monograph)
    if refusal:
        messages.error(request, refusal)
        return redirect("experiments:monograph-detail", pk=monograph.pk)
    return _monograph_form_page(request, monograph.membership, monograph)


def _monograph_form_page(request, membership, monograph):
    form = MonographForm(request.POST or None, instance=monograph)
    if request.method == "POST" and form.is_valid():
        try:
            monograph = services.monograph_save(
                membership=membership,
                values=form.cleaned_data,
                by=request.user,
                monograph=monograph,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"La monographie « {monograph.title} » est enregistrée.")
            return redirect("experiments:monograph-detail", pk=monograph.pk)
    context = {
        "title": "Modifier la monographie" if monograph else "Nouvelle monographie",
        "membership": membership,
        "cluster": membership.cluster,
        "monograph": monograph,
        "form": form,
    }
    return render(request, "experiments/monograph_form.html", context)


def _allowed_transitions(monograph, user):
    return [
        {"target": target, "label": services.transition_label(monograph, target)}
        for target in services.TRANSITION_LABELS
        if services.monograph_transition_refusal(monograph, target, user) is None
    ]


def monograph_detail(request, pk):
    monograph = _monograph(request, pk)
    cluster = monograph.membership.cluster
    context = {
        "title": monograph.title,
        "monograph": monograph,
        "cluster": cluster,
        "transitions": _allowed_transitions(monograph, request.user),
        "history": list(monograph.transitions.select_related("by")),
        "can_edit": has_rule(request.user, "experiments.change_monograph", cluster)
        and monograph.status == Monograph.Status.BROUILLON,
    }
    return render(request, "experiments/monograph_detail.html", context)


def monograph_transition(request, pk, target):
    monograph = _monograph(request, pk)
    if target not in services.MONOGRAPH_WORKFLOW:
        raise Http404("Changement de statut inconnu.")
    rule = services.monograph_transition_rule(monograph, target)
    if rule is not None:  # a transition that does not exist from here gets its message below
        check_rule(request.user, rule, monograph.membership.cluster)
    refusal = services.monograph_transition_refusal(monograph, target, request.user)
    if refusal:
        messages.error(request, refusal)
        return redirect("experiments:monograph-detail", pk=monograph.pk)
    form = TransitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            monograph = services.monograph_transition(
                monograph=monograph, target=target, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)  # a dict error lands on its field
        else:
            messages.success(
                request, f"La monographie est maintenant « {monograph.get_status_display()} »."
            )
            return redirect("experiments:monograph-detail", pk=monograph.pk)
    context = {
        "title": services.transition_label(monograph, target),
        "monograph": monograph,
        "cluster": monograph.membership.cluster,
        "target": target,
        "needs_comment": target == Monograph.Status.BROUILLON,
        "unpublishing": monograph.status == Monograph.Status.PUBLIEE,
        "form": form,
    }
    return render(request, "experiments/monograph_transition.html", context)
