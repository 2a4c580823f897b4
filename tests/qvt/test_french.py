import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template

from establishments.forms import FinessImportForm
from qvt.french import count, de, file_size
from qvt.uploads import zip_bomb_refusal


@pytest.mark.parametrize(
    ("value", "noun", "expected"),
    [
        (0, "cluster", "Aucun cluster"),
        (1, "cluster", "1 cluster"),
        (12, "cluster", "12 clusters"),
        (0, "séance:f", "Aucune séance"),
        (2, "travail/travaux", "2 travaux"),
        (12345, "établissement", "12\u202f345 établissements"),
    ],
)
def test_count(value, noun, expected):
    assert count(value, noun) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("EHPAD Montjoie", "de l'EHPAD Montjoie"),
        ("ESAT Les Ateliers", "d'ESAT Les Ateliers"),
        ("IME La Source", "d'IME La Source"),
        ("CH de Rouen", "du CH de Rouen"),
        ("Centre hospitalier de Dax", "du Centre hospitalier de Dax"),
        ("Le Foyer vert", "du Foyer vert"),
        ("Les Tilleuls", "des Tilleuls"),
        ("Maison des aînés", "de Maison des aînés"),
        ("Clinique Saint-Jean", "de Clinique Saint-Jean"),
    ],
)
def test_de(name, expected):
    assert de(name) == expected


@pytest.mark.parametrize(
    ("size", "expected"),
    [(10 * 1024 * 1024, "10 Mo"), (1536, "1,5 ko"), (1, "1 octet"), (2 * 1024**3, "2 Go")],
)
def test_file_size(size, expected):
    assert file_size(size) == expected


def test_the_filters_need_no_load_in_templates():
    template = Template('{{ n|count:"cluster" }} — {{ name|de }} — {{ size|file_size }}')
    rendered = template.render(Context({"n": 0, "name": "ESAT X", "size": 10 * 1024 * 1024}))
    assert rendered == "Aucun cluster — d&#x27;ESAT X — 10 Mo"  # escaped like any text


def test_upload_limits_read_in_french_units(settings):
    """Every size the application prints goes through file_size: "10 Mo", never "10,0 Mio"."""

    settings.UPLOAD_ZIP_MAX_EXPANDED_SIZE = 10 * 1024 * 1024
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("big.xml", b"0" * (11 * 1024 * 1024))
    archive.seek(0)
    assert "(10 Mo au plus)" in zip_bomb_refusal(archive)

    settings.FINESS_MAX_UPLOAD_SIZE = 1536
    upload = SimpleUploadedFile("finess.csv", b"x" * 2048, content_type="text/csv")
    form = FinessImportForm(data={}, files={"file": upload})
    assert not form.is_valid()
    assert "Le fichier dépasse la taille maximale (1,5 ko)." in form.errors["file"]
