"""The part of the client's estate a partnership covers: sites → buildings → floors → rooms.

Places live beneath the feature apps: inspections draw their sample from the rooms, and hub
threads and occupant feedback point at them. A room is known by its code in the client's CAFM
system, unique within the partnership; an import updates rooms by that code and retires the ones
it no longer lists. A room is never deleted once something points at it (`on_delete=PROTECT`
wherever a feature refers to one); a retired room keeps its history and leaves the lists.

Every level carries its partnership, so each query is scoped by one indexed column (the tenancy
rule), and the services keep a child in its parent's partnership.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partnership.models import Partnership


class AreaType(models.TextChoices):
    """The area types of VSR-KMS inspection practice; a room has one, an inspection samples
    per type."""

    OFFICE = "office", _("Office")
    SANITARY = "sanitary", _("Sanitary")
    CORRIDOR = "corridor", _("Corridor and stairs")
    PATIENT_ROOM = "patient_room", _("Patient room")
    KITCHEN = "kitchen", _("Pantry and kitchen")
    ENTRANCE = "entrance", _("Entrance and reception")
    OTHER = "other", _("Other")


class Site(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="sites", verbose_name=_("partnership")
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="site_code_unique"),
            models.CheckConstraint(condition=~Q(code=""), name="site_code_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name or self.code


class Building(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="+", verbose_name=_("partnership")
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="buildings", verbose_name=_("site")
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="building_code_unique"),
            models.CheckConstraint(condition=~Q(code=""), name="building_code_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name or self.code


class Floor(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="+", verbose_name=_("partnership")
    )
    building = models.ForeignKey(
        Building, on_delete=models.CASCADE, related_name="floors", verbose_name=_("building")
    )
    # As the CAFM system writes it: "0", "1", "-1", "BG", "K".
    code = models.CharField(_("floor"), max_length=20)
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("floor")
        verbose_name_plural = _("floors")
        ordering = ["building_id", "code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["building", "code"], name="floor_code_unique"),
            models.CheckConstraint(condition=~Q(code=""), name="floor_code_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name or self.code


class RoomQuerySet(models.QuerySet):
    def in_use(self):
        """Rooms the register lists now: not retired."""
        return self.filter(retired_at__isnull=True)


class Room(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("partnership")
    )
    floor = models.ForeignKey(
        Floor, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("floor")
    )
    code = models.CharField(_("room code"), max_length=40)
    name = models.CharField(_("name"), max_length=200, blank=True)
    area_type = models.CharField(_("area type"), max_length=20, choices=AreaType.choices)
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=9, decimal_places=2)
    # Cleanings a week as the contract's cleaning programme has it (0.2 = once a month or so);
    # empty when the programme does not say.
    cleaning_frequency = models.DecimalField(
        _("cleanings per week"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = RoomQuerySet.as_manager()

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="room_code_unique"),
            models.CheckConstraint(condition=~Q(code=""), name="room_code_not_empty"),
            models.CheckConstraint(
                condition=Q(area_type__in=AreaType.values), name="room_area_type_valid"
            ),
            models.CheckConstraint(condition=Q(floor_area__gt=0), name="room_floor_area_positive"),
            models.CheckConstraint(
                condition=Q(cleaning_frequency__isnull=True) | Q(cleaning_frequency__gt=0),
                name="room_cleaning_frequency_positive",
            ),
        ]
        indexes = [
            # The register's list and the sample's lot: a partnership's rooms in use by type.
            models.Index(
                fields=["partnership", "area_type", "code"],
                condition=Q(retired_at__isnull=True),
                name="room_in_use_by_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None
