"""The counts in the navigation: tasks waiting for the person and unread notices.

Two indexed COUNT queries per page (task_inbox / the notification indexes of the tasks'
and the realisasi notices, counted in one), made
once per request however often the tag is used. Each counts at most BADGE_LIMIT + 1 rows
(kinerja.core.paging.bounded_count): a badge says "99+", and a person with thousands of
unread notices does not pay for counting them on every page.
"""

from django import template
from django.utils import timezone

from kinerja.core.paging import bounded_count
from kinerja.org.models import Assignment
from kinerja.performance.models import ReportingNotice
from kinerja.workflow.models import Notification, Task
from kinerja.workflow.permissions import person_of

register = template.Library()

BADGE_LIMIT = 99


def _badge(count: int) -> str:
    return f"{BADGE_LIMIT}+" if count > BADGE_LIMIT else str(count)


@register.simple_tag(takes_context=True)
def nav_counts(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"tasks": 0, "unread": 0, "tasks_label": "0", "unread_label": "0"}
    cached = getattr(request, "_kinerja_nav_counts", None)
    if cached is not None:
        return cached
    person = person_of(user)
    counts = {"tasks": 0, "unread": 0}
    if person is not None:
        counts = {
            "tasks": bounded_count(
                Task.objects.inbox_for(person, on=timezone.localdate()), limit=BADGE_LIMIT
            ),
            # Both kinds of notice, the task's and the realisasi's, in one COUNT.
            "unread": bounded_count(
                Notification.objects.filter(recipient=person, read_at__isnull=True)
                .order_by()
                .values("pk")
                .union(
                    ReportingNotice.objects.filter(recipient=person, read_at__isnull=True)
                    .order_by()
                    .values("pk"),
                    all=True,
                ),
                limit=BADGE_LIMIT,
            ),
        }
    counts["tasks_label"] = _badge(counts["tasks"])
    counts["unread_label"] = _badge(counts["unread"])
    request._kinerja_nav_counts = counts
    return counts


@register.simple_tag(takes_context=True)
def nav_person(context) -> dict:
    """The logged-in person's name and the positions they hold today ("Plt. Kepala Bagian
    Umum"), shown beside the name in the header: one query per page, none when logged out."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"name": "", "positions": []}
    cached = getattr(request, "_kinerja_nav_person", None)
    if cached is not None:
        return cached
    person = person_of(user)
    positions: list[str] = []
    if person is not None:
        for kind, name in (
            Assignment.objects.on(timezone.localdate())
            .filter(person=person)
            .order_by("kind", "position__name")
            .values_list("kind", "position__name")
        ):
            prefix = {Assignment.Kind.PLT: "Plt. ", Assignment.Kind.PLH: "Plh. "}.get(kind, "")
            positions.append(f"{prefix}{name}")
    name = person.name if person else (user.get_full_name() or user.get_username())
    result = {"name": name, "positions": positions}
    request._kinerja_nav_person = result
    return result
