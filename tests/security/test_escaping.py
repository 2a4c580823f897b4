"""Hostile text saved in every free-text field comes out escaped on every page.

The world of this module writes HOSTILE into the text fields of the cluster, contacts, session,
attendance, experiment, indicator and monographs (tests/security/world.py); every GET page of
the access matrix is then fetched by the personas who see the most (administrator, the
region's ARS staff, the cluster's facilitator) and must neither crash nor echo live markup.
"""

import pytest

from tests.security.test_access_matrix import MATRIX, body_of, url_of

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("xss")</script>"><img src=x onerror=alert(1)>{{ 7|add:1 }}{% now "Y" %}'
UNICODE = "Ünïcødé ŒÆ ß 漢字 العربية 🙂\u202e inversé \u200b"
WORLD_TEXT = PAYLOAD + UNICODE + " long" * 4000  # CharFields keep the first 200 characters

LIVE_MARKUP = [b"<script>alert", b"<img src=x onerror"]


def test_the_hostile_text_is_in_the_world(world):
    assert PAYLOAD in world.cluster.problem_statement
    assert PAYLOAD in world.cluster.name


@pytest.mark.parametrize("persona", ["admin", "ars_region", "aract_assigned"])
def test_hostile_text_is_escaped_on_every_page(world, persona):
    problems = []
    shown = 0
    for key, route in sorted(MATRIX.items()):
        response = world.client(persona).get(url_of(key, route, world), route.query)
        body = body_of(response)  # read even when unused: a download releases its file
        if response.status_code >= 500:
            problems.append(f"{key}: {response.status_code}")
            continue
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue  # CSV, XLSX, PDF and JSON are not parsed as HTML (and are sent nosniff)
        for markup in LIVE_MARKUP:
            if markup in body:
                problems.append(f"{key}: {markup.decode()!r} unescaped")
        if b"&lt;script&gt;alert" in body:
            shown += 1
    assert not problems, "\n".join(problems)
    assert shown >= 5  # the hostile text was indeed on the pages, escaped
