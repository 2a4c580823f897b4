"""The fixture world of the security tests: two regions, one object of every kind, one user per
persona. URL arguments of the access matrix are taken from it.

Region 11 (Île-de-France) holds `cluster` with everything hanging from it; region 53 (Bretagne)
holds `other_cluster`, so that the other region's staff see something of their own. Names of
region 11's objects carry LEAK_MARKER: no page answered to region 53's staff or to anonymous
visitors may contain it.
"""

import datetime
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from dsfr.models import DsfrConfig

from accounts.models import User
from clusters.models import (
    Attendance,
    DelegationContact,
    Membership,
    ParticipantRole,
    SessionAttachment,
    SessionTool,
    Theme,
)
from establishments.models import FinessImport
from experiments.models import Experiment, Indicator, Measurement, Monograph
from notifications import invitations
from notifications.models import NotificationPreferences, OutgoingEmail
from reports.models import ReportJob
from tests import factories

LEAK_MARKER = "Zorglub"  # in every name of region 11's private objects

PERSONAS = (
    "anonymous",
    "ars_region",  # ARS staff of the object's region (11)
    "ars_other_region",  # ARS staff of Bretagne (53)
    "aract_assigned",  # Aract of region 11, facilitator of the cluster
    "aract_unassigned",  # Aract of region 11, not assigned to the cluster
    "national",  # national reader (DGOS)
    "programme",  # national programme team (`pilotage`)
    "admin",  # administrator (staff, superuser)
)


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    session_keys: dict[str, str] = field(default_factory=dict)
    objects: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None

    def client(self, persona: str) -> Client:
        """The client of `persona`, its session cookie put back before each use (a logout
        answered to one request must not leak into the next). Clients are reused: building
        one loads the middleware again, WhiteNoise's file scan included (seconds)."""
        from django.conf import settings

        if persona not in _clients:
            _clients[persona] = Client(REMOTE_ADDR="198.51.100.7")
        client = _clients[persona]
        client.cookies.clear()
        if persona != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = self.session_keys[persona]
        return client


_clients: dict[str, Client] = {}


