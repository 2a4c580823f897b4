"""A real SMTP server (aiosmtpd) on 127.0.0.1 that the application sends to, and an inbox the
tests wait on."""

import email
import logging
import re
import socket
import threading
import time
from email import policy

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []
        self._changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 30) -> list:
        """The first `count` messages, once they have arrived (fails after `timeout`)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"{len(self.messages)} message(s) arrived, {count} expected"
                self._changed.wait(remaining)
            return list(self.messages[:count])

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(message, site_url="http://testserver") -> str:
    """The path of the first link back to the site in the plain-text part."""
    match = re.search(re.escape(site_url) + r"(/\S+)", text_of(message))
    assert match, text_of(message)
    return match.group(1)


@pytest.fixture(name="smtp")
def smtp_server(settings):
    """Sends the application's e-mails to a real SMTP server on 127.0.0.1; yields its inbox."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # the test server's own chatter
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "http://testserver"
    settings.DEFAULT_FROM_EMAIL = "Clusters QVT <ne-pas-repondre@example.invalid>"
    settings.EMAIL_REPLY_TO = "equipe@example.invalid"
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture(name="celery_eager")
def celery_eager_mode():
    """Celery runs the tasks in this process as they are sent (the worker-process test is
    test_email_worker.py)."""
    from qvt.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
