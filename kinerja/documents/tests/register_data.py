"""Building the registers for the register tests through the services: versions, numbers, archive.

Shared by the selector, export, page and API tests of the registers. Everything
is made as the officials make it (documents.services, documents.numbering); only
the 10,000-entry register for the query-count tests is bulk-inserted, because it
tests reading, not filing.
"""

import datetime as dt
import io
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from kinerja import actions
from kinerja.documents import numbering, services
from kinerja.documents.models import ArchiveClassification, ArchiveEntry, DocumentVersion
from kinerja.sop.models import DocumentType
from kinerja.sop.services import find_sop

WITA = ZoneInfo("Asia/Makassar")
TUESDAY_MORNING = dt.datetime(2026, 2, 3, 10, 0, tzinfo=WITA)


def user(username: str):
    return get_user_model().objects.select_related("person").get(username=username)


def grant(user, *perms: str):
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


def revoke_all(user):
    """No group, no permission: someone who may read the registers and nothing more."""
    user.groups.clear()
    user.user_permissions.clear()
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


def pdf(text: str = "Draft PK") -> bytes:
    """A real one-page PDF made by WeasyPrint; different `text`, different bytes."""
    import weasyprint

    return weasyprint.HTML(
        string=f"<html><body><h1>{text}</h1><p>Isi dokumen.</p></body></html>"
    ).write_pdf()


def start(number: str = "SOP-013", *, title: str = "Penyusunan Perjanjian Kinerja 2026", year=2026):
    return actions.start_process(
        sop=find_sop(number), title=title, year=year, by=user("kasubbag"), now=TUESDAY_MORNING
    )


def document_type(name: str) -> DocumentType:
    return DocumentType.objects.get_or_create(name=name)[0]


def upload(
    process, type_name: str = "Draft PK", *, text: str = "", name: str = "draft.pdf", by=None
) -> DocumentVersion:
    return services.upload(
        process=process,
        document_type=document_type(type_name),
        content=io.BytesIO(pdf(text or f"{type_name} {process.title}")),
        name=name,
        by=by or user("kasubbag"),
    )


def classification(code: str | None = None) -> ArchiveClassification:
    qs = ArchiveClassification.objects.order_by("code")
    return qs.get(code=code) if code else qs.first()


def file(version, *, location: str = "Ordner PK 2026", code: str | None = None, title: str = ""):
    return services.archive(
        version=version,
        by=user("kasubbag"),
        location=location,
        classification=classification(code),
        title=title,
    )


def take_number(unit, *, subject: str = "Undangan rapat evaluasi", year: int = 2026, by=None):
    by = by or grant(user("kasubbag"), "documents.add_letternumber")
    return numbering.take(
        unit=unit, year=year, classification=classification(), subject=subject, by=by
    )


def big_register(process, *, entries: int, year: int = 2025) -> None:
    """`entries` archive entries of `year` (one version each), in bulk: a register of years."""
    source = upload(process, "Arsip lama", text="arsip besar")
    codes = list(ArchiveClassification.objects.order_by("code")[:3])
    clerk = user("kasubbag")
    versions = DocumentVersion.objects.bulk_create(
        DocumentVersion(
            document=source.document,
            number=source.number + n,
            file=source.file.name,
            name=f"arsip-{n}.pdf",
            kind=source.kind,
            size=source.size,
            sha256=f"{n:064x}",
            added_by=clerk,
            created_at=source.created_at,
        )
        for n in range(1, entries + 1)
    )
    if versions[0].pk is None:  # SQLite before 3.35 gives no ids back
        versions = list(DocumentVersion.objects.filter(document=source.document, number__gt=1))
    ArchiveEntry.objects.bulk_create(
        (
            ArchiveEntry(
                year=year,
                sequence=n,
                version=version,
                process=process,
                classification=codes[n % len(codes)],
                title=f"Arsip nomor {n}",
                letter_number=f"000/{n:04d}/PRC/{year}",
                document_date=dt.date(year, 1 + n % 12, 1 + n % 28),
                location=f"Ordner {n // 100}",
                copies=1,
                sha256=version.sha256,
                active_until=dt.date(year + 2, 12, 31),
                inactive_until=dt.date(year + 5, 12, 31),
                disposition=codes[n % len(codes)].disposition,
                entered_by=clerk,
                entered_at=TUESDAY_MORNING,
            )
            for n, version in enumerate(versions, start=1)
        ),
        batch_size=1000,
    )


# --- signed PDFs -------------------------------------------------------------------------

SIGNER_KEY = "uji-sekda"


def use_demo_pki(settings, directory) -> None:
    """Sign and verify with a demo CA in `directory` (the tests' own KINERJA_PKI_DIR)."""
    from kinerja.documents import pki

    settings.KINERJA_SIGNING_BACKEND = "local"
    settings.KINERJA_PKI_DIR = directory
    settings.KINERJA_SIGNING_CERT = ""
    settings.KINERJA_SIGNING_KEY = ""
    settings.KINERJA_SIGNING_TRUST_ROOTS = []
    pki.ensure_demo_ca(directory)
    pki.ensure_certificate(
        directory,
        key=SIGNER_KEY,
        name="Drs. H. Said Abdullah, M.Si.",
        nip="196805121990031005",
        position="Sekretaris Daerah",
    )


def signed_pdf(text: str = "Dokumen PK ditandatangani") -> bytes:
    """A PDF signed by the Sekda with the local backend (call use_demo_pki first)."""
    from kinerja.documents import signing

    identity = signing.SignerIdentity(
        name="Drs. H. Said Abdullah, M.Si.",
        position="Sekretaris Daerah",
        nip="196805121990031005",
        key=SIGNER_KEY,
    )
    stamp = signing.Stamp(
        name=identity.name,
        position=identity.position,
        nip=identity.nip,
        signed_at=TUESDAY_MORNING,
        verify_url="http://127.0.0.1:8000/v/00000000-0000-0000-0000-000000000000/",
    )
    return signing.get_backend().sign_pdf(
        pdf(text), identity=identity, stamp=stamp, reason="Penandatanganan"
    )


def tampered(signed: bytes) -> bytes:
    """One byte changed inside the signed range (the first page's content)."""
    changed = bytearray(signed)
    changed[signed.index(b"stream") + 20] ^= 0x01
    return bytes(changed)
