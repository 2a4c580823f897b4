"""Uploads served safely: downloads carry the detected type's extension, never the uploader's;
ZIP-based documents that expand too much or hold too many entries are refused before being
opened or stored (session attachments and the past-cluster import)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters.models import SessionAttachment
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
XLSX_TYPES = b"<Types/>"


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def bomb(expanded: int) -> bytes:
    """An XLSX-looking archive whose one sheet expands to `expanded` zero bytes."""
    return zip_of({"[Content_Types].xml": XLSX_TYPES, "xl/worksheets/s.xml": b"\0" * expanded})


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    settings.UPLOAD_ZIP_MAX_EXPANDED_SIZE = 1024 * 1024  # 1 MiB: small bombs are enough
    settings.UPLOAD_ZIP_MAX_ENTRIES = 50
    return tmp_path


def _upload_attachment(client, session, name, content):
    url = reverse("clusters:session-attachment-create", args=[session.cluster_id, session.pk])
    return client.post(url, {"kind": "autre", "upload": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(
    "name, content, served_as",
    [
        ("evil.exe", PDF, "evil.pdf"),
        ("page.html", PDF, "page.pdf"),
        ("sans-extension", PDF, "sans-extension.pdf"),
        (
            "budget.html",
            zip_of({"[Content_Types].xml": XLSX_TYPES, "xl/a.xml": b""}),
            "budget.xlsx",
        ),
    ],
)
def test_a_download_takes_the_extension_of_the_detected_type(
    client, aract, cluster, name, content, served_as
):
    session = SessionFactory(cluster=cluster)
    client.force_login(aract)
    assert _upload_attachment(client, session, name, content).status_code == 302
    attachment = SessionAttachment.objects.get()
    response = client.get(
        reverse(
            "clusters:session-attachment-download",
            args=[session.cluster_id, session.pk, attachment.pk],
        )
    )
    assert response["Content-Disposition"] == f'attachment; filename="{served_as}"'


def test_an_attachment_that_expands_too_much_is_refused_and_not_stored(
    client, aract, cluster, media_root
):
    session = SessionFactory(cluster=cluster)
    client.force_login(aract)
    content = bomb(2 * 1024 * 1024)
    assert len(content) < 10_000  # compressed, it looks harmless
    response = _upload_attachment(client, session, "tableau.xlsx", content)
    assert response.status_code == 200
    assert "trop volumineux une fois décompressé" in response.content.decode()
    assert not SessionAttachment.objects.exists()
    assert not any(path.is_file() for path in media_root.rglob("*"))


def test_an_attachment_with_too_many_entries_is_refused(client, aract, cluster):
    session = SessionFactory(cluster=cluster)
    client.force_login(aract)
    entries = {f"xl/{n}.xml": b"" for n in range(60)}
    content = zip_of({"[Content_Types].xml": XLSX_TYPES, **entries})
    response = _upload_attachment(client, session, "tableau.xlsx", content)
    assert "éléments (61, 50 au plus)" in response.content.decode()
    assert not SessionAttachment.objects.exists()


def test_the_past_cluster_import_refuses_a_zip_bomb_before_opening_it(
    client, programme_team, media_root
):
    client.force_login(programme_team)
    response = client.post(
        reverse("programme:import-upload"),
        {"file": SimpleUploadedFile("clusters.xlsx", bomb(2 * 1024 * 1024))},
    )
    assert response.status_code == 200
    assert "trop volumineux une fois décompressé" in response.content.decode()
    assert not any(path.is_file() for path in media_root.rglob("*"))
