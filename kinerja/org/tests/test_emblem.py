"""The lambang daerah the administrator uploads: measured as a hostile file, stored as a PNG,
shown in the kop, on the SOP identity page and the login page."""

import io
import struct
import zlib

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from kinerja.core.errors import DomainError
from kinerja.core.models import AuditEvent
from kinerja.org import emblem, services
from kinerja.org.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def picture(kind="PNG", size=(800, 960), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (40, 80, 120)).save(out, format=kind, **save)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` × `height` pixels, with next to no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def test_a_jpeg_is_stored_as_a_small_png_without_its_metadata():
    exif = Image.Exif()
    exif[0x010E] = "secret description"
    png = emblem.clean_emblem(io.BytesIO(picture("JPEG", exif=exif.tobytes())))
    stored = Image.open(io.BytesIO(png))
    assert stored.format == "PNG"
    assert max(stored.size) == emblem.MAX_SIDE
    assert b"secret description" not in png


@pytest.mark.parametrize(
    "content, message",
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "PNG or JPEG"),
        (picture("GIF"), "PNG or JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "damaged"),
        (png_claiming(8000, 100), "8000 × 100 pixels"),
        (png_claiming(60_000, 60_000), "far too many pixels"),
    ],
    ids=["svg", "gif", "damaged-png", "too-wide", "bomb"],
)
def test_a_hostile_emblem_is_refused_with_a_message(content, message):
    with pytest.raises(DomainError) as error:
        emblem.clean_emblem(io.BytesIO(content))
    assert message in error.value.message
    assert error.value.field == "emblem"


def test_an_emblem_over_the_size_cap_is_refused_before_it_is_opened(settings):
    content = picture() + b"\x00" * (emblem.MAX_BYTES + 1)
    with pytest.raises(DomainError, match="larger than 2 MB"):
        emblem.clean_emblem(io.BytesIO(content))


def test_only_the_government_at_the_top_carries_the_lambang(org):
    setda = Unit.objects.get(code="setda")
    with pytest.raises(DomainError, match="top of the tree"):
        services.set_emblem(unit=setda, file=io.BytesIO(picture()), by=None)
    assert not Unit.objects.get(code="setda").emblem


@pytest.fixture
def admin_client(client, org):
    client.force_login(get_user_model().objects.create_superuser("admin", password="x-y-z-123"))
    client.cookies["django_language"] = "en"
    return client


def unit_form(unit: Unit, **extra) -> dict:
    data = {
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "parent": unit.parent_id or "",
        "order": unit.order,
        "address": unit.address,
        "telephone": unit.telephone,
        "email": unit.email,
        "website": unit.website,
    }
    data.update(extra)
    return data


def test_the_administrator_uploads_the_lambang_and_it_shows_on_the_login_page(admin_client, client):
    root = Unit.objects.get(code="pemkot-banjarbaru")
    url = reverse("admin:org_unit_change", args=[root.pk])
    response = admin_client.post(
        url, unit_form(root, emblem_file=SimpleUploadedFile("lambang.jpg", picture("JPEG")))
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    root.refresh_from_db()
    assert Image.open(io.BytesIO(bytes(root.emblem))).format == "PNG"
    assert AuditEvent.objects.filter(action="emblem-set", stream=f"org:unit:{root.pk}").exists()
    admin_client.logout()
    login_page = client.get(reverse("login")).content.decode()
    assert f'class="login-emblem" src="{emblem.data_uri(root.emblem)}"' in login_page


def test_a_bad_upload_in_the_admin_names_the_field_and_keeps_the_old_lambang(admin_client):
    root = Unit.objects.get(code="pemkot-banjarbaru")
    services.save_emblem(unit=root, png=emblem.clean_emblem(io.BytesIO(picture())), by=None)
    before = bytes(Unit.objects.get(pk=root.pk).emblem)
    response = admin_client.post(
        reverse("admin:org_unit_change", args=[root.pk]),
        unit_form(root, emblem_file=SimpleUploadedFile("lambang.svg", b"<svg/>")),
    )
    assert response.status_code == 200
    assert "must be a PNG or JPEG picture" in response.content.decode()
    assert bytes(Unit.objects.get(pk=root.pk).emblem) == before


def test_the_login_page_shows_no_lambang_before_one_is_uploaded(client, org):
    assert "login-emblem" not in client.get(reverse("login")).content.decode()


def test_the_sop_identity_page_shows_the_lambang_in_place_of_the_empty_box(shipped_sops, client):
    from pypdf import PdfReader

    from kinerja.sop import render

    version = shipped_sops["SOP-015/SETDA"]
    assert 'class="sop-logo-placeholder"' in render.render_html(
        version, for_print=False, logo_url=render.emblem_url(version)
    )
    root = Unit.objects.get(code="pemkot-banjarbaru")
    services.save_emblem(unit=root, png=emblem.clean_emblem(io.BytesIO(picture())), by=None)
    root.refresh_from_db()
    client.force_login(get_user_model().objects.create_user("pegawai", password="x-y-z-123"))
    page = client.get(reverse("web:sop-detail", args=[version.sop.slug])).content.decode()
    assert f'<td class="sop-unit__logo"><img src="{emblem.data_uri(root.emblem)}"' in page
    assert "sop-logo-placeholder" not in page
    from kinerja.sop.models import SopVersion

    fresh = SopVersion.objects.with_content().get(pk=version.pk)
    first = PdfReader(io.BytesIO(render.render_pdf(fresh))).pages[0]
    images = [
        o
        for o in first["/Resources"].get("/XObject", {}).values()
        if o.get_object().get("/Subtype") == "/Image"
    ]
    assert images
