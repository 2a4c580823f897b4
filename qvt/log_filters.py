"""403 and 404 are part of normal traffic (another region's object answers 404 by design):
django.request logs each with a full traceback at WARNING; this filter makes it one line."""

import logging


class ClientErrorFilter(logging.Filter):
    """Rewrites django.request's 403/404 records as `client_error status=.. method=.. path=..
    user=..`, without the traceback. Other records pass unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status not in (403, 404):
            return True
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        record.msg = "client_error status=%s method=%s path=%r user=%s"
        record.args = (
            status,
            getattr(request, "method", "-"),
            getattr(request, "path", "-")[:300],  # %r: a hostile path stays on one line
            user.get_username() if user is not None and user.is_authenticated else "-",
        )
        record.exc_info = record.exc_text = record.stack_info = None
        return True
