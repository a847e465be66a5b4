"""Benchmark: each letter as DOCX and as PDF, signing a PDF and verifying it.

    .venv/bin/python bench/documents.py [--repeat 10]

Prints, for each operation, the first call (fonts and certificates being
loaded) and the median and maximum of the repeats after it. The aim is under
1 s for any one of them (issue: documents). Runs on a throw-away SQLite
database and demo PKI in a temporary folder, so nothing of var/ is touched.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DEBUG", "true")  # the embedded set-up, as make run
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["KINERJA_VAR_DIR"] = str(tmp)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def letters_to_render():
    from kinerja.documents import letters
    from kinerja.documents.signature_block import build_signature_block

    block = build_signature_block(
        "Demo Sekretaris Daerah",
        "Sekretaris Daerah",
        signer_rank="Pembina Utama Madya (IV/d)",
        signer_nip="197405152010031005",
    )
    common = {
        "number": "000.7.2.6/014/Setda-Umum/2026",
        "date": dt.date(2026, 11, 28),
        "to": ["Kepala Bappeda Kota Banjarbaru"],
        "signature": block,
        "paraf": [
            letters.Paraf("Kepala Bagian Umum", "Demo Kepala Bagian Umum"),
            letters.Paraf("Kepala Sub Bagian Perencanaan", "Demo Kepala Sub Bagian Perencanaan"),
        ],
        "opening": "Dalam rangka penyusunan Rencana Kerja Tahun 2027, bersama ini kami sampaikan:",
        "closing": "Demikian disampaikan, atas perhatian diucapkan terima kasih.",
    }
    return {
        "Nota Dinas": letters.Letter(
            kind="nota_dinas",
            hal="Permintaan Data Usulan Renja 2027",
            sender="Sekretaris Daerah",
            tembusan=["Asisten Administrasi Umum"],
            body="Mohon usulan disampaikan paling lambat lima hari kerja.",
            **common,
        ),
        "Undangan Rapat": letters.Letter(
            kind="undangan",
            hal="Undangan Rapat Penentuan Prioritas Renja 2027",
            meeting=letters.MeetingDetails(
                "Selasa, 1 Desember 2026",
                "09.00 WITA s.d. selesai",
                "Ruang Rapat Sekretariat Daerah",
                "Penentuan prioritas program dan kegiatan",
            ),
            **common,
        ),
        "Surat Pengantar": letters.Letter(
            kind="surat_pengantar",
            hal="Penyampaian Renja Sekretariat Daerah 2027",
            items=[
                letters.CoverItem("Rencana Kerja Sekretariat Daerah Tahun 2027", "1 (satu) buku")
            ],
            receiver=letters.Receiver("Kepala Bappeda Kota Banjarbaru"),
            **common,
        ),
    }


def timed(fn, repeat: int) -> tuple[float, float, float, object]:
    start = time.perf_counter()
    result = fn()
    first = time.perf_counter() - start
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return first, statistics.median(runs), max(runs), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(Path(tmp))
        from django.utils import timezone

        from kinerja.documents import letters, pki, signing

        rows = []
        for name, letter in letters_to_render().items():
            rows.append(
                (f"{name} DOCX", *timed(lambda lt=letter: letters.render_docx(lt), args.repeat))
            )
            rows.append(
                (f"{name} PDF", *timed(lambda lt=letter: letters.render_pdf(lt), args.repeat))
            )
        pdf = rows[-1][-1]
        pki_dir = Path(tmp) / "pki"
        pki.ensure_demo_ca(pki_dir)
        pki.ensure_certificate(
            pki_dir,
            key="197405152010031005",
            name="Demo Sekretaris Daerah",
            nip="197405152010031005",
            position="Sekretaris Daerah",
        )
        identity = signing.SignerIdentity(
            name="Demo Sekretaris Daerah",
            position="Sekretaris Daerah",
            nip="197405152010031005",
            key="197405152010031005",
        )
        stamp = signing.Stamp(
            name=identity.name,
            position=identity.position,
            nip=identity.nip,
            signed_at=timezone.now(),
            verify_url="http://127.0.0.1:8000/dokumen/cek/00000000-0000-0000-0000-000000000000/",
        )
        backend = signing.get_backend()
        rows.append(
            (
                "Sign PDF (PAdES, stamp + QR)",
                *timed(
                    lambda: backend.sign_pdf(pdf, identity=identity, stamp=stamp, reason="Bench"),
                    args.repeat,
                ),
            )
        )
        signed = rows[-1][-1]
        rows.append(("Verify signed PDF", *timed(lambda: signing.verify_pdf(signed), args.repeat)))
        print(f"{'operation':<32} {'first':>9} {'median':>9} {'max':>9}")
        for name, first, median, worst, _result in rows:
            print(
                f"{name:<32} {first * 1000:>7.0f}ms {median * 1000:>7.0f}ms {worst * 1000:>7.0f}ms"
            )
        report = signing.verify_pdf(signed)
        print(
            f"verification of the signed PDF: {report.status} ({len(report.signatures)} signature)"
        )


if __name__ == "__main__":
    main()
