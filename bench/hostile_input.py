"""Hostile input benchmark: `python -m bench.hostile_input [--runs 20]`.

On the database of DATABASE_URL (load the demo data first: `manage.py seed_demo`), takes a
published monograph and times its public library page (CPU time of the request, median):
  1. as it is;
  2. with a 100,000-character token without spaces added to a section (redacted at
     publication, as the workflow does), in a transaction rolled back at the end.
It prints both medians and their ratio (target <= 2). The contact pattern the library used
before took about 50 s on such a token. Nothing is asserted: a measurement, not a test.
"""

import argparse
import os
import statistics
import sys
import time

TOKEN = "x" * 99_990 + "@exemple.fr"  # 100,000 characters, one e-mail at the end


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile_input")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qvt.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from experiments.models import Monograph

    monograph = Monograph.objects.filter(status=Monograph.Status.PUBLIEE).order_by("pk").first()
    if monograph is None:
        print("Aucune monographie publiée : chargez d'abord les données de démonstration.")
        return 1
    client = Client(HTTP_HOST="127.0.0.1")
    url = reverse("library:monograph-detail", args=[monograph.pk])

    def median_cpu() -> float:
        times = []
        for _run in range(args.runs):
            start = time.process_time()
            response = client.get(url)
            times.append(time.process_time() - start)
            assert response.status_code == 200, response.status_code
        return statistics.median(times)

    client.get(url)  # warm-up: templates, connections
    normal = median_cpu()
    with transaction.atomic():
        monograph.annexes = f"{monograph.annexes}\n{TOKEN}"
        start = time.process_time()
        monograph.redact()  # what publication does, once
        redaction = time.process_time() - start
        monograph.save()
        hostile = median_cpu()
        transaction.set_rollback(True)
    print(f"library page, normal monograph:              {normal * 1000:8.1f} ms CPU (median)")
    print(f"library page, with a 100,000-character token: {hostile * 1000:8.1f} ms CPU (median)")
    print(f"redaction at publication of that monograph:  {redaction * 1000:8.1f} ms CPU (once)")
    print(f"ratio: {hostile / normal:.2f} (target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
