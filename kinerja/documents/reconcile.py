"""Document versions, paraf, signatures, letter numbers, the archive register and dispatches
as the audit record describes them (`manage.py audit reconcile`).

Each write of the documents layer records the row it made with the values a person
checks (kinerja/documents/services/, kinerja/documents/numbering.py); here each row
is compared with them. Who initialled or signed is checked by "person_id" where the
event records it (events written before it was recorded are checked without it).
"""

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _

from kinerja.core.reconcile import Difference, Event, Table, differ, last, parse_time, register

from .models import ArchiveEntry, Dispatch, DocumentVersion, LetterNumber, Paraf, Signature


class VersionTable(Table):
    """A version: its file (name, format, size, SHA-256), its number, final and returned."""

    model = DocumentVersion
    fields = (
        "document__process_id",
        "number",
        "name",
        "kind",
        "size",
        "sha256",
        "is_final",
        "returned_by_id",
    )
    actions = ("version", "final", "return-version")
    creates = ("version",)

    def stream_of(self, row: dict) -> str:
        return f"process:{row['document__process_id']}"

    def compare(self, row: dict, events: list[Event], extra: Any) -> Iterator[Difference]:
        made = last(events, "version")
        assert made is not None
        after = made.after
        yield from differ("number", row["number"], after.get("version"), made)
        yield from differ("name", row["name"], after.get("name"), made)
        yield from differ("kind", row["kind"], after.get("format"), made)
        yield from differ("size", row["size"], after.get("size"), made)
        yield from differ("sha256", row["sha256"], after.get("sha256"), made)
        final = last(events, "final")
        yield from differ("is_final", row["is_final"], final is not None, final or made)
        returned = last(events, "return-version")
        yield from differ(
            "returned",
            row["returned_by_id"] is not None,
            returned is not None,
            returned or made,
            label=_("returned for revision"),
        )


class ParafTable(Table):
    """A paraf: on which version (number and SHA-256), in which position, when, by whom."""

    model = Paraf
    fields = (
        "task__process_id",
        "version__number",
        "version__sha256",
        "position",
        "at",
        "person_id",
        "person__name",
    )
    actions = creates = ("paraf-version",)

    def stream_of(self, row: dict) -> str:
        return f"process:{row['task__process_id']}"

    def compare(self, row: dict, events: list[Event], extra: Any) -> Iterator[Difference]:
        made = last(events, *self.actions)
        assert made is not None
        after = made.after
        yield from _on_version(row, made)
        yield from differ("position", row["position"], after.get("position"), made)
        yield from differ("at", row["at"], made.at, made)
        yield from _person(row, made)


class SignatureTable(Table):
    """A signature: the version it made and the one it signed, the certificate, when, who."""

    model = Signature
    fields = (
        "version__document__process_id",
        "version__number",
        "version__sha256",
        "signed_from__number",
        "certificate_subject",
        "certificate_serial",
        "signed_at",
        "person_id",
        "person__name",
    )
    actions = creates = ("e-sign",)

    def stream_of(self, row: dict) -> str:
        return f"process:{row['version__document__process_id']}"

    def compare(self, row: dict, events: list[Event], extra: Any) -> Iterator[Difference]:
        made = last(events, *self.actions)
        assert made is not None
        after = made.after
        yield from _on_version(row, made)
        yield from differ("signed_from", row["signed_from__number"], after.get("signed_from"), made)
        yield from differ(
            "certificate_subject", row["certificate_subject"], after.get("certificate"), made
        )
        yield from differ(
            "certificate_serial", row["certificate_serial"], after.get("serial"), made
        )
        yield from differ("signed_at", row["signed_at"], made.at, made)
        yield from _person(row, made)


class LetterNumberTable(Table):
    """A number of the book: the number itself, issued or cancelled, by whom."""

    model = LetterNumber
    fields = (
        "book_id",
        "number",
        "sequence",
        "subject",
        "status",
        "taken_by_id",
        "cancelled_by_id",
        "cancel_reason",
    )
    actions = ("take-number", "cancel-number")
    creates = ("take-number",)

    def stream_of(self, row: dict) -> str:
        return f"numbers:{row['book_id']}"

    def compare(self, row: dict, events: list[Event], extra: Any) -> Iterator[Difference]:
        taken = last(events, "take-number")
        assert taken is not None
        yield from differ("number", row["number"], taken.after.get("number"), taken)
        yield from differ("sequence", row["sequence"], taken.after.get("sequence"), taken)
        yield from differ("subject", row["subject"], taken.after.get("subject"), taken)
        yield from differ("taken_by", row["taken_by_id"], taken.actor_id, taken)
        cancelled = last(events, "cancel-number")
        if cancelled is None:
            yield from differ("status", row["status"], LetterNumber.Status.ISSUED, taken)
            yield from differ(
                "cancelled_by", row["cancelled_by_id"], None, taken, label=_("cancelled by")
            )
            return
        yield from differ("status", row["status"], LetterNumber.Status.CANCELLED, cancelled)
        yield from differ(
            "cancelled_by",
            row["cancelled_by_id"],
            cancelled.actor_id,
            cancelled,
            label=_("cancelled by"),
        )
        yield from differ(
            "cancel_reason", row["cancel_reason"], cancelled.after.get("reason"), cancelled
        )


