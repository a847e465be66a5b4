"""The SOP evaluation form as a PDF (a read: the pages and the API call it directly)."""

from .models import SopEvaluation


def render_pdf(evaluation: SopEvaluation) -> bytes:
    """The evaluation form as a PDF (A4 portrait, the shipped fonts), in the official look:
    the unit's heading and lambang, the SOP's identity, the seven criteria with Ya/Tidak
    and notes, the overall notes, the conclusion and the evaluator's signature block."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from kinerja.org.places import place_of

    from .render import STATIC_DIR, _weasy_lock, _weasy_resources, date_id, emblem_url

    version = evaluation.version
    html = render_to_string(
        "sop/evaluation_pdf.html",
        {
            "evaluation": evaluation,
            "version": version,
            "sop": version.sop,
            "rows": evaluation.rows(),
            "header_lines": [line for line in version.unit_header.splitlines() if line.strip()],
            "logo_url": emblem_url(version),
            "place": place_of(version.sop.unit),
            "date": date_id(evaluation.evaluated_on),
            "effective": date_id(version.effective_on),
            "conclusion": CONCLUSION_TEXT[evaluation.conclusion],
            "revision_finding": evaluation.revision_finding,
        },
    )
    with _weasy_lock:
        _css, font_config = _weasy_resources()
        return HTML(string=html, base_url=str(STATIC_DIR) + "/").write_pdf(font_config=font_config)


# The conclusion as the official form prints it (Indonesian, as the SOP AP document).
CONCLUSION_TEXT = {
    SopEvaluation.Conclusion.KEEP: "SOP masih layak diterapkan tanpa perubahan",
    SopEvaluation.Conclusion.REVISE: "SOP perlu direvisi",
}
