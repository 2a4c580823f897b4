"""The one JSON status endpoint of every job page (polled by static/qvt/job-progress.js)."""

from collections.abc import Callable

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .models import Job


def job_status_view(get_job: Callable, extra: Callable[[Job], dict] | None = None):
    """A view answering the job's state as JSON. `get_job(request, pk)` fetches the job with the
    app's permission check (404 outside the user's perimeter, 403 for a role too low);
    `extra(job)` adds the app's own keys (a download link, a summary).

    {"status": "running", "status_label": "En cours", "progress": 40,
     "text": "En cours — 40 % : mise en page", "finished": false, "waiting_for_broker": false,
     "error": ""}"""

    @require_GET
    def view(request, pk):
        job = get_job(request, pk)
        data = {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "text": job.status_text,
            "finished": job.is_finished,
            "waiting_for_broker": job.is_waiting_for_broker,
            "error": job.error,
        }
        return JsonResponse({**data, **(extra(job) if extra else {})})

    return view
