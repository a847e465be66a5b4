"""A small generator for the tests of the drafts at the SOP step (the real PK, LKjIP and
Renja generators are built beside this; the lead runs these tests with them too).

It reads the same data the real ones read (the year's PKs and the capaian table) and
returns a real PDF and DOCX made with the shared typesetting, with its contents as
sections, so a second draft after a realisasi changed lists that change."""

from __future__ import annotations

from django.db.models import Max
from django.utils.html import escape

from kinerja.core.errors import DomainError
from kinerja.performance import selectors
from kinerja.performance.models import AgreementTarget, PerformanceAgreement, Realisasi
from kinerja.performance.reports import Report, Section, typeset
from kinerja.performance.reports.checklist import renstra_for


def _text(value) -> str:
    return "" if value is None else str(value)


def generate(*, process, by, now, options) -> Report:
    renstra = renstra_for(process)
    year = process.year
    agreements = (
        list(
            PerformanceAgreement.objects.filter(renstra=renstra, year=year)
            .exclude(status=PerformanceAgreement.Status.SUPERSEDED)
            .select_related("position")
        )
        if renstra is not None
        else []
    )
    if not agreements:
        raise DomainError(f"No PK of {year} is drafted yet.")
    promised = AgreementTarget.objects.filter(agreement__in=agreements).select_related(
        "indicator", "agreement__position"
    )
    pk_rows = {
        f"{t.agreement.position.code}/{t.indicator.code}": (
            t.agreement.position.name,
            t.indicator.name,
            str(t.as_target()),
        )
        for t in promised
    }
    capaian_rows = {
        row.indicator.code: (
            row.indicator.name,
            _text(row.target),
            *(_text(q) for q in row.quarters),
            _text(row.result.percent),
        )
        for row in selectors.capaian_table(renstra, year)
    }
    sections = (
        Section("pk", "Perjanjian Kinerja", pk_rows),
        Section("capaian", "Capaian", capaian_rows),
    )
    body = "".join(
        f"<h1>{escape(s.title)} Tahun {year}</h1><table><tbody>"
        + "".join(
            "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in (k, *vals)) + "</tr>"
            for k, vals in s.rows.items()
        )
        + "</tbody></table>"
        for s in sections
    )
    title = f"Perjanjian Kinerja Tahun {year}"
    rendered = typeset.render_pdf(typeset.html_page(body, title=title))
    word = typeset.DocxBuilder()
    for s in sections:
        word.heading(f"{s.title} Tahun {year}", 1)
        word.table([["Baris", "Nilai"]], [[k, " · ".join(v)] for k, v in s.rows.items()])
    data_at = Realisasi.objects.filter(indicator__objective__renstra=renstra, year=year).aggregate(
        at=Max("updated_at")
    )["at"]
    return Report(
        kind="pk",
        title=title,
        stem=f"Draft PK {year}",
        pdf=rendered.pdf,
        docx=word.bytes(),
        source={
            "period": f"Tahun {year}",
            "agreements": [a.pk for a in agreements],
            "pk_revision": max(a.revision for a in agreements),
            "data_at": (data_at or now).isoformat(),
        },
        sections=sections,
        pages=rendered.pages,
    )
