"""Pages of the document registers: documents, the archive register, the letter-number books,
and the verification of a signed document (also the public page its QR code opens).

Reads come from kinerja.documents.selectors, narrowed to what the person may read by
kinerja.documents.permissions inside each list's query (final documents for everyone, the
rest for those who may read their process; the numbering books of one's own unit, the
units one leads and those delegated to one's unit); writes go through one service call
(actions.take_number / actions.cancel_number): a DomainError is shown next to its field or
as a message, PermissionDenied is the 403 page. Filters are GET parameters; a bad
value is ignored and named above the list.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kinerja import actions
from kinerja.core.errors import DomainError
from kinerja.documents import export, letter_filling, permissions, selectors, verification
from kinerja.documents.models import ArchiveClassification, LetterNumber, NumberingBook
from kinerja.org.models import Assignment, Unit
from kinerja.sop.models import DocumentType, Sop, SopSignature
from kinerja.workflow.permissions import read_scope, readable_among

from . import register_forms as forms
from . import sop_approval_views
from .listing import page_for, pager_query

# The units an administrator's book list offers at most (see _book_choice).
ADMIN_BOOK_CHOICES = 300

# --- documents -----------------------------------------------------------------------------


@login_required
def documents(request):
    """Dokumen: every version of every process document, newest first, with filters."""
    form = forms.DocumentFilterForm(
        request.GET or None,
        sops=Sop.objects.order_by("number").only("pk", "slug", "number"),
        document_types=DocumentType.objects.filter(same_as__isnull=True).order_by("name"),
    )
    scope = read_scope(request.user)
    versions = permissions.visible_versions(scope, selectors.document_versions(form.filters()))
    page = page_for(request, versions)
    context = {
        "page": page,
        # A final version of a process the user may not read is listed without its link.
        "readable": readable_among(scope, [v.document.process_id for v in page.object_list]),
        "form": form,
        "ignored": form.ignored(),
        "query": pager_query(request),
    }
    return render(request, "web/documents/document_list.html", context)


# --- archive register ----------------------------------------------------------------------


def _archive_form(request) -> forms.ArchiveFilterForm:
    return forms.ArchiveFilterForm(
        request.GET or None,
        classifications=ArchiveClassification.objects.order_by("code").only("code", "name"),
    )


@login_required
def archive_register(request):
    """Register Arsip: the documents booked and filed, by year and register number."""
    form = _archive_form(request)
    entries = permissions.visible_archive_entries(
        request.user, selectors.archive_register(form.filters())
    )
    page = page_for(request, entries)
    query = pager_query(request)
    context = {
        "page": page,
        "form": form,
        "ignored": form.ignored(),
        "query": query,
        "export_url": reverse("web:archive-export") + (f"?{query}" if query else ""),
    }
    return render(request, "web/documents/archive_register.html", context)


@login_required
def archive_export(request):
    """The register as XLSX, with the filters of the page."""
    filters = _archive_form(request).filters()
    scope = read_scope(request.user)
    return FileResponse(
        export.archive_register_file(
            filters, scope=lambda entries: permissions.visible_archive_entries(scope, entries)
        ),
        as_attachment=True,
        filename=export.export_filename(filters),
        content_type=export.CONTENT_TYPE,
    )


# --- letter numbers ------------------------------------------------------------------------


def _own_unit(user) -> Unit | None:
    """The unit of the user's position today: the book a clerk opens the page for."""
    assignment = (
        Assignment.objects.on(timezone.localdate())
        .filter(person__user=user)
        .select_related("position__unit")
        .order_by("-start")
        .first()
    )
    return assignment.position.unit if assignment else None


