"""A sender killed half-way through a batch, then restarted: every subscriber gets one digest."""

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from resourcecentre.alerts.models import DigestSend

from .test_digests import published, subscribe

PROJECT_DIR = Path(__file__).resolve().parents[3]
SUBSCRIBERS = 40


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class KillingSink:
    """An SMTP server that kills the sender while it transmits message number `kill_at`.

    `accepted_before_death` says whether the server had already taken that message (the
    sender dies waiting for the "250"), or not (the sender dies in the middle of sending it).
    """

    def __init__(self, kill_at: int, accepted_before_death: bool) -> None:
        self.kill_at, self.accepted_before_death = kill_at, accepted_before_death
        self.messages: list[email.message.EmailMessage] = []
        self.pid: int | None = None
        self.seen = 0

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        if self.seen == self.kill_at and self.pid:
            if self.accepted_before_death:
                self.messages.append(message)
            os.kill(self.pid, signal.SIGKILL)
            time.sleep(0.2)  # the sender is gone before it can read any answer
            return "451 sender gone"
        self.messages.append(message)
        return "250 OK"


def _sender(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_alerts", "--foreground", "--batch-size", "10"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("accepted_before_death", [False, True], ids=["mid-message", "after-accept"])
def test_a_sender_killed_mid_batch_resumes_and_every_subscriber_gets_one_digest(
    committed_db, kestrel, rebuild_index, tmp_path, accepted_before_death
):
    published("Kestrel Mining accused of forced labour", companies=[kestrel])
    for n in range(SUBSCRIBERS):
        subscribe(f"reader{n}@example.org", f"company={kestrel.slug}")
    rebuild_index()
    sink = KillingSink(kill_at=15, accepted_before_death=accepted_before_death)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "SEARCH_INDEX_DIR": str(settings.SEARCH_INDEX_DIR),
        "VAR_DIR": str(tmp_path),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "ALERTS_CLAIM_TIMEOUT_SECONDS": "1",
    }
    try:
        first = _sender(env)
        sink.pid = first.pid
        first.wait(timeout=120)
        assert first.returncode == -signal.SIGKILL, first.stderr.read().decode()[-2000:]
        states = Counter(DigestSend.objects.values_list("state", flat=True))
        assert states["sent"] == 14 and states["sending"] == 1, states

        time.sleep(1.5)  # the dead sender's claims expire
        second = _sender(env)
        sink.pid = None
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err.decode()[-2000:]
    finally:
        controller.stop()

    received = Counter(m["To"] for m in sink.messages)
    assert set(received) == {f"reader{n}@example.org" for n in range(SUBSCRIBERS)}
    assert set(DigestSend.objects.values_list("state", flat=True)) == {"sent"}
    if not accepted_before_death:
        assert set(received.values()) == {1}
    else:
        # The one message the server took as the sender died is sent again, with the same
        # Message-ID, which lets the mailbox drop the copy: at least once for that message.
        [twice] = [to for to, n in received.items() if n > 1]
        assert received[twice] == 2
        ids = [m["Message-ID"] for m in sink.messages if m["To"] == twice]
        assert ids[0] == ids[1]
        assert sum(received.values()) == SUBSCRIBERS + 1
