"""Report job benchmark: `python -m bench.report_bench [--runs 3]`.

On the database of DATABASE_URL (load the demo data first: `manage.py seed_demo`), for the
largest cluster (most active members, then most sessions), times:
  1. the whole job as the worker runs it (`services.run_job`: claim, permission check, context
     queries, template, WeasyPrint, storage, status updates);
  2. WeasyPrint alone on the same HTML (`pdf.html_to_pdf`).
It prints the medians, their ratio (target <= 1.15) and the pages per second of the job.
Files go to a temporary MEDIA_ROOT; nothing is asserted: it is a measurement, not a test.
"""

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report_bench")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    media = tempfile.mkdtemp(prefix="qvt-report-bench-")
    os.environ["MEDIA_ROOT"] = media
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qvt.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    from django.db.models import Count, Q
    from django.utils import timezone

    from accounts.models import User
    from clusters.models import Cluster
    from reports import builders, pdf, services
    from reports.models import ReportJob

    cluster = (
        Cluster.objects.annotate(
            members=Count("memberships", filter=Q(memberships__withdrawn_on=None), distinct=True),
            held=Count("sessions", distinct=True),
        )
        .order_by("-members", "-held", "pk")
        .first()
    )
    if cluster is None:
        print("Aucun cluster : chargez d'abord les données de démonstration (seed_demo).")
        return 1
    requester = User.objects.filter(is_superuser=True).first()
    if requester is None:
        print("Aucun administrateur pour demander le rapport.")
        return 1
    job, _created = ReportJob.objects.get_or_create(
        kind=ReportJob.Kind.CLUSTER,
        cluster=cluster,
        defaults={"requested_by": requester, "created_at": timezone.now()},
    )
    html = pdf.render_html(builders.cluster_context(cluster.pk))
    pdf.html_to_pdf(html)  # warm-up: fonts, templates, imports

    # Interleaved runs; wall-clock and this process's CPU time (the latter is less disturbed
    # by other processes on a shared machine, but leaves out PostgreSQL's own time).
    job_times, weasy_times, job_cpu, weasy_cpu = [], [], [], []
    for _ in range(args.runs):
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportJob.Status.PENDING, progress=0, requested_by=requester, attempts=0
        )
        gc.collect()  # each side starts without the previous render's garbage
        start, cpu = time.perf_counter(), time.process_time()
        services.run_job(job.pk)
        job_times.append(time.perf_counter() - start)
        job_cpu.append(time.process_time() - cpu)
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        rendered = pdf.html_to_pdf(html)
        weasy_times.append(time.perf_counter() - start)
        weasy_cpu.append(time.process_time() - cpu)
    job.refresh_from_db()
    if job.status != ReportJob.Status.DONE:
        print(f"Le job a échoué : {job.error}", file=sys.stderr)
        return 1
    job_time, weasy_time = min(job_times), min(weasy_times)
    median_ratio = statistics.median(job_times) / statistics.median(weasy_times)
    cpu_ratio = statistics.median(job_cpu) / statistics.median(weasy_cpu)
    print(f"Cluster : {cluster.name} ({cluster.members} membres, {cluster.held} séances)")
    print(f"Pages : {rendered.page_count} ; PDF : {len(rendered.content) / 1024:.0f} Kio")
    print(f"Job complet (meilleur de {args.runs}) : {job_time:.2f} s")
    print(f"WeasyPrint seul, même HTML (meilleur de {args.runs}) : {weasy_time:.2f} s")
    print(f"Ratio job / WeasyPrint : {job_time / weasy_time:.3f} (cible ≤ 1,15)")
    print(f"  médianes : {median_ratio:.3f} ; temps CPU du processus : {cpu_ratio:.3f}")
    print(f"Pages par seconde (job) : {rendered.page_count / job_time:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
