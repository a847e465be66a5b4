"""The pages' side of kinerja.core.paging: the page a request asks for (?cursor=), a bad
cursor turned into a message above the first page, and the filters the pager keeps."""

from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext as _

from kinerja.core import paging

PAGE_SIZE = 25


def page_for(
    request, queryset, *, order: paging.Order | None = None, size: int | None = None, key_of=None
):
    """The page of `queryset` at the request's cursor (in the queryset's order unless
    `order` is given); a bad cursor: the first page and a
    message saying so (never an error page: a link may be old or cut short)."""
    page = paging.keyset_page(
        queryset,
        order=order,
        cursor=request.GET.get("cursor", ""),
        size=size or PAGE_SIZE,
        lenient=True,
        key_of=key_of,
    )
    if page.error:
        messages.warning(request, f"{page.error} {_('The list is shown from its first page.')}")
    return page


def pager_query(request) -> str:
    """The query string of the filters, without the page's own place (cursor, old page=)."""
    return paging.query_without(request)
