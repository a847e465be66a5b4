"""The organisation: units, positions (jabatan), people and who holds what when."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinerja.core.base_models import TimeStampedModel

from .nip import format_nip, validate_nip


def _nip_validator(value: str) -> None:
    validate_nip(value)


# The parents read with a unit in one query when looking for its organisation.
ORGANISATION_DEPTH = "parent__parent__parent__parent"


class Unit(TimeStampedModel):
    """Unit kerja: a node of the government's tree (Pemerintah Kota > Setda > Bagian > Sub Bagian)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(
        _("short name"), max_length=60, blank=True, help_text=_("Used in letter numbers.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    # The kop naskah dinas of a perangkat daerah (Permendagri 1/2023, Lampiran): its address,
    # telephone, e-mail (pos-el) and website (laman) under its name.
    address = models.CharField(
        _("address"), max_length=300, blank=True, help_text=_("As printed in the letterhead.")
    )
    telephone = models.CharField(_("telephone"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.CharField(_("website"), max_length=100, blank=True)
    # The lambang daerah, on the government (the root of the tree): a PNG that
    # kinerja.org.emblem made from what the administrator uploaded. Kept in the database
    # (a few dozen kB) so that every server and every backup has it.
    emblem = models.BinaryField(_("lambang daerah"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list["Unit"]:
        """From the root down to this unit (a few levels: one query per level)."""
        chain: list[Unit] = []
        node: Unit | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def government(self) -> "Unit":
        """The root of the tree this unit belongs to (the Pemerintah Kota)."""
        return self.ancestors()[0]

    def organisation(self) -> "Unit":
        """The perangkat daerah this unit belongs to (Sekretariat Daerah for a Sub Bagian):
        the unit just under the government at the root of the tree, or the root itself."""
        return Unit.organisation_of(self.pk)

    @classmethod
    def organisation_of(cls, unit_id: int) -> "Unit":
        """organisation() of the unit `unit_id`: one query for the usual depth (pemerintah >
        perangkat daerah > bagian > sub bagian > one more), one more per level beyond it."""
        chain = cls.objects.select_related(ORGANISATION_DEPTH).get(pk=unit_id).ancestors()
        return chain[1] if len(chain) > 1 else chain[0]


class Position(TimeStampedModel):
    """Jabatan: a post in a unit, with the post it reports to."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="positions"
    )
    superior = models.ForeignKey(
        "self",
        verbose_name=_("superior position"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subordinates",
    )

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["unit__order", "name"]

    def __str__(self) -> str:
        return self.name


class Person(TimeStampedModel):
    """Pegawai or official. Elected officials (the Wali Kota) have no NIP."""

    name = models.CharField(_("name"), max_length=200, help_text=_("With academic titles."))
    nip = models.CharField(
        _("NIP"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[_nip_validator],
        help_text=_("18 digits: birth date, appointment year-month, sex, sequence."),
    )
    rank = models.CharField(
        _("rank (pangkat/golongan)"),
        max_length=100,
        blank=True,
        help_text=_("As written under the signature, e.g. 'Pembina Utama Muda'."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def nip_display(self) -> str:
        return format_nip(self.nip) if self.nip else ""


class AssignmentQuerySet(models.QuerySet):
    def on(self, day: dt.date) -> "AssignmentQuerySet":
        """Assignments in force on `day`."""
        return self.filter(Q(end__isnull=True) | Q(end__gte=day), start__lte=day)


class Assignment(TimeStampedModel):
    """Who holds which position from when to when: definitive, Plt or Plh."""

    class Kind(models.TextChoices):
        DEFINITIVE = "definitive", _("Definitive")
        PLT = "plt", _("Plt (Pelaksana Tugas)")
        PLH = "plh", _("Plh (Pelaksana Harian)")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="assignments"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="assignments"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.DEFINITIVE)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    decree = models.CharField(_("decree (SK)"), max_length=200, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["position", "-start"]
        indexes = [models.Index(fields=["position", "start", "end"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="assignment_end_after_start",
            )
        ]

    def __str__(self) -> str:
        prefix = "" if self.kind == self.Kind.DEFINITIVE else f"{self.get_kind_display()}: "
        return f"{prefix}{self.person} — {self.position}"
