from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    ARS = "ars", "Agent d'ARS"
    ARACT = "aract", "Chargé(e) de mission Aract"
    NATIONAL = "national", "Lecteur national (DGOS, HAS, Anact)"
    PROGRAMME = "programme", "Équipe nationale du programme"
    ADMIN = "admin", "Administrateur"


REGIONAL_ROLES = (Role.ARS, Role.ARACT)


class UserRoles:
    """What a user may see and do, computed once per request from their role assignments."""

    def __init__(self, user):
        assignments = list(user.role_assignments.all()) if user.is_authenticated else []
        self.is_admin = user.is_superuser or any(a.role == Role.ADMIN for a in assignments)
        # The programme team reads what national readers read; administrators too.
        self.is_programme_team = any(a.role == Role.PROGRAMME for a in assignments)
        self.is_national = (
            self.is_admin
            or self.is_programme_team
            or any(a.role == Role.NATIONAL for a in assignments)
        )
        self.ars_region_ids = frozenset(a.region_id for a in assignments if a.role == Role.ARS)
        self.aract_region_ids = frozenset(a.region_id for a in assignments if a.role == Role.ARACT)
        self.region_ids = self.ars_region_ids | self.aract_region_ids

    @property
    def sees_everything(self) -> bool:
        return self.is_national

    def can_see_region(self, region_id) -> bool:
        return self.sees_everything or region_id in self.region_ids

    def is_ars_of(self, region_id) -> bool:
        return region_id in self.ars_region_ids

    def is_aract_of(self, region_id) -> bool:
        return region_id in self.aract_region_ids


class User(AbstractUser):
    organisation = models.ForeignKey(
        "establishments.Organisation",
        verbose_name="organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @cached_property
    def roles(self) -> UserRoles:
        return UserRoles(self)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("rôle", max_length=16, choices=Role.choices)
    region = models.ForeignKey(
        "establishments.Region",
        verbose_name="région",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "attribution de rôle"
        verbose_name_plural = "attributions de rôle"
        constraints = [
            # Regional roles need a region; national roles must not have one.
            models.CheckConstraint(
                name="role_region_matches_role",
                condition=(Q(role__in=REGIONAL_ROLES) & Q(region__isnull=False))
                | (~Q(role__in=REGIONAL_ROLES) & Q(region__isnull=True)),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                name="unique_role_assignment",
                nulls_distinct=False,
            ),
        ]

    def __str__(self):
        label = self.get_role_display()
        return f"{label} — {self.region}" if self.region_id else label
