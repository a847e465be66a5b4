"""Signing through BSrE eSign (Balai Sertifikasi Elektronik, BSSN).

A certified electronic signature (tanda tangan elektronik tersertifikasi,
PP 71/2019) for a regional government is made by BSrE with the official's
own certificate, unlocked by their NIK and passphrase. An office reaches it
through its eSign client gateway, a REST service with one client account
(HTTP basic auth):

    POST {BSRE_URL}/api/sign/pdf      multipart: file, nik, passphrase,
        tampilan=visible|invisible, image=false, linkQR, page, halaman,
        xAxis, yAxis, width, height, reason, location
        -> 200 with the signed PDF, or JSON {"error": ..., "status_code": ...}
        (some gateways answer {"id_dokumen": ...} and serve the PDF from
        GET /api/sign/download/{id})
    POST {BSRE_URL}/api/sign/verify   multipart: signed_file -> JSON report

The NIK and passphrase travel in the request body only: they are never
stored, logged, or put in an exception (tests check this).
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.utils.translation import gettext as _

from kinerja.core.errors import DomainError

from ..pdf import stamp_placement
from ..stamp import Stamp
from .base import BaseSigningBackend, SignerIdentity

logger = logging.getLogger(__name__)

# Status codes of the BSrE eSign client service seen in its answers.
USER_NOT_REGISTERED = 2011
WRONG_PASSPHRASE = 2031


@dataclass
class BsreBackend(BaseSigningBackend):
    name: ClassVar[str] = "bsre"
    asks_for_nik_and_passphrase: ClassVar[bool] = True
    url: str = ""
    username: str = ""
    password: str = ""
    timeout: float = 30

    @classmethod
    def from_settings(cls) -> BsreBackend:
        return cls(
            url=settings.BSRE_URL,
            username=settings.BSRE_USERNAME,
            password=settings.BSRE_PASSWORD,
            timeout=settings.BSRE_TIMEOUT,
        )

    def sign_pdf(
        self,
        pdf: bytes,
        *,
        identity: SignerIdentity,
        stamp: Stamp,
        reason: str,
        passphrase: str = "",
        nik: str = "",
    ) -> bytes:
        nik = (nik or "").strip()
        if not (len(nik) == 16 and nik.isdigit()):
            raise DomainError(_("The NIK must be 16 digits."), field="nik")
        if not passphrase:
            raise DomainError(
                _("Enter the passphrase of your electronic certificate."), field="passphrase"
            )
        placement = stamp_placement(pdf, stamp.slot)
        llx, lly, urx, ury = placement.box
        fields = {
            "nik": nik,
            "passphrase": passphrase,
            "tampilan": "visible",
            # BSrE draws the QR code of linkQR; no signature image of its own.
            "image": "false",
            "linkQR": stamp.verify_url,
            "page": str(placement.page_number),  # BSrE counts pages from 1
            # Lower-left corner and size in PDF points, origin at the page's lower left.
            "xAxis": str(llx),
            "yAxis": str(lly),
            "width": str(urx - llx),
            "height": str(ury - lly),
            "reason": reason,
            "location": getattr(settings, "KINERJA_SIGNING_LOCATION", ""),
        }
        if placement.page_number == placement.page_count:
            fields["halaman"] = "TERAKHIR"
        secrets = (nik, passphrase)
        status, content_type, body = self._post(
            "/api/sign/pdf", fields, {"file": ("document.pdf", pdf)}, secrets=secrets
        )
        if status == 200 and body.startswith(b"%PDF-"):
            return body
        answer = _json(body)
        if status == 200 and answer and answer.get("id_dokumen") and not answer.get("error"):
            return self._download(str(answer["id_dokumen"]), secrets=secrets)
        raise self._error(status, answer, who=identity.name, secrets=secrets)

    def verify_pdf(self, pdf: bytes) -> dict:
        """BSrE's own verification report of a signed PDF (its JSON, as a dict)."""
        status, _type, body = self._post(
            "/api/sign/verify", {}, {"signed_file": ("document.pdf", pdf)}, secrets=()
        )
        answer = _json(body)
        if status == 200 and answer is not None and not answer.get("error"):
            return answer
        raise self._error(status, answer, who="", secrets=())

    # --- HTTP -------------------------------------------------------------

    def _request(self, path: str, *, data: bytes | None, headers: dict) -> urllib.request.Request:
        if not self.url:
            raise DomainError(_("Signing through BSrE is not configured (BSRE_URL)."))
        if not self.url.lower().startswith(("https://", "http://")):
            raise DomainError(_("BSRE_URL must be an http:// or https:// address."))
        headers = dict(headers)
        if self.username or self.password:
            token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        return urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            self.url.rstrip("/") + path,
            data=data,
            headers=headers,
            method="POST" if data is not None else "GET",
        )

    def _post(self, path: str, fields: dict, files: dict, *, secrets) -> tuple[int, str, bytes]:
        body, content_type = _multipart(fields, files)
        request = self._request(path, data=body, headers={"Content-Type": content_type})
        return self._send(request, path, secrets=secrets)

    def _download(self, document_id: str, *, secrets) -> bytes:
        path = "/api/sign/download/" + urllib.request.quote(document_id, safe="")
        status, _type, body = self._send(
            self._request(path, data=None, headers={}), "/api/sign/download", secrets=secrets
        )
        if status == 200 and body.startswith(b"%PDF-"):
            return body
        raise self._error(status, _json(body), who="", secrets=secrets)

    def _send(self, request, path: str, *, secrets) -> tuple[int, str, bytes]:
        # Only the path and the outcome are logged: never the body, which holds the NIK and passphrase.
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                result = response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as exc:
            try:
                payload = exc.read()
            except (OSError, TimeoutError):
                payload = b""
            result = exc.code, exc.headers.get("Content-Type", "") if exc.headers else "", payload
        except TimeoutError:
            logger.warning("BSrE %s: no answer within %s s", path, self.timeout)
            raise DomainError(
                _(
                    "The BSrE signing service did not answer within %(seconds)d seconds. "
                    "The document was not signed; try again later."
                )
                % {"seconds": self.timeout}
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                logger.warning("BSrE %s: no answer within %s s", path, self.timeout)
                raise DomainError(
                    _(
                        "The BSrE signing service did not answer within %(seconds)d seconds. "
                        "The document was not signed; try again later."
                    )
                    % {"seconds": self.timeout}
                ) from None
            logger.warning("BSrE %s unreachable: %s", path, _scrub(str(reason), secrets))
            raise DomainError(
                _(
                    "The BSrE signing service cannot be reached. The document was not signed; "
                    "try again later or tell the administrator."
                )
            ) from None
        logger.info("BSrE %s answered %s", path, result[0])
        return result

    def _error(self, status: int, answer: dict | None, *, who: str, secrets) -> DomainError:
        text = ""
        code = None
        if answer:
            text = str(answer.get("error") or answer.get("message") or answer.get("pesan") or "")
            code = answer.get("status_code")
        try:
            code = int(code) if code is not None else None
        except (TypeError, ValueError):
            code = None
        text = _scrub(text, secrets)
        logger.warning("BSrE refused: HTTP %s, status_code %s", status, code)
        lowered = text.lower()
        if code == WRONG_PASSPHRASE or "passphrase" in lowered:
            return DomainError(
                _("The passphrase is wrong. Enter the passphrase of your BSrE certificate."),
                field="passphrase",
            )
        if (
            code == USER_NOT_REGISTERED
            or "tidak terdaftar" in lowered
            or "not registered" in lowered
        ):
            return DomainError(
                _(
                    "This NIK is not registered with BSrE. Check the NIK, or ask the "
                    "administrator to register the official."
                ),
                field="nik",
            )
        if any(w in lowered for w in ("revoke", "dicabut", "suspend", "dibekukan")):
            return DomainError(
                _(
                    "The electronic certificate has been revoked or suspended. Ask BSrE (through "
                    "the administrator) to issue a new one."
                )
            )
        if any(w in lowered for w in ("expired", "kadaluarsa", "kedaluwarsa", "kadaluwarsa")):
            return DomainError(
                _(
                    "The electronic certificate has expired. Ask BSrE (through the administrator) "
                    "to renew it."
                )
            )
        if status in (401, 403):
            return DomainError(
                _(
                    "The BSrE signing service refused this application's account "
                    "(BSRE_USERNAME/BSRE_PASSWORD). Tell the administrator."
                )
            )
        return DomainError(
            _(
                "The BSrE signing service gave an unexpected answer (HTTP %(status)s%(detail)s). "
                "The document was not signed."
            )
            % {"status": status, "detail": f": {text[:200]}" if text else ""}
        )


def _json(body: bytes) -> dict | None:
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _scrub(text: str, secrets) -> str:
    """Remove the NIK and passphrase from a server's message before it is shown or logged."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = "kinerja-" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode("utf-8")
            + b"\r\n"
        )
    for name, (filename, data) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + bytes(data)
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
