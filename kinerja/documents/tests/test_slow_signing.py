"""A slow signing service holds no lock: another official's action goes on meanwhile.

The Sekda signs the LKjIP through BSrE while the fake BSrE server keeps the request for up
to ten seconds; meanwhile the Pelaksana finishes a step of the Renja. On SQLite (one writer
at a time) and PostgreSQL alike the Pelaksana's action is done while the signature request
is still unanswered, and then the signature is recorded too.
"""

import json
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from kinerja import actions
from kinerja.demo.services import build_demo, start_demo_processes
from kinerja.documents.models import Signature
from kinerja.workflow.models import Process, Task
from kinerja.workflow.tests.test_process_run import LANE_LOGIN, act

pytestmark = pytest.mark.django_db(transaction=True)

NIK = "6372010101800001"
DELAY = 10  # seconds the fake BSrE keeps a signing request, unless released earlier


class SlowBsre:
    """A fake BSrE that answers a signing request with the file it was sent, after a delay."""

    def __init__(self):
        self.received = threading.Event()
        self.release = threading.Event()
        self.answered = threading.Event()
        state = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                message = BytesParser(policy=HTTP).parsebytes(
                    b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + body
                )
                fields = {
                    part.get_param("name", header="content-disposition"): part.get_payload(
                        decode=True
                    )
                    for part in message.iter_parts()
                }
                state.received.set()
                state.release.wait(DELAY)
                if self.path == "/api/sign/verify":
                    answer, kind = json.dumps({"conclusion": "VALID"}).encode(), "application/json"
                else:
                    answer, kind = fields["file"], "application/pdf"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                state.answered.set()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slow_bsre(settings):
    bsre = SlowBsre()
    settings.KINERJA_SIGNING_BACKEND = "bsre"
    settings.BSRE_URL = bsre.url
    settings.BSRE_USERNAME = "kinerja-client"
    settings.BSRE_PASSWORD = "client-secret"
    settings.BSRE_TIMEOUT = 30
    yield bsre
    bsre.close()


@pytest.fixture
def demo_world(tmp_path, settings):
    settings.DEMO_PASSWORD = "sandi-demo-untuk-uji"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KINERJA_PKI_DIR = tmp_path / "pki"
    build_demo(var_dir=tmp_path)
    start_demo_processes()
    return {u.username: u for u in get_user_model().objects.select_related("person")}


def _active(number: str) -> Task:
    process = Process.objects.get(sop_version__sop__number__startswith=number)
    return process.tasks.select_related("step", "position").get(status=Task.Status.ACTIVE)


def test_a_slow_signature_does_not_hold_up_another_officials_action(demo_world, slow_bsre):
    users = demo_world
    while (task := _active("SOP-011")).step.number != 7:
        act(task, users[LANE_LOGIN[task.position.code]], None)
    signing_task = task
    other = _active("SOP-015")
    outcome = {}

    def sign():
        try:
            outcome["task"] = actions.sign(
                task=signing_task, by=users["sekda"], nik=NIK, passphrase="rahasia"
            )
        except Exception as error:  # reported by the assertions below
            outcome["error"] = error
        finally:
            connection.close()

    signer = threading.Thread(target=sign)
    signer.start()
    try:
        assert slow_bsre.received.wait(DELAY), "the signing request never reached BSrE"
        # BSrE holds the Sekda's request; the Pelaksana acts on another task now.
        done = actions.finish(task=other, by=users["pelaksana"], output="Rekap data usulan")
        assert done.status == Task.Status.DONE
        assert not slow_bsre.answered.is_set(), "the action waited for the signing service"
    finally:
        slow_bsre.release.set()
        signer.join(DELAY * 3)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["task"].status == Task.Status.DONE
    signature = Signature.objects.get(task=signing_task)
    assert signature.backend == "bsre"
    assert signature.name == "Demo Sekretaris Daerah"
