"""Measurement: the peak memory of the server process when someone uploads a ZIP bomb.

    .venv/bin/python bench/upload_bomb.py [--via page|service] [--kind odt|docx] [--gib 2]

Builds the attacker's file of the hardening probe (issue 9): a 2 MB ZIP named .odt
whose `mimetype` entry unpacks to 2 GiB of zeros (--kind docx: a DOCX whose
word/document.xml does), uploads it once as the Kasubbag of the demo (into a new SOP-013 process), through the
upload page (Django's test client: the multipart parser, the view, the action) or
straight through kinerja.actions.upload, and prints what the person is told and the
process's peak resident memory (resource.getrusage) before and after the upload.
Runs on a throw-away SQLite database and demo in a temporary folder; nothing of var/
is touched. Not part of the test suite: a test cannot assert memory fairly.
"""

import argparse
import io
import re
import resource
import tempfile
import time
from pathlib import Path

from workflow import setup  # bench/workflow.py: Django on a throw-away database, the demo


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def upload(bomb: bytes, name: str, via: str) -> str:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from kinerja import actions
    from kinerja.core.errors import DomainError
    from kinerja.sop.models import DocumentType
    from kinerja.sop.services import find_sop

    user = get_user_model().objects.get(username="kasubbag")
    process = actions.start_process(
        sop=find_sop("SOP-013"), title="Penyusunan Perjanjian Kinerja 2026", year=2026, by=user
    )
    document_type = DocumentType.objects.get(name="Draft PK")
    if via == "service":
        try:
            actions.upload(
                process=process,
                document_type=document_type,
                content=io.BytesIO(bomb),
                name=name,
                by=user,
            )
        except DomainError as error:
            return f"refused: {error}"
        return "stored"
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    upload_file = io.BytesIO(bomb)
    upload_file.name = name
    response = client.post(
        reverse("web:document-upload", args=[process.pk]),
        {"upload-document_type": document_type.pk, "upload-file": upload_file},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = response.content.decode("utf-8", "replace")
    alert = re.search(r'role="alert"[^>]*>(.*?)</', text, re.S)
    said = " ".join(alert.group(1).split()) if alert else ""
    return f"HTTP {response.status_code}: {said}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--via", choices=["page", "service"], default="page")
    parser.add_argument("--kind", choices=["odt", "docx"], default="odt")
    parser.add_argument(
        "--gib", type=float, default=2.0, help="what the entry unpacks to (below 4: no ZIP64)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kinerja-bomb-") as tmp:
        setup(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", Path(tmp))  # bench/workflow.py's
        from kinerja.documents.tests.crafted import docx_bomb, odt_bomb

        mib = int(args.gib * 1024)
        bomb = odt_bomb(mib) if args.kind == "odt" else docx_bomb(mib)
        name = f"Draft PK.{args.kind}"
        before = peak_mb()
        print(f"file: {name}, {len(bomb) / 1e6:.1f} MB, one entry unpacks to {mib} MiB")
        print(f"peak RSS before the upload: {before:.0f} MB")
        started = time.perf_counter()
        outcome = upload(bomb, name, args.via)
        elapsed = time.perf_counter() - started
        print(f"upload through the {args.via}: {outcome}")
        print(f"peak RSS after the upload: {peak_mb():.0f} MB ({elapsed:.2f} s)")


if __name__ == "__main__":
    main()
