"""Session attachments: accepted by content (never by name), size-limited, stored under a random
name, downloaded only through the permission-checked view."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clusters.models import SessionAttachment
from tests.factories import ClusterFactory, SessionFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = office_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODS = office_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "a.xml": b""})
PLAIN_ZIP = office_zip({"notes.txt": b"hello"})
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.fixture
def session(cluster):
    return SessionFactory(cluster=cluster)


def upload(client, session, name, content, kind="support"):
    url = reverse("clusters:session-attachment-create", args=[session.cluster_id, session.pk])
    return client.post(url, {"kind": kind, "upload": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("ordre-du-jour.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("compte-rendu.docx", DOCX, "wordprocessingml"),
        ("tableau.ods", ODS, "opendocument.spreadsheet"),
        ("ancien.doc", OLE2, "ms-office"),
        ("sans-extension", PDF, "application/pdf"),  # judged by content, not by name
    ],
)
def test_accepted_files_are_stored_under_a_random_name(
    client, aract, session, media_root, name, content, content_type
):
    client.force_login(aract)
    response = upload(client, session, name, content)
    assert response.status_code == 302
    attachment = SessionAttachment.objects.get()
    assert attachment.original_name == name
    assert content_type in attachment.content_type
    assert name not in attachment.file.name
    assert (media_root / attachment.file.name).read_bytes() == content


@pytest.mark.parametrize(
    "name, content",
    [
        ("programme.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
        ("archive.docx", PLAIN_ZIP),  # a zip that is no office document
        ("faux.docx", b"PK\x03\x04 not really a zip"),
    ],
)
def test_a_renamed_file_is_refused(client, aract, session, name, content):
    client.force_login(aract)
    response = upload(client, session, name, content)
    assert response.status_code == 200
    assert "type de fichier n&#x27;est pas accepté" in response.content.decode()
    assert not SessionAttachment.objects.exists()


def test_an_oversized_file_is_refused(client, aract, session, settings):
    settings.MAX_UPLOAD_SIZE = 1024
    client.force_login(aract)
    response = upload(client, session, "gros.pdf", PDF + b"0" * 2048)
    assert "dépasse la taille maximale" in response.content.decode()
    assert not SessionAttachment.objects.exists()


def test_download_goes_through_the_view_as_an_attachment(client, aract, ars, session):
    client.force_login(aract)
    upload(client, session, "émargement.pdf", PDF, kind="emargement")
    attachment = SessionAttachment.objects.get()
    client.force_login(ars)  # a reader of the region
    response = client.get(
        reverse(
            "clusters:session-attachment-download",
            args=[session.cluster_id, session.pk, attachment.pk],
        )
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF


def test_another_regions_attachment_answers_404(client, aract, ars_other_region, session):
    client.force_login(aract)
    upload(client, session, "support.pdf", PDF)
    attachment = SessionAttachment.objects.get()
    url = reverse(
        "clusters:session-attachment-download",
        args=[session.cluster_id, session.pk, attachment.pk],
    )
    client.force_login(ars_other_region)
    assert client.get(url).status_code == 404
    # Nor through a cluster of the user's own region.
    own = ClusterFactory(region_code="53")
    other_url = reverse(
        "clusters:session-attachment-download", args=[own.pk, session.pk, attachment.pk]
    )
    assert client.get(other_url).status_code == 404


def test_a_confidential_sessions_attachment_answers_404_to_national_readers(
    client, aract, national, session
):
    session.is_confidential = True
    session.save()
    client.force_login(aract)
    client.get(upload(client, session, "support.pdf", PDF).url)  # shows the success message
    attachment = SessionAttachment.objects.get()
    client.force_login(national)
    url = reverse(
        "clusters:session-attachment-download",
        args=[session.cluster_id, session.pk, attachment.pk],
    )
    assert client.get(url).status_code == 404
    detail = client.get(reverse("clusters:session-detail", args=[session.cluster_id, session.pk]))
    assert "support.pdf" not in detail.content.decode()


def test_only_facilitators_upload_and_delete(client, ars, aract, session):
    client.force_login(ars)
    assert upload(client, session, "support.pdf", PDF).status_code == 403
    client.force_login(aract)
    upload(client, session, "support.pdf", PDF)
    attachment = SessionAttachment.objects.get()
    url = reverse(
        "clusters:session-attachment-delete",
        args=[session.cluster_id, session.pk, attachment.pk],
    )
    client.force_login(ars)
    assert client.post(url).status_code == 403
    client.force_login(aract)
    assert "Supprimer la pièce jointe" in client.get(url).content.decode()  # confirmation step
    assert client.post(url).status_code == 302
    assert not SessionAttachment.objects.exists()
