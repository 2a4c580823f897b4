"""Log formatting that keeps security events structured (one JSON object per line)."""

import json
import logging

# Attributes every LogRecord has: anything else was passed in `extra` and belongs to the event.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
# Never written, even if a caller passes them by mistake.
_FORBIDDEN = {"password", "session_key", "sessionid", "credentials"}


class StructuredFormatter(logging.Formatter):
    def format(self, record):
        fields = {
            key: value
            for key, value in vars(record).items()
            if key not in _STANDARD and key not in _FORBIDDEN
        }
        payload = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **fields,
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)
