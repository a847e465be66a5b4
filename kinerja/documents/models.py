"""What each step leaves behind: document versions, letters, numbers, archive, dispatch, signatures.

A process holds its documents (workflow.ProcessDocument, one per document
type and reference); here each document gets its versions, each a stored
file with its SHA-256. A version is never changed once written: a correction
is a new version, a signature makes a new version (the signed PDF), and the
final version of a document cannot be replaced. The registers (letter
numbers, archive, dispatch) point at the versions they concern, so the
record shows which bytes were numbered, filed and sent.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kinerja.core.base_models import TimeStampedModel
from kinerja.org.models import Person, Unit
from kinerja.sop.models import DocumentType
from kinerja.workflow.models import Process, ProcessDocument, Task


class FileKind(models.TextChoices):
    """The file formats an office exchanges, recognised by content (documents/files.py)."""

    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX (Word)"
    XLSX = "xlsx", "XLSX (Excel)"
    ODT = "odt", "ODT (OpenDocument)"


def version_path(instance: "DocumentVersion", filename: str) -> str:
    return version_file_path(instance.document.process_id, instance.public_id, filename)


def version_file_path(process_id: int, public_id: uuid.UUID, filename: str) -> str:
    # A unique folder per version: two versions of the same name never collide,
    # and the storage never renames a file behind the record's back.
    return f"dokumen/{process_id}/{public_id}/{filename}"


def letter_docx_path(instance: "GeneratedLetter", filename: str) -> str:
    return f"dokumen/{instance.version.document.process_id}/{instance.version.public_id}/{filename}"


class DocumentVersionQuerySet(models.QuerySet):
    def with_context(self) -> "DocumentVersionQuerySet":
        return self.select_related(
            "document__document_type",
            "document__process__sop_version__sop",
            "added_by__person",
            "task__step",
        )


class DocumentVersion(models.Model):
    """Versi dokumen: one stored file of a process document, never changed once written."""

    class Source(models.TextChoices):
        UPLOAD = "upload", _("Uploaded")
        GENERATED = "generated", _("Generated from a form")
        SIGNED = "signed", _("Signed electronically")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(
        ProcessDocument,
        verbose_name=_("document"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(
        _("title"),
        max_length=300,
        blank=True,
        help_text=_(
            "What the document is at this version: its stage ('Draft Renja'), or for the "
            "final version the document's own title ('Rencana Kerja ... Tahun 2027')."
        ),
    )
    file = models.FileField(_("file"), upload_to=version_path, max_length=400)
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("format"), max_length=8, choices=FileKind)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=Source, default=Source.UPLOAD)
    note = models.TextField(_("what changed"), blank=True)
    task = models.ForeignKey(
        Task,
        verbose_name=_("from task"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="document_versions",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"))
    returned_by = models.ForeignKey(
        Task,
        verbose_name=_("returned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="returned_versions",
        help_text=_("The review task that sent this version back for revision."),
    )
    return_note = models.TextField(_("note from the reviewer"), blank=True)
    is_final = models.BooleanField(
        _("final"), default=False, help_text=_("The final version can no longer be replaced.")
    )

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_number_once"),
            models.UniqueConstraint(
                fields=["document"], condition=Q(is_final=True), name="one_final_version"
            ),
        ]
        # The documents list pages newest first by (created_at, id) (kinerja.core.paging).
        indexes = [models.Index(fields=["-created_at", "-id"], name="version_recent")]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def label(self) -> str:
        """The name of the document as of this version (versions older than stages: its
        type's name)."""
        return self.title or self.document.document_type.name

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]


class Paraf(models.Model):
    """Paraf: an official's initial on a version of a draft, from a review step."""

    version = models.ForeignKey(
        DocumentVersion, on_delete=models.CASCADE, related_name="parafs", verbose_name=_("version")
    )
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200)
    acting = models.CharField(_("acting as"), max_length=12, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("paraf")
        verbose_name_plural = _("paraf")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.position}: {self.name}"


