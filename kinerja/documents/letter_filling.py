"""A letter from a process: what the process already knows, plus what the person types.

A step whose output is a letter (an Undangan Rapat, a Surat Pengantar) offers
the letter's form. The form comes filled from the process, so the person types
only what is new (the meeting's day and place, the documents sent):

- the kop from the unit tree (the government and the perangkat daerah);
- today's date at the place the government sits (org.places); the subject (hal)
  from the process title;
- the addressees: the SOP's other officials below the signer;
- the signer: whoever holds the position of the SOP's first signing lane that
  day (a Plt or Plh set for the day signs, and the block says "Plt."/"Plh.");
- the paraf list: every position between the drafter (konseptor) and the signer
  on the Position.superior chain, as Tata Naskah Dinas has them initial the
  draft (Permendagri 1/2023, Lampiran: "paraf hierarki"), each marked done
  where a Paraf is already on a version of the letter's document;
- the opening and closing paragraphs from the LetterTemplate of the kind.

Values are plain JSON (dates as ISO text, positions by id) so that they are
kept with the generated letter and can fill the form again for a correction.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError
from kinerja.org.models import Assignment, Person, Position, Unit
from kinerja.org.places import place_of
from kinerja.sop.models import DocumentType, Step
from kinerja.workflow.engine import resolve_holder
from kinerja.workflow.graph import graph_for
from kinerja.workflow.models import Process, ProcessDocument, Task

from . import letters
from .models import LetterTemplate
from .models import Paraf as ParafRecord

# Where the Renja goes (DOMAIN.md): the default addressee of a Surat Pengantar.
BAPPEDA_HEAD = "Kepala Badan Perencanaan Pembangunan Daerah (Bappeda) Kota Banjarbaru"


# --- which letter a step offers --------------------------------------------------------------


def _type_ids(document_type: DocumentType) -> set[int]:
    return {document_type.pk, document_type.canonical_id}


def template_for_step(step: Step) -> LetterTemplate | None:
    """The LetterTemplate whose document types hold the step's output (or its canonical type)."""
    if step.output_id is None:
        return None
    return (
        LetterTemplate.objects.filter(document_types__in=_type_ids(step.output))
        .order_by("kind")
        .first()
    )


def templates_by_type() -> dict[int, LetterTemplate]:
    """{document type id: its LetterTemplate} for a page with many steps (two queries)."""
    found: dict[int, LetterTemplate] = {}
    for template in LetterTemplate.objects.prefetch_related("document_types").order_by("-kind"):
        for document_type in template.document_types.all():
            found[document_type.pk] = template
    return found


def template_in(found: dict[int, LetterTemplate], output: DocumentType | None):
    if output is None:
        return None
    for type_id in (output.pk, output.same_as_id):
        if type_id in found:
            return found[type_id]
    return None


# --- who signs, who initials -------------------------------------------------------------------


def signing_position(process: Process) -> Position | None:
    """The position of the SOP's first signing lane (SOP-013: the Sekretaris Daerah)."""
    graph = graph_for(process.sop_version)
    for number in sorted(graph.by_number):
        step = graph.by_number[number].step
        if step.action == Step.Action.SIGN and step.lane.position_id:
            return step.lane.position
    return None


def lane_positions(process: Process) -> list[Position]:
    """The positions of the SOP's lanes, in lane order, each once."""
    graph = graph_for(process.sop_version)
    seen: dict[int, Position] = {}
    lanes = sorted({info.step.lane for info in graph.by_number.values()}, key=lambda ln: ln.order)
    for lane in lanes:
        if lane.position_id and lane.position_id not in seen:
            seen[lane.position_id] = lane.position
    return list(seen.values())


def signer_positions(process: Process) -> list[Position]:
    """The lane positions that may sign a letter: the structural officials, who lead a unit
    (org/leadership.py); a Pelaksana is not offered."""
    from kinerja.org.leadership import leading_positions

    positions = lane_positions(process)
    leading = leading_positions(p.pk for p in positions)
    return [p for p in positions if p.pk in leading]


def drafter_position(task: Task | None, by) -> Position | None:
    """The konseptor's position: the task's, else the person's definitive post today."""
    if task is not None and task.position_id:
        return task.position
    person = getattr(by, "person", None) if by is not None else None
    if person is None:
        return None
    assignment = (
        Assignment.objects.on(timezone.localdate())
        .filter(person=person, kind=Assignment.Kind.DEFINITIVE)
        .select_related("position")
        .first()
    )
    return assignment.position if assignment else None


