"""Development e-mail backend: each message becomes one .eml file that any mail reader opens."""

import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class EmlFileBackend(BaseEmailBackend):
    """Writes every message to EMAIL_FILE_PATH as <time>-<random>.eml (Django's own file backend
    appends all messages of a connection to one .log file, which no mail reader opens)."""

    _lock = threading.Lock()

    def __init__(self, *, file_path=None, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.folder = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages):
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            for message in email_messages:
                name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
                (self.folder / name).write_bytes(message.message().as_bytes(linesep="\r\n"))
        return len(email_messages)