class Signature(models.Model):
    """Tanda tangan elektronik: the signing of a version, which made the signed version."""

    version = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("signed version"),
        on_delete=models.CASCADE,
        related_name="signatures",
    )
    signed_from = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("version signed"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(Person, null=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200)
    nip = models.CharField(_("NIP"), max_length=18, blank=True)
    acting = models.CharField(_("acting as"), max_length=12, blank=True)
    backend = models.CharField(_("signing service"), max_length=20)
    certificate_subject = models.CharField(_("certificate"), max_length=400, blank=True)
    certificate_issuer = models.CharField(_("issuer"), max_length=400, blank=True)
    certificate_serial = models.CharField(_("serial number"), max_length=100, blank=True)
    signed_at = models.DateTimeField(_("signed"))

    class Meta:
        verbose_name = _("electronic signature")
        verbose_name_plural = _("electronic signatures")
        ordering = ["signed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.position})"


class LetterTemplate(TimeStampedModel):
    """Templat naskah dinas: the texts of a letter kind, which an administrator may change."""

    class Kind(models.TextChoices):
        NOTA_DINAS = "nota_dinas", _("Nota Dinas")
        UNDANGAN = "undangan", _("Undangan Rapat")
        SURAT_PENGANTAR = "surat_pengantar", _("Surat Pengantar")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind, unique=True)
    opening = models.TextField(
        _("opening paragraph"),
        blank=True,
        help_text=_(
            "Django template text; may use {{ hal }}, {{ process_title }}, {{ year }}, {{ unit }}."
        ),
    )
    closing = models.TextField(_("closing paragraph"), blank=True)
    document_types = models.ManyToManyField(
        DocumentType,
        verbose_name=_("document types it makes"),
        blank=True,
        related_name="letter_templates",
        help_text=_("A step whose output is one of these offers this letter's form."),
    )
    classification = models.ForeignKey(
        "ArchiveClassification",
        verbose_name=_("default classification"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class GeneratedLetter(models.Model):
    """A letter made from a form: the PDF is the version; the DOCX is kept beside it."""

    version = models.OneToOneField(
        DocumentVersion, on_delete=models.CASCADE, related_name="letter", verbose_name=_("version")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LetterTemplate.Kind)
    data = models.JSONField(_("form values"), default=dict)
    number = models.ForeignKey(
        "LetterNumber",
        verbose_name=_("letter number"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters",
    )
    docx = models.FileField(_("DOCX"), upload_to=letter_docx_path, max_length=400)
    docx_sha256 = models.CharField(_("DOCX SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("generated letter")
        verbose_name_plural = _("generated letters")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version}"


class ArchiveClassification(TimeStampedModel):
    """Klasifikasi arsip (Permendagri 83/2022) with its retention (Jadwal Retensi Arsip)."""

    class Disposition(models.TextChoices):
        DESTROY = "musnah", _("Destroy (musnah)")
        PERMANENT = "permanen", _("Keep permanently (permanen)")
        REVIEW = "dinilai_kembali", _("Review again (dinilai kembali)")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=300)
    active_years = models.PositiveSmallIntegerField(_("active retention (years)"))
    inactive_years = models.PositiveSmallIntegerField(_("inactive retention (years)"))
    disposition = models.CharField(
        _("final disposition"), max_length=20, choices=Disposition, default=Disposition.REVIEW
    )
    document_types = models.ManyToManyField(
        DocumentType,
        verbose_name=_("document types"),
        blank=True,
        related_name="classifications",
        help_text=_("Documents of these types are filed under this code by default."),
    )

    class Meta:
        verbose_name = _("archive classification")
        verbose_name_plural = _("archive classifications")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class NumberingBook(TimeStampedModel):
    """Buku agenda / penomoran surat: one per unit per year, numbers without gaps."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="numbering_books"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    pattern = models.CharField(
        _("number pattern"),
        max_length=120,
        default="{klasifikasi}/{urut}/{unit}/{tahun}",
        help_text=_("Fields: {klasifikasi}, {urut}, {unit}, {tahun}, {bulan} (Roman numerals)."),
    )
    digits = models.PositiveSmallIntegerField(
        _("digits of the sequence"), default=3, help_text=_("3 writes 14 as 014.")
    )
    last_sequence = models.PositiveIntegerField(_("last number taken"), default=0)
    units = models.ManyToManyField(
        Unit,
        verbose_name=_("other units that number in it"),
        blank=True,
        related_name="delegated_books",
        help_text=_(
            "Units whose officials may also take numbers in this book. The unit itself, and "
            "the units under it that keep no book of their own, always may."
        ),
    )

    class Meta:
        verbose_name = _("numbering book")
        verbose_name_plural = _("numbering books")
        ordering = ["-year", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_book_per_unit_year")
        ]

    def __str__(self) -> str:
        return f"{self.unit.short_name or self.unit.name} {self.year}"


class LetterNumber(models.Model):
    """Nomor surat: one number taken from a book; a cancelled number stays, marked cancelled."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        CANCELLED = "cancelled", _("Cancelled")

    book = models.ForeignKey(
        NumberingBook, verbose_name=_("book"), on_delete=models.PROTECT, related_name="numbers"
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=120, db_index=True)
    classification = models.ForeignKey(
        ArchiveClassification,
        verbose_name=_("classification"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.CharField(_("subject (hal)"), max_length=300)
    addressee = models.CharField(_("addressee"), max_length=300, blank=True)
    process = models.ForeignKey(
        Process, null=True, blank=True, on_delete=models.SET_NULL, related_name="letter_numbers"
    )
    document = models.ForeignKey(
        ProcessDocument, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ISSUED)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    taken_at = models.DateTimeField(_("taken"))
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        verbose_name = _("letter number")
        verbose_name_plural = _("letter numbers")
        ordering = ["book", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["book", "sequence"], name="sequence_once_per_book")
        ]

    def __str__(self) -> str:
        return self.number


class ArchiveEntry(models.Model):
    """Register arsip: a final document booked and filed, with where it is and until when."""

    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("register number"))
    version = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("version filed"),
        on_delete=models.PROTECT,
        related_name="archive_entries",
    )
    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.PROTECT, related_name="archive_entries"
    )
    classification = models.ForeignKey(
        ArchiveClassification,
        verbose_name=_("classification"),
        on_delete=models.PROTECT,
        related_name="entries",
    )
    title = models.CharField(_("description"), max_length=300)
    letter_number = models.CharField(_("letter number"), max_length=120, blank=True, db_index=True)
    document_date = models.DateField(_("document date"))
    location = models.CharField(_("location (ordner)"), max_length=200)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    sha256 = models.CharField(_("SHA-256 of the filed version"), max_length=64)
    active_until = models.DateField(_("active until"))
    inactive_until = models.DateField(_("inactive until"))
    disposition = models.CharField(
        _("final disposition"), max_length=20, choices=ArchiveClassification.Disposition
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("entered"))

    class Meta:
        verbose_name = _("archive entry")
        verbose_name_plural = _("archive register")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="archive_sequence_once"),
            models.UniqueConstraint(fields=["version"], name="archive_version_once"),
        ]
        indexes = [models.Index(fields=["classification", "year"], name="archive_class_year")]

    def __str__(self) -> str:
        return f"{self.year}/{self.sequence} {self.title}"


class Dispatch(models.Model):
    """Pengiriman: a document sent outside (the Renja to Bappeda), with its cover letter and receipt."""

    class Channel(models.TextChoices):
        HAND = "hand", _("Delivered by hand")
        MAIL = "mail", _("Post")
        EMAIL = "email", _("E-mail")
        APPLICATION = "application", _("Application (e.g. SIPD)")

    process = models.ForeignKey(
        Process, verbose_name=_("process"), on_delete=models.PROTECT, related_name="dispatches"
    )
    version = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("document sent"),
        on_delete=models.PROTECT,
        related_name="dispatches",
    )
    recipient = models.CharField(_("recipient"), max_length=300)
    sent_on = models.DateField(_("sent on"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel)
    cover_number = models.ForeignKey(
        LetterNumber,
        verbose_name=_("cover letter number"),
        on_delete=models.PROTECT,
        related_name="dispatches",
    )
    cover_letter = models.ForeignKey(
        DocumentVersion,
        verbose_name=_("cover letter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_by = models.CharField(_("received by"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    receipt_note = models.TextField(_("receipt"), blank=True)
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["-sent_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.recipient} {self.sent_on}"