def build_world(text: str = "") -> World:
    """Every kind of object; `text` (when given) is written into every free-text field."""
    world = World()
    users = world.users
    users["ars_region"] = factories.ars_user("11", username="matrix-ars-11")
    users["ars_other_region"] = factories.ars_user("53", username="matrix-ars-53")
    users["aract_assigned"] = factories.aract_user("11", username="matrix-aract-11")
    users["aract_unassigned"] = factories.aract_user("11", username="matrix-aract-11-bis")
    users["national"] = factories.national_user(username="matrix-dgos")
    users["programme"] = factories.programme_user(username="matrix-pilotage")
    users["admin"] = factories.admin_user(username="matrix-admin")

    o = world.objects
    o["wave"] = factories.WaveFactory(code="2031")
    o["cluster"] = factories.ClusterFactory(
        region_code="11",
        wave=o["wave"],
        name=f"Cluster {LEAK_MARKER} {text}"[:200],
        problem_statement=f"Problématique {LEAK_MARKER} {text}",
        ars_referent=users["ars_region"],
    )
    o["cluster"].facilitators.add(users["aract_assigned"])
    members = factories.add_members(o["cluster"], 6)
    for member in members:
        member.establishment.short_name = f"EHPAD {LEAK_MARKER} {member.pk}"
        member.establishment.save()
    o["members"] = members
    o["membership"] = members[0]
    o["establishment"] = members[0].establishment
    o["withdrawn_membership"] = members[5]
    Membership.objects.filter(pk=members[5].pk).update(
        withdrawn_on=datetime.date(2026, 3, 1), withdrawal_reason=f"Retrait {text}"
    )
    o["contact"] = DelegationContact.objects.create(
        membership=members[0],
        role=ParticipantRole.DIRECTION,
        name=f"Dominique {LEAK_MARKER} {text}"[:150],
        email="dominique.zorglub@example.invalid",
        phone="01 23 45 67 89",
    )
    o["session"] = factories.SessionFactory(
        cluster=o["cluster"],
        number=1,
        place=f"Salle {text}"[:200],
        agenda=f"Ordre du jour {LEAK_MARKER} {text}",
        key_points=f"Points clés {LEAK_MARKER} {text}",
        decisions=f"Décisions {text}",
        next_steps=f"Suite {text}",
        other_tools=f"Outils {text}"[:300],
        created_by=users["aract_assigned"],
    )
    o["session"].tools.add(SessionTool.objects.order_by("pk").first())
    o["theme"] = Theme.objects.order_by("pk").first()
    o["session_tool"] = SessionTool.objects.order_by("pk").first()
    o["attendance"] = Attendance.objects.create(
        session=o["session"], membership=members[0], role=ParticipantRole.DIRECTION, count=2
    )
    o["experiment"] = Experiment.objects.create(
        membership=members[0],
        title=f"Expérimentation {LEAK_MARKER} {text}"[:200],
        problem=f"Problème {text}",
        objectives=f"Objectifs {text}",
        unit=f"Unité {text}"[:200],
        actions=f"Actions {text}",
    )
    o["indicator"] = Indicator.objects.create(
        experiment=o["experiment"],
        name=f"Absentéisme {text}"[:200],
        unit="%",
        baseline=10,
        target=7,
        higher_is_better=False,
    )
    o["measurement"] = Measurement.objects.create(
        indicator=o["indicator"], measured_on=datetime.date(2026, 6, 1), value=8
    )
    o["monograph"] = Monograph.objects.create(
        membership=members[0],
        title=f"Monographie {LEAK_MARKER} {text}"[:200],
        **{section: f"{section} {text}" for section in _MONOGRAPH_TEXT_FIELDS},
    )

    # A published monograph, in another cluster of region 11: the public library shows it.
    library_cluster = factories.ClusterFactory(
        region_code="11", wave=factories.WaveFactory(code="2032"), name="Cluster bibliothèque"
    )
    published_member = factories.add_members(library_cluster, 1)[0]
    o["published_monograph"] = Monograph.objects.create(
        membership=published_member,
        title=f"Monographie publiée {text}"[:200],
        status=Monograph.Status.PUBLIEE,
        published_at=datetime.datetime(2026, 9, 11, tzinfo=datetime.UTC),
        **{section: f"{section} {text}" for section in _MONOGRAPH_TEXT_FIELDS},
    )

    o["attachment"] = SessionAttachment.objects.create(
        session=o["session"],
        kind=SessionAttachment.Kind.choices[0][0],
        file=ContentFile(b"%PDF-1.4 matrice", name="matrice.pdf"),
        original_name=f"Feuille {LEAK_MARKER}.pdf",
        content_type="application/pdf",
        size=16,
        uploaded_by=users["aract_assigned"],
    )
    # A report is refused for a draft cluster (o["cluster"] is one): the job is a running one's.
    report_cluster = factories.ClusterFactory(
        region_code="11",
        wave=o["wave"],
        name="Cluster lancé",
        status="en_cours",
        ars_referent=users["ars_region"],
    )
    report_cluster.facilitators.add(users["aract_assigned"])
    o["report_job"] = ReportJob.objects.create(
        kind=ReportJob.Kind.CLUSTER,
        cluster=report_cluster,
        status=ReportJob.Status.DONE,
        progress=100,
        file=ContentFile(b"%PDF-1.4 rapport", name="rapport-matrice.pdf"),
        requested_by=users["ars_region"],
        created_at=timezone.now(),
    )
    o["finess_import"] = FinessImport.objects.create(
        original_name="finess.csv", requested_by=users["admin"], status="done", progress=100
    )
    # Stopped by the deactivation threshold: its page asks for a confirmation.
    o["stopped_finess_import"] = FinessImport.objects.create(
        original_name="partiel.csv",
        requested_by=users["admin"],
        status="done",
        progress=100,
        stopped=True,
        active_before=20,
        absent=10,
    )

    # A draft without sessions: the one kind of cluster that may be deleted.
    o["draft_cluster"] = factories.ClusterFactory(
        region_code="11", wave=o["wave"], name="Cluster brouillon de la matrice"
    )

    # Region 53: its own cluster, so that its staff's pages are not empty.
    o["other_cluster"] = factories.ClusterFactory(region_code="53", wave=o["wave"], name="Breizh")
    other_members = factories.add_members(o["other_cluster"], 2)
    o["other_membership"] = other_members[0]
    o["other_session"] = factories.SessionFactory(cluster=o["other_cluster"], number=1)

    # One row of each administrable model, so that every admin change page has an object.
    o["group"] = Group.objects.create(name="Matrice")
    o["invitation"] = invitations.invite(
        email="invitee@example.invalid", first_name="Ines", last_name="Vitee",
        role="national", region=None, by=users["admin"],
    )  # fmt: skip
    o["outgoing_email"] = OutgoingEmail.objects.first()
    o["notification_preferences"] = NotificationPreferences.objects.create(user=users["national"])
    o["dsfr_config"] = DsfrConfig.objects.first() or DsfrConfig.objects.create()
    o["access_attempt"] = AccessAttempt.objects.create(
        username="intrus", ip_address="203.0.113.9", user_agent="test", failures_since_start=1
    )
    o["access_log"] = AccessLog.objects.create(
        username="matrix-ars-11", ip_address="203.0.113.9", user_agent="test"
    )
    o["access_failure_log"] = AccessFailureLog.objects.create(
        username="intrus", ip_address="203.0.113.9", user_agent="test"
    )
    o["log_entry"] = LogEntry.objects.order_by("pk").first()

    for persona, user in users.items():
        client = world.client("anonymous")
        client.force_login(user)
        world.session_keys[persona] = client.session.session_key
    return world


_MONOGRAPH_TEXT_FIELDS = (
    "identity",
    "context",
    "approach",
    "diagnostic",
    "experiments",
    "results",
    "lessons",
    "outlook",
    "annexes",
)