def superiors(position: Position) -> list[Position]:
    """The positions above `position`, nearest first (a few levels: one query each)."""
    chain, node, seen = [], position.superior, {position.pk}
    while node is not None and node.pk not in seen:
        chain.append(node)
        seen.add(node.pk)
        node = node.superior
    return chain


def paraf_chain(drafter: Position | None, signer: Position | None) -> list[Position]:
    """Who initials between the konseptor and the signer, from the bottom up.

    When the signer is not above the drafter, the chain ends below the signer's
    own superiors (nobody above the signer initials their letter).
    """
    if drafter is None or signer is None or drafter.pk == signer.pk:
        return []
    above = superiors(drafter)
    ids = [p.pk for p in above]
    if signer.pk in ids:
        return above[: ids.index(signer.pk)]
    over_signer = {p.pk for p in superiors(signer)}
    return [p for p in above if p.pk not in over_signer]


def _bare(position_text: str) -> str:
    for prefix in ("Plt. ", "Plh. "):
        if position_text.startswith(prefix):
            return position_text[len(prefix) :]
    return position_text


def paraf_rows(
    process: Process, document_type: DocumentType | None, chain: list[Position], day: dt.date
) -> list[letters.Paraf]:
    """The paraf table: each position of the chain, marked done where its Paraf is recorded."""
    done: dict[str, ParafRecord] = {}
    if document_type is not None:
        documents = ProcessDocument.objects.filter(process=process).standing_for(
            [document_type.canonical_id]
        )
        for record in ParafRecord.objects.filter(version__document__in=documents).order_by("at"):
            done.setdefault(_bare(record.position), record)
    rows = []
    for position in chain:
        record = done.get(position.name)
        if record is not None:
            rows.append(letters.Paraf(position.name, record.name, record.at))
        else:
            holder = resolve_holder(position, day)
            rows.append(letters.Paraf(position.name, holder.person.name if holder.person else ""))
    return rows


def _shows_nip(position: Position, acting_kind: str) -> bool:
    """Whether the rank and NIP go under the name (Permendagri 1/2023, Pasal 44).

    Ayat (3): every signer other than the Kepala Daerah, the Wakil and the Sekretaris
    Daerah writes the NIP and the pangkat/golongan, a Plt. or Plh. of a Kepala Bagian
    too; ayat (4): not whoever acts for the Kepala Daerah (the top of the tree); ayat
    (5): not a Pj. or Plh. of the Sekretaris Daerah (directly under the Kepala Daerah).
    A Plt. Sekretaris Daerah is named in neither exception, so writes them.
    """
    if position.superior_id is None:
        return False
    if position.superior.superior_id is None:
        return acting_kind == "plt"
    return True


def signature_for(
    position: Position, day: dt.date, *, on_behalf_of: str = "", via: str = ""
) -> tuple:
    """(SignatureBlock, Person) of whoever signs in `position` on `day`."""
    from .signature_block import build_signature_block

    holder = resolve_holder(position, day)
    person: Person | None = holder.person
    if person is None:
        raise DomainError(
            _("Nobody holds the position of %(position)s on %(day)s; choose another signer.")
            % {"position": position.name, "day": day.strftime("%d-%m-%Y")},
            field="signer",
        )
    shows = _shows_nip(position, holder.acting_kind)
    block = build_signature_block(
        signer_name=person.name,
        signer_position=position.name,
        signer_rank=person.rank if shows else "",
        signer_nip=(person.nip or "") if shows else "",
        acting=holder.acting_kind,
        on_behalf_of=on_behalf_of,
        via=via,
    )
    return block, person


# --- the letterhead and the texts ------------------------------------------------------------


def letterhead_for(process: Process) -> letters.Letterhead:
    """The kop: the government (the root of the unit tree) with its lambang daerah, and the
    perangkat daerah below it with its address, telephone, e-mail and website.

    Only the letterhead fields the perangkat daerah has set replace the placeholders, so an
    installation that has set none still prints a whole kop.
    """
    chain = process.unit.ancestors()
    head = letters.Letterhead()
    if chain:
        head.government = chain[0].name.upper()
        head.emblem = bytes(chain[0].emblem) if chain[0].emblem else None
    if len(chain) > 1:
        unit = chain[1]
        head.unit = _without_region(unit.name, chain[0].name).upper()
        if any((unit.address, unit.telephone, unit.email, unit.website)):
            head.address = unit.address
            head.telephone = unit.telephone
            head.email = unit.email
            head.website = unit.website
    return head