def _book_choice(request) -> tuple[forms.BookChoiceForm, Unit | None, int, list[Unit]]:
    """The book the page shows: the one asked for (?unit=&year=), else the user's own.

    Only the books the user may read are offered; asking for another is 404.
    """
    year = forms.BookChoiceForm(request.GET or None).valid_data().get("year")
    year = year or timezone.localdate().year
    readable = permissions.readable_book_units(request.user, year)
    choices = Unit.objects.order_by("name").only("pk", "code", "name", "short_name")
    if readable is not None:
        units = list(choices.filter(pk__in=readable))
    else:
        # An administrator reads every book of every government in the database: the list
        # offers the units that keep a book that year, at most ADMIN_BOOK_CHOICES of them,
        # and the one asked for by its code (a link, or the address).
        keeping = choices.filter(
            pk__in=NumberingBook.objects.filter(year=year).values("unit_id").order_by()
        )
        units = list(keeping[:ADMIN_BOOK_CHOICES])
        asked_code = request.GET.get("unit", "")
        if asked_code and asked_code not in {u.code for u in units}:
            units += list(choices.filter(code=asked_code))
    form = forms.BookChoiceForm(request.GET or None, units=units)
    data = form.valid_data()
    by_code = {u.code: u for u in units}
    unit = by_code.get(data.get("unit") or "")
    asked = request.GET.get("unit", "")
    if unit is None and asked and Unit.objects.filter(code=asked).exists():
        # A book the user may not read is 404, as on every page of a thing one may not see.
        raise Http404("book")
    if unit is None:
        unit = _own_unit(request.user)
        if unit is not None:
            # The book the clerk's letters are numbered in: their Bagian's, when it keeps one.
            unit = selectors.numbering_unit(unit)
        elif readable is None:
            # The first unit that keeps a book that year (not the newest of every book in
            # the database: a sort of hundreds of thousands).
            unit = units[0] if units else None
        else:
            unit = units[0] if units else None
    if not form.is_bound:
        # The filter shows the book the page lists, not the first unit of the list.
        form = forms.BookChoiceForm(
            initial={"unit": unit.code if unit else "", "year": year}, units=units
        )
    return form, unit, year, units


def _numbering_page(request, *, take_form=None, status=200):
    form, unit, year, _units = _book_choice(request)
    book = selectors.numbering_book(unit, year) if unit else None
    numbers = (
        selectors.letter_numbers(book, text=form.valid_data().get("q") or "", use=False)
        if book
        else LetterNumber.objects.none()
    )
    page = page_for(request, numbers)
    page.object_list = selectors.page_with_use(page.object_list)
    # Once for the page's book, not per row: the cancel form is shown exactly when the
    # service would cancel (its rights, and nothing final, filed or sent carries it).
    allowed = permissions.numbering_units(request.user, year)
    in_book = unit is not None and (allowed is None or selectors.numbering_unit(unit).pk in allowed)
    readable = readable_among(
        request.user, [n.process_id for n in page.object_list if n.process_id]
    )
    for number in page.object_list:
        number.may_cancel = permissions.offers_cancel(request.user, number, in_book=in_book)
        number.process_readable = number.process_id in readable
    may_take = permissions.may_take_number(request.user) and in_book
    if may_take and take_form is None and unit is not None:
        take_form = forms.TakeNumberForm(initial={"unit": unit.code, "year": year})
    context = {
        "form": form,
        "unit": unit,
        "year": year,
        "book": book,
        "page": page,
        "query": pager_query(request),
        "take_form": take_form if may_take else None,
        "ignored": form.ignored(),
    }
    return render(request, "web/documents/numbering.html", context, status=status)


@login_required
def numbering_book(request):
    """Buku Nomor Surat: the numbers of a unit's book for a year, cancelled ones struck through."""
    return _numbering_page(request)


def _book_url(unit_code: str, year) -> str:
    return reverse("web:numbering") + "?" + urlencode({"unit": unit_code, "year": year})


@login_required
@require_POST
def numbering_take(request):
    if not permissions.may_take_number(request.user):
        raise PermissionDenied(_("You may not take letter numbers."))
    form = forms.TakeNumberForm(request.POST)
    if form.is_valid():
        unit = Unit.objects.filter(code=form.cleaned_data["unit"]).first()
        if unit is None:
            form.add_error(None, _("There is no such unit."))
        else:
            try:
                number = actions.take_number(
                    unit=unit,
                    year=form.cleaned_data["year"],
                    classification=form.cleaned_data["classification"],
                    subject=form.cleaned_data["subject"],
                    addressee=form.cleaned_data["addressee"],
                    by=request.user,
                )
            # Another unit's book is PermissionDenied: the 403 page with its message (the
            # page offers only the books one numbers in).
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(
                    request, _("Number %(number)s is yours.") % {"number": number.number}
                )
                return redirect(_book_url(number.book.unit.code, number.book.year))
    # Show the book again with the form and its errors (the book of the form's unit/year).
    request.GET = request.GET.copy()
    request.GET.update({"unit": request.POST.get("unit", ""), "year": request.POST.get("year", "")})
    return _numbering_page(request, take_form=form, status=422)