class ArchiveTable(Table):
    """An entry of the archive register: its number, code, place, copies, retention, hash."""

    model = ArchiveEntry
    fields = (
        "process_id",
        "year",
        "sequence",
        "classification__code",
        "location",
        "copies",
        "sha256",
        "version__sha256",
        "active_until",
        "inactive_until",
    )
    actions = creates = ("archive",)

    def stream_of(self, row: dict) -> str:
        return f"process:{row['process_id']}"

    def compare(self, row: dict, events: list[Event], extra: Any) -> Iterator[Difference]:
        made = last(events, *self.actions)
        assert made is not None
        after = made.after
        register = f"{row['year']}/{row['sequence']}"
        yield from differ("sequence", register, after.get("register"), made)
        yield from differ(
            "classification", row["classification__code"], after.get("classification"), made
        )
        yield from differ("location", row["location"], after.get("location"), made)
        yield from differ("copies", row["copies"], after.get("copies"), made)
        yield from differ("sha256", row["sha256"], after.get("sha256"), made)
        yield from differ(
            "version_sha256",
            row["version__sha256"],
            after.get("sha256"),
            made,
            label=_("SHA-256 of the version filed"),
        )
        retention = f"{row['active_until'].isoformat()}/{row['inactive_until'].isoformat()}"
        yield from differ(
            "retention", retention, after.get("retention"), made, label=_("retention")
        )


class DispatchTable(Table):
    """A dispatch: to whom, when, how, under which number, which version; its receipt."""

    model = Dispatch
    fields = (
        "process_id",
        "recipient",
        "sent_on",
        "channel",
        "cover_number__number",
        "version__number",
        "version__sha256",
        "received_by",
        "received_at",
    )
    actions = ("dispatch", "receipt")
    creates = ("dispatch",)

    def stream_of(self, row: dict) -> str:
        return f"process:{row['process_id']}"

    def compare(self, row: dict, events: list[Event], extra: Any) -> Iterator[Difference]:
        made = last(events, "dispatch")
        assert made is not None
        after = made.after
        yield from differ("recipient", row["recipient"], after.get("recipient"), made)
        yield from differ("sent_on", row["sent_on"].isoformat(), after.get("sent_on"), made)
        yield from differ("channel", row["channel"], after.get("channel"), made)
        yield from differ(
            "cover_number", row["cover_number__number"], after.get("cover_number"), made
        )
        yield from _on_version(row, made)
        receipt = last(events, "receipt")
        if receipt is None:
            yield from differ("received_by", row["received_by"], "", made)
            yield from differ("received_at", row["received_at"], None, made)
            return
        yield from differ(
            "received_by", row["received_by"], receipt.after.get("received_by"), receipt
        )
        yield from differ(
            "received_at",
            row["received_at"],
            parse_time(receipt.after.get("received_at")),
            receipt,
        )


def _on_version(row: dict, made: Event) -> Iterator[Difference]:
    """The version a paraf, a signature or a dispatch is on: its number and its bytes."""
    yield from differ("version", row["version__number"], made.after.get("version"), made)
    yield from differ(
        "version_sha256",
        row["version__sha256"],
        made.after.get("sha256"),
        made,
        label=_("SHA-256 of the version"),
    )


def _person(row: dict, made: Event) -> Iterator[Difference]:
    """Who initialled or signed, where the event records it."""
    if "person_id" in made.after and row["person_id"] != made.after["person_id"]:
        recorded = made.after["person_id"]
        yield Difference(
            "person",
            f"{row['person__name']} (#{row['person_id']})" if row["person_id"] else None,
            f"#{recorded}" if recorded else None,
            made,
            str(_("person")),
        )


register(VersionTable())
register(ParafTable())
register(SignatureTable())
register(LetterNumberTable())
register(ArchiveTable())
register(DispatchTable())