def _without_region(unit: str, government: str) -> str:
    """ "Sekretariat Daerah Kota Banjarbaru" under "Pemerintah Kota Banjarbaru" is printed
    "SEKRETARIAT DAERAH": the line above already names the region (Permendagri 1/2023,
    Lampiran, kop naskah dinas of a perangkat daerah)."""
    region = re.sub(r"^pemerintah\s+", "", government.strip(), flags=re.I)
    if region and unit.lower().endswith(" " + region.lower()):
        return unit[: -len(region)].strip()
    return unit


def text_context(process: Process, hal: str) -> dict:
    chain = process.unit.ancestors()
    unit = chain[1].name if len(chain) > 1 else process.unit.name
    return {
        "hal": hal,
        "process_title": process.sop_version.name,
        "year": process.year,
        "unit": unit,
    }


def _texts(kind: str) -> dict[str, str]:
    template = LetterTemplate.objects.filter(kind=kind).first()
    if template is None:
        return dict(letters.DEFAULT_TEXTS[kind])
    return {"opening": template.opening, "closing": template.closing}


# --- form values -------------------------------------------------------------------------------


def initial_values(
    process: Process, kind: str, *, task: Task | None, by, today: dt.date | None = None
) -> dict:
    """What the form shows before the person types: everything the process already knows."""
    today = today or timezone.localdate()
    signer = signing_position(process)
    drafter = drafter_position(task, by)
    values = {
        "date": today.isoformat(),
        "hal": process.title,
        "signer": signer.pk if signer else None,
        "sifat": "Biasa",
        "lampiran": "-",
        "place": place_of(process.unit),
    }
    if kind == LetterTemplate.Kind.SURAT_PENGANTAR:
        values["to"] = [BAPPEDA_HEAD]
        values["receiver_position"] = BAPPEDA_HEAD
        values["items"] = [[_sent_document(process, task), "1 (satu) berkas", "Disampaikan"]]
    else:
        invited = invited_by_step(task, process) if kind == LetterTemplate.Kind.UNDANGAN else None
        if invited:
            values["to"] = [invited[0]]
            values["agenda"] = invited[1]
        else:
            values["to"] = [p.name for p in addressees(process, drafter, signer)]
    if kind == LetterTemplate.Kind.NOTA_DINAS and signer is not None:
        values["sender"] = signer.name
    return values


# How the SOPs abbreviate positions in a step's text, written out as a letter writes them.
ABBREVIATIONS = {
    "kabag": "Kepala Bagian",
    "kasubbag": "Kepala Sub Bagian",
    "sekda": "Sekretaris Daerah",
    "asisten": "Asisten",
}
# "Mengundang Seluruh Kabag dan Kasubbag untuk rapat pembahasan Dokumen Renja"
_INVITES = re.compile(r"^\s*mengundang\s+(?P<who>.+?)\s+untuk\s+(?P<what>.+?)\s*\.?\s*$", re.I)


def invited_by_step(task: Task | None, process: Process) -> tuple[str, str] | None:
    """(addressee, agenda) when the step's own text says whom it invites and for what.

    SOP-015 step 3, "Mengundang Seluruh Kabag dan Kasubbag untuk rapat pembahasan Dokumen
    Renja", invites "Seluruh Kepala Bagian dan Kepala Sub Bagian di Lingkungan Sekretariat
    Daerah Kota Banjarbaru" to "Rapat pembahasan Dokumen Renja". None when the text says
    neither (the SOP's officials are then the addressees).
    """
    if task is None:
        return None
    match = _INVITES.match(task.step.activity or "")
    if match is None:
        return None
    words = [ABBREVIATIONS.get(word.lower(), word) for word in match["who"].split()]
    who = " ".join(words)
    who = who[0].upper() + who[1:]
    chain = process.unit.ancestors()
    if len(chain) > 1:
        who = f"{who} di Lingkungan {chain[1].name}"
    what = match["what"]
    return who, what[0].upper() + what[1:]


def addressees(process: Process, drafter, signer) -> list[Position]:
    """The SOP's officials below the signer, other than the drafter: who the letter goes to."""
    if signer is None:
        return []
    skip = {signer.pk, drafter.pk if drafter else None}
    skip |= {p.pk for p in superiors(signer)}
    return [p for p in lane_positions(process) if p.pk not in skip]