@login_required
@require_POST
def numbering_cancel(request, pk):
    number = get_object_or_404(LetterNumber.objects.select_related("book__unit"), pk=pk)
    form = forms.CancelNumberForm(request.POST)
    back = _book_url(number.book.unit.code, number.book.year)
    if not form.is_valid():
        messages.error(request, _("The reason is too long."))
        return redirect(back)
    readable = permissions.readable_book_units(request.user, number.book.year)
    if readable is not None and number.book.unit_id not in readable:
        raise Http404("number")
    try:
        actions.cancel_number(number=number, by=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, f"{number.number}: {exc.message}")
    else:
        messages.success(request, _("Number %(number)s is cancelled.") % {"number": number.number})
    return redirect(back)


# --- verification --------------------------------------------------------------------------


def _check(request, *, require_pdf: bool):
    if request.method != "POST":
        return forms.VerifyForm(), None
    form = forms.VerifyForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        try:
            result = verification.check_file(form.cleaned_data["file"], require_pdf=require_pdf)
        except DomainError as exc:
            form.add_error("file" if exc.field == "file" else None, exc.message)
    return form, result


@login_required
@require_http_methods(["GET", "POST"])
def document_verify(request):
    """Upload a PDF: are its signatures intact and trusted, and is it a version on record?"""
    form, result = _check(request, require_pdf=True)
    if result is not None:
        # Name only the versions the user may know of (final ones, their processes').
        result.matches = permissions.visible_matches(result.matches, request.user)
    status = 422 if form.errors else 200
    return render(
        request,
        "web/documents/verify.html",
        {"form": form, "result": result},
        status=status,
    )


class _SignerLine:
    """A signature as the QR page says it: who, as what, when (as the stamp writes the time),
    and whether it is the signature whose QR code opened the page."""

    def __init__(self, signature, *, this: bool) -> None:
        from kinerja.documents.signing import format_signed_at
        from kinerja.org.nip import format_nip

        self.signature = signature
        self.this = this
        self.position = signature.position  # with Plt./Plh. already (review.position_title)
        self.nip = format_nip(signature.nip) if signature.nip else ""
        self.when = format_signed_at(signature.signed_at)


@require_http_methods(["GET", "POST"])
def document_check(request, public_id):
    """The page a signature's QR code opens, for anyone (no login): the version's record.

    It shows what is needed to verify the document and nothing else of the process:
    the document, the process title, the version, its SHA-256 and the signatures
    recorded. A visitor may upload the file they hold to compare.
    """
    version = selectors.version_by_public_id(public_id)
    if version is None and SopSignature.objects.filter(public_id=public_id).exists():
        # The QR code of an SOP approved with a signature (kinerja.actions.sop_approval).
        return sop_approval_views.sop_check(request, public_id)
    if version is None or not permissions.may_see_record(version, request.user):
        # A draft's record is for those who may read its process; for anyone else it is
        # not there, as a code that does not exist.
        raise Http404(_("There is no document with this verification code."))
    form, result = _check(request, require_pdf=False)
    same = other_in_document = None
    if result is not None:
        same = result.sha256 == version.sha256
        if not same:
            # The QR of the first signer stays on the PDF the second signer signs: that file
            # is a later version of the same document, which is worth saying.
            other_in_document = next(
                (
                    v
                    for v in result.matches
                    if v.document_id == version.document_id
                    and permissions.may_see_record(v, request.user)
                ),
                None,
            )
    process = version.document.process
    context = {
        "version": version,
        "document": version.document,
        # The document is named by its final version's title once it has one.
        "final": selectors.later_final(version),
        "process": process,
        "letterhead": letter_filling.letterhead_for(process),
        "signatures": [
            _SignerLine(s, this=s.version_id == version.pk)
            for s in selectors.signatures_of_document(version)
        ],
        "form": form,
        "result": result,
        "same": same,
        "other_in_document": other_in_document,
    }
    status = 422 if form.errors else 200
    return render(request, "web/documents/check.html", context, status=status)
