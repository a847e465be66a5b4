"""The log-in page under attack: a crowd of failed log-ins, a reverse proxy, old password hashes.

These tests use the real hasher (Argon2id, bounded), not the fast one of the other tests.
"""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2PasswordHasher
from django.urls import reverse

from kinerja.core.passwords import hashing_slot

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.1.1.1"  # the reverse proxy: every request reaches the server from here
REAL_HASHERS = [
    "kinerja.core.passwords.BoundedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


@pytest.fixture
def real_hasher(settings):
    settings.PASSWORD_HASHERS = REAL_HASHERS


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def log_in(client, username, password, *, via=None, forwarded=None):
    """POST the log-in form; `via`: the address the server sees, `forwarded`: X-Forwarded-For."""
    extra = {"REMOTE_ADDR": via or "127.0.0.1"}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("web:home")


def argon2_parameters(encoded: str) -> str:
    # argon2$argon2id$v=19$m=19456,t=2,p=1$salt$hash
    return encoded.split("$")[3]


def test_the_stored_hash_costs_19_mib_two_passes_one_lane(real_hasher, pelaksana):
    pelaksana.set_password(PASSWORD)
    pelaksana.save()
    assert pelaksana.password.startswith("argon2$argon2id$")
    assert argon2_parameters(pelaksana.password) == "m=19456,t=2,p=1"


def test_a_hash_made_with_djangos_100_mib_parameters_still_logs_in_and_is_stored_again(
    client, real_hasher, pelaksana
):
    old = DjangoArgon2PasswordHasher()
    pelaksana.password = old.encode(PASSWORD, old.salt())
    pelaksana.save(update_fields=["password"])
    assert argon2_parameters(pelaksana.password) == "m=102400,t=2,p=8"

    assert logged_in(log_in(client, "pelaksana", PASSWORD))

    pelaksana.refresh_from_db()
    assert argon2_parameters(pelaksana.password) == "m=19456,t=2,p=1"
    assert pelaksana.check_password(PASSWORD)


def test_a_wrong_password_leaves_an_old_hash_as_it_was(client, real_hasher, pelaksana):
    old = DjangoArgon2PasswordHasher()
    pelaksana.password = before = old.encode(PASSWORD, old.salt())
    pelaksana.save(update_fields=["password"])

    assert not logged_in(log_in(client, "pelaksana", "salah"))

    pelaksana.refresh_from_db()
    assert pelaksana.password == before


def test_a_log_in_that_finds_every_hashing_slot_taken_is_told_to_try_again(
    client, settings, real_hasher, pelaksana
):
    settings.KINERJA_PASSWORD_HASH_CONCURRENCY = 2
    settings.KINERJA_PASSWORD_HASH_WAIT = 0.01
    # Two log-ins are hashing (the slots are taken here); a third does not queue.
    with hashing_slot(), hashing_slot():
        response = log_in(client, "pelaksana", PASSWORD)
        unknown = log_in(client, "orang-baru", "tebakan")

    for answer in (response, unknown):
        assert answer.status_code == 503
        assert answer["Retry-After"] == "1"
        html = answer.content.decode()
        assert "Server sedang memeriksa banyak kata sandi" in html
        assert "coba lagi" in html
    # Nothing was checked, so nothing counts as a failed log-in.
    assert not AccessAttempt.objects.exists()
    assert "_auth_user_id" not in client.session

    # One slot free again: the same log-in goes through.
    with hashing_slot():
        assert logged_in(log_in(client, "pelaksana", PASSWORD))


def test_behind_the_proxy_a_user_is_locked_only_at_the_address_that_failed(
    client, behind_proxy, pelaksana
):
    for _ in range(5):
        log_in(client, "pelaksana", "salah", via=PROXY, forwarded="192.168.5.10")

    locked = log_in(client, "pelaksana", PASSWORD, via=PROXY, forwarded="192.168.5.10")
    assert locked.status_code == 429
    assert "Terlalu banyak" in locked.content.decode()
    # The same person at a colleague's computer, through the same proxy, is not locked.
    assert logged_in(log_in(client, "pelaksana", PASSWORD, via=PROXY, forwarded="192.168.5.11"))


def test_behind_the_proxy_a_forged_forwarded_for_does_not_escape_the_lock(
    client, behind_proxy, pelaksana
):
    # The client writes its own X-Forwarded-For; the proxy appends the real address.
    for n in range(5):
        log_in(client, "pelaksana", "salah", via=PROXY, forwarded=f"172.16.0.{n}, 192.168.5.10")

    locked = log_in(client, "pelaksana", PASSWORD, via=PROXY, forwarded="172.16.9.9, 192.168.5.10")
    assert locked.status_code == 429
    assert AccessAttempt.objects.filter(ip_address="192.168.5.10").exists()
    assert not AccessAttempt.objects.filter(ip_address__startswith="172.16.").exists()


def test_without_a_proxy_count_the_forwarded_for_header_is_ignored(client, pelaksana):
    # No proxy is configured: anyone could send the header, so it proves nothing.
    for n in range(5):
        log_in(client, "pelaksana", "salah", via="192.168.5.10", forwarded=f"172.16.0.{n}")

    locked = log_in(client, "pelaksana", PASSWORD, via="192.168.5.10", forwarded="172.16.9.9")
    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.168.5.10"}


def test_new_usernames_one_after_another_lock_the_address_not_the_known_users(
    client, settings, behind_proxy, pelaksana
):
    for n in range(4):
        response = log_in(client, f"tebakan-{n}", "salah", via=PROXY, forwarded="192.168.5.66")
        assert "Nama pengguna atau kata sandi salah" in response.content.decode()
    # The fifth failure locks the address; the next new name is refused before any hashing.
    assert (
        log_in(client, "tebakan-4", "salah", via=PROXY, forwarded="192.168.5.66").status_code == 429
    )
    settings.KINERJA_PASSWORD_HASH_CONCURRENCY = 1
    settings.KINERJA_PASSWORD_HASH_WAIT = 0.01
    with hashing_slot():  # no slot free: a refusal that hashed would answer 503
        locked = log_in(client, "tebakan-5", "salah", via=PROXY, forwarded="192.168.5.66")
    assert locked.status_code == 429
    assert "Terlalu banyak" in locked.content.decode()
    assert not get_user_model().objects.filter(username__startswith="tebakan").exists()
    # Other computers behind the same proxy are not affected.
    other = log_in(client, "tebakan-6", "salah", via=PROXY, forwarded="192.168.5.67")
    assert other.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in other.content.decode()
    # A real user at the locked address still logs in with the right password.
    assert logged_in(log_in(client, "pelaksana", PASSWORD, via=PROXY, forwarded="192.168.5.66"))