def _sent_document(process: Process, task: Task | None) -> str:
    if task is not None:
        inputs = graph_for(process.sop_version).by_pk[task.step_id].inputs
        if inputs:
            # Read now: the step graph is cached, a family may have changed since.
            sent = DocumentType.objects.select_related("same_as").get(pk=inputs[0].pk)
            if (sent.same_as or sent).final_title:
                # The document as it goes out: "Rencana Kerja ... Tahun 2027", not its stage.
                unit = Unit.organisation_of(process.unit_id).name
                return sent.final_name(year=process.year, unit=unit)
            return f"{sent.name} Tahun {process.year}"
    return process.title


def parse_items(text: str) -> list[list[str]]:
    """Rows 'document | quantity | remarks', one a line; DomainError names a bad line."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 3:
            raise DomainError(
                _("Line %(n)d has more than three parts; write “document | quantity | remarks”.")
                % {"n": number},
                field="items",
            )
        parts += [""] * (3 - len(parts))
        if not parts[0]:
            raise DomainError(
                _("Line %(n)d names no document; write “document | quantity | remarks”.")
                % {"n": number},
                field="items",
            )
        rows.append(parts)
    if not rows:
        raise DomainError(
            _("List at least one document sent: “document | quantity | remarks”."), field="items"
        )
    return rows


def items_text(rows: list[list[str]]) -> str:
    return "\n".join(" | ".join(part for part in row if part is not None) for row in rows)


def build_letter(
    process: Process,
    kind: str,
    values: dict,
    *,
    task: Task | None,
    by,
    document_type: DocumentType | None = None,
) -> letters.Letter:
    """The Letter of `kind` from the form `values` (see initial_values), defaults filled."""
    if kind not in letters.LETTER_KINDS:
        raise DomainError(_("“%(kind)s” is not a kind of letter.") % {"kind": kind}, field="kind")
    day = values.get("date") or timezone.localdate()
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    hal = (values.get("hal") or "").strip() or process.title
    signer = values.get("signer")
    if signer is not None and not isinstance(signer, Position):
        signer = Position.objects.select_related("superior").filter(pk=signer).first()
    signer = signer or signing_position(process)
    if signer is None:
        raise DomainError(_("Choose who signs the letter."), field="signer")
    if values.get("signer") is not None and signer not in signer_positions(process):
        raise DomainError(
            _(
                "%(position)s does not sign letters of this process: choose one of its "
                "officials who leads a unit."
            )
            % {"position": signer.name},
            field="signer",
        )
    block, _person = signature_for(
        signer,
        day,
        on_behalf_of=(values.get("on_behalf_of") or "").strip(),
        via=(values.get("via") or "").strip(),
    )
    chain = paraf_chain(drafter_position(task, by), signer)
    texts = letters.render_texts(_texts(kind), text_context(process, hal))
    letter = letters.Letter(
        kind=kind,
        number=(values.get("number") or "").strip(),
        date=day,
        hal=hal,
        to=_lines(values.get("to")),
        place=(values.get("place") or "").strip() or place_of(process.unit),
        sender=(values.get("sender") or "").strip() or signer.name,
        tembusan=_lines(values.get("tembusan")),
        sifat=(values.get("sifat") or "Biasa").strip(),
        lampiran=(values.get("lampiran") or "-").strip(),
        body=values.get("body") or "",
        opening=texts.get("opening", ""),
        closing=texts.get("closing", ""),
        signature=block,
        paraf=paraf_rows(process, document_type, chain, day),
        letterhead=letterhead_for(process),
    )
    if kind == LetterTemplate.Kind.UNDANGAN:
        letter.meeting = letters.MeetingDetails(
            day_date=(values.get("day_date") or "").strip(),
            time=(values.get("time") or "").strip(),
            place=(values.get("meeting_place") or "").strip(),
            agenda=(values.get("agenda") or "").strip(),
        )
    if kind == LetterTemplate.Kind.SURAT_PENGANTAR:
        rows = values.get("items") or []
        if isinstance(rows, str):
            rows = parse_items(rows)
        letter.items = [letters.CoverItem(*row[:3]) for row in rows]
        letter.receiver = letters.Receiver(
            position=(values.get("receiver_position") or "").strip(),
            name=(values.get("receiver_name") or "").strip(),
            nip=(values.get("receiver_nip") or "").strip(),
        )
    return letter


def _lines(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    return [line.strip() for line in value if line and line.strip()]
