"""Lupa kata sandi: the Pelaksana asks for a link by e-mail and chooses a new password."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "sandi-baru-yang-panjang-2026"


@pytest.fixture(autouse=True)
def _fresh_limit():
    cache.clear()  # the hourly count of each address lives in the cache
    yield
    cache.clear()


@pytest.fixture
def pelaksana_with_mail(pelaksana):
    pelaksana.email = "pelaksana@banjarbarukota.go.id"
    pelaksana.save(update_fields=["email"])
    return pelaksana


def test_the_login_page_offers_lupa_kata_sandi(client):
    html = client.get(reverse("login")).content.decode()
    assert "Lupa kata sandi?" in html
    assert reverse("password_reset") in html


def test_forgot_password_mails_a_link_that_sets_a_new_password(
    client, pelaksana_with_mail, mailoutbox
):
    response = client.post(reverse("password_reset"), {"email": pelaksana_with_mail.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert "Periksa surel Anda" in client.get(response["Location"]).content.decode()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [pelaksana_with_mail.email]
    assert mail.subject == "Kinerja: buat kata sandi baru"
    link = re.search(r"http://testserver(/reset/\S+/)", mail.body).group(1)
    form = client.get(link, follow=True)
    assert "Buat kata sandi baru" in form.content.decode()
    url = form.redirect_chain[-1][0]
    response = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("password_reset_complete")
    pelaksana_with_mail.refresh_from_db()
    assert pelaksana_with_mail.check_password(NEW_PASSWORD)
    # The link is for one use.
    assert "sudah tidak berlaku" in client.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, pelaksana, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "siapa@contoh.go.id"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


def test_too_many_resets_from_one_address_are_refused_with_a_message(
    client, pelaksana_with_mail, mailoutbox, settings
):
    settings.PASSWORD_RESET_PER_HOUR = 2
    for _ in range(2):
        client.post(reverse("password_reset"), {"email": pelaksana_with_mail.email})
    response = client.post(reverse("password_reset"), {"email": pelaksana_with_mail.email})
    assert response.status_code == 429
    assert "Terlalu banyak permintaan atur ulang kata sandi" in response.content.decode()
    assert len(mailoutbox) == 2
