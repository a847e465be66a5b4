"""The approval panel of an SOP version (web/_sop_approval_panel.html): its state, what the
user may do now (submit, approve, return) and its history, from kinerja.sop.permissions.

A tag, so that any page that includes the panel with `version` and `request` (the SOP's
page, the editor) shows the same panel without preparing its context.
"""

from django import template

from kinerja.documents import signing
from kinerja.sop import permissions
from kinerja.sop.approval import blocking_message, history, signature_of
from kinerja.sop.models import SopVersion

register = template.Library()


@register.inclusion_tag("web/_sop_approval_panel_body.html", takes_context=True)
def sop_approval_panel(context, version: SopVersion) -> dict:
    request = context["request"]
    user = request.user
    submitted = version.status == SopVersion.Status.SUBMITTED
    draft = version.status == SopVersion.Status.DRAFT
    may_submit = draft and permissions.may_submit(user, version)
    may_decide = submitted and permissions.may_approve(user, version)
    events = history(version)
    last = events[-1] if events else None
    blocking = ""
    if may_submit:
        # The linter's word before the button: submitting is refused while anything blocks.
        blocking = blocking_message(SopVersion.objects.with_content().get(pk=version.pk)) or ""
    return {
        "version": version,
        "sop": version.sop,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path(),
        "draft": draft,
        "submitted": submitted,
        "may_submit": may_submit,
        "may_decide": may_decide,
        "blocking": blocking,
        "approvers": permissions.approvers_of(version) if (draft or submitted) else [],
        "events": events,
        "returned": last if (draft and last is not None and last.action == "returned") else None,
        "signature": signature_of(version),
        "asks_for_nik": may_decide
        and getattr(signing.backend_class(), "asks_for_nik_and_passphrase", False),
    }
