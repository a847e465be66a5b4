"""Keyset pages: a fixed number of queries whatever the list's length, every row once in
order though sort keys tie, a bounded count, and cursors that cannot be forged."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import CharField, Value
from django.utils import timezone, translation

from kinerja.core import paging
from kinerja.core.paging import Order, PagingError, keyset_page, offset_page

pytestmark = pytest.mark.django_db

User = get_user_model()
START = dt.datetime(2026, 2, 3, 10, 0, tzinfo=dt.UTC)
ORDER = Order("-date_joined", "-pk")


def _users(n: int, *, first: int = 0) -> None:
    """n users joined at only 3 moments: the primary key alone orders most of them."""
    User.objects.bulk_create(
        User(username=f"u{i}", date_joined=START + dt.timedelta(minutes=i % 3))
        for i in range(first, first + n)
    )


def _expected() -> list[int]:
    rows = User.objects.all()
    return [u.pk for u in sorted(rows, key=lambda u: (u.date_joined, u.pk), reverse=True)]


def _walk(queryset, *, size, order=ORDER) -> list:
    pages = [keyset_page(queryset, order=order, size=size)]
    while pages[-1].has_next:
        pages.append(keyset_page(queryset, order=order, size=size, cursor=pages[-1].next_cursor))
    return pages


def test_next_cursors_walk_every_row_once_in_order_though_keys_tie():
    _users(47)
    pages = _walk(User.objects.all(), size=10)
    assert [len(p) for p in pages] == [10, 10, 10, 10, 7]
    assert [u.pk for p in pages for u in p] == _expected()
    assert not pages[0].has_previous and pages[1].has_previous


def test_previous_cursors_lead_back_to_the_same_pages():
    _users(35)
    pages = _walk(User.objects.all(), size=10)
    back = pages[-1]
    for page in reversed(pages[:-1]):
        back = keyset_page(User.objects.all(), order=ORDER, size=10, cursor=back.previous_cursor)
        assert [u.pk for u in back] == [u.pk for u in page]
    assert not back.has_previous


def test_a_page_costs_two_queries_whatever_the_length(django_assert_num_queries):
    _users(30)
    first = keyset_page(User.objects.all(), order=ORDER, size=10)
    with django_assert_num_queries(2):
        keyset_page(User.objects.all(), order=ORDER, size=10)
    with django_assert_num_queries(2):
        keyset_page(User.objects.all(), order=ORDER, size=10, cursor=first.next_cursor)
    _users(300, first=30)
    with django_assert_num_queries(2):
        keyset_page(User.objects.all(), order=ORDER, size=10)
    with django_assert_num_queries(2):
        later = keyset_page(User.objects.all(), order=ORDER, size=10, cursor=first.next_cursor)
    # The rows after the first page's last row, wherever the new rows fell.
    after = _expected().index(first.object_list[-1].pk) + 1
    assert [u.pk for u in later] == _expected()[after : after + 10]


def test_the_count_stops_at_its_bound():
    _users(30)
    page = keyset_page(User.objects.all(), order=ORDER, size=10, count_limit=20)
    assert (page.count_capped, page.shown_count) == (True, 20)
    with translation.override("id"):
        assert page.count_label == "20+"
    small = keyset_page(User.objects.filter(username__in=["u1", "u2"]), order=ORDER, size=10)
    assert (small.count_capped, small.count_label, small.has_next) == (False, "2", False)


def test_the_count_label_groups_thousands_as_the_language_does():
    page = paging.Page([], 1001, 1000)
    with translation.override("id"):
        assert page.count_label == "1.000+"
    with translation.override("en"):
        assert page.count_label == "1,000+"


def test_the_order_is_read_from_the_queryset_and_closed_by_the_primary_key():
    assert Order.of(User.objects.order_by("-date_joined")).fields == ("-date_joined", "-pk")
    assert Order.of(User.objects.order_by("username", "pk")).fields == ("username", "pk")
    # A unique field needs no primary key after it.
    assert Order.of(Group.objects.order_by("name")).fields == ("name",)


def test_filters_on_the_queryset_are_kept_on_every_page():
    _users(40)
    some = User.objects.filter(date_joined=START + dt.timedelta(minutes=1))
    pages = _walk(some, size=4)
    walked = [u.pk for p in pages for u in p]
    assert walked == sorted(some.values_list("pk", flat=True), reverse=True)
    assert pages[0].count == len(walked)


def test_a_union_pages_by_filtering_each_part():
    _users(12)
    Group.objects.bulk_create(Group(name=f"g{i}") for i in range(12))
    users = User.objects.annotate(source=Value("user", output_field=CharField())).values_list(
        "pk", "username", "source"
    )
    groups = Group.objects.annotate(source=Value("group", output_field=CharField())).values_list(
        "pk", "name", "source"
    )
    both = users.order_by().union(groups.order_by(), all=True)
    order = Order("-pk", "-source")

    def key_of(row):
        return (row[0], row[2])

    pages = [keyset_page(both, order=order, size=5, key_of=key_of)]
    while pages[-1].has_next:
        pages.append(
            keyset_page(both, order=order, size=5, key_of=key_of, cursor=pages[-1].next_cursor)
        )
    walked = [(r[0], r[2]) for p in pages for r in p]
    expected = sorted(
        [(pk, "user") for pk in User.objects.values_list("pk", flat=True)]
        + [(pk, "group") for pk in Group.objects.values_list("pk", flat=True)],
        reverse=True,
    )
    assert walked == expected
    assert pages[0].count == len(expected)


@pytest.mark.parametrize(
    "cursor",
    ["", "bukan", "a:b:c", "x" * 600, "WyJuIiwgWzFdXQ:1vQabc:AAAA"],
)
def test_a_bad_cursor_is_refused_with_a_message(cursor):
    _users(3)
    if not cursor:
        return  # no cursor: the first page, nothing to refuse
    with translation.override("id"), pytest.raises(PagingError) as refused:
        keyset_page(User.objects.all(), order=ORDER, size=2, cursor=cursor)
    assert refused.value.field == "cursor"
    assert "Tautan ke halaman daftar ini tidak berlaku" in refused.value.message


def test_a_cursor_of_another_order_or_with_other_values_is_refused():
    _users(5)
    cursor = keyset_page(User.objects.all(), order=ORDER, size=2).next_cursor
    with pytest.raises(PagingError):
        keyset_page(User.objects.all(), order=Order("username", "pk"), size=2, cursor=cursor)
    # Values of the wrong shape under a valid signature: still refused, not a traceback.
    forged = paging.encode_cursor(ORDER, ["bukan tanggal", 1], direction=paging.NEXT)
    with pytest.raises(PagingError):
        keyset_page(User.objects.all(), order=ORDER, size=2, cursor=forged)
    forged = paging.encode_cursor(ORDER, [None, 1], direction=paging.NEXT)
    with pytest.raises(PagingError):
        keyset_page(User.objects.all(), order=ORDER, size=2, cursor=forged)


def test_lenient_pages_show_the_first_page_with_the_message():
    _users(5)
    page = keyset_page(User.objects.all(), order=ORDER, size=2, cursor="bukan", lenient=True)
    assert [u.pk for u in page] == _expected()[:2]
    assert page.error and not page.has_previous


def test_a_cursor_past_rows_removed_meanwhile_still_answers():
    _users(6)
    first = keyset_page(User.objects.all(), order=ORDER, size=3)
    User.objects.filter(pk__in=_expected()[3:]).delete()
    after = keyset_page(User.objects.all(), order=ORDER, size=3, cursor=first.next_cursor)
    assert list(after) == [] and after.has_previous and not after.has_next
    back = keyset_page(User.objects.all(), order=ORDER, size=3, cursor=after.previous_cursor)
    assert [u.pk for u in back] == _expected()[:3]


def test_page_numbers_reach_only_the_counted_rows():
    _users(25)
    third = offset_page(User.objects.all(), order=ORDER, page=3, size=5, count_limit=20)
    assert [u.pk for u in third] == _expected()[10:15]
    following = keyset_page(User.objects.all(), order=ORDER, size=5, cursor=third.next_cursor)
    assert [u.pk for u in following] == _expected()[15:20]
    with translation.override("en"), pytest.raises(PagingError) as refused:
        offset_page(User.objects.all(), order=ORDER, page=5, size=5, count_limit=20)
    assert refused.value.field == "page"
    assert "follow the `next` cursor" in refused.value.message


def test_moments_in_another_time_zone_keep_their_place():
    _users(9)
    with timezone.override("Asia/Makassar"):
        pages = _walk(User.objects.all(), size=4)
    assert [u.pk for p in pages for u in p] == _expected()
