"""`make screenshots`: the capture function photographs a page at each width, and the report
pages are turned into PNGs of the same widths."""

import struct

import pytest

from qvt.screenshots import Shot, capture, report_pages
from tests.factories import ClusterFactory, add_members, ars_user

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path) -> tuple[int, int]:
    """Width and height from the PNG header (IHDR, the first chunk), without Pillow."""
    header = path.read_bytes()[:24]
    assert header[:8] == PNG_SIGNATURE and header[12:16] == b"IHDR"
    return struct.unpack(">II", header[16:24])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_capture_photographs_a_logged_in_page_at_each_width(browser, live_server, tmp_path):
    cluster = ClusterFactory(region_code="11", name="Cluster photographié")
    add_members(cluster, 5)
    ars_user("11", username="ars-e2e-shots")
    shot = Shot("page-cluster", f"/clusters/{cluster.pk}/", "ars-e2e-shots")

    written = capture(browser, live_server.url, [shot], tmp_path, widths=(1280, 375))

    assert written == [tmp_path / "page-cluster-1280.png", tmp_path / "page-cluster-375.png"]
    wide, narrow = (png_size(path) for path in written)
    assert wide[0] == 1280 and narrow[0] == 375  # nothing overflows sideways at 375 px
    assert narrow[1] > wide[1]  # the narrow page is taller: the layout reflowed


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_capture_refuses_to_photograph_another_page_than_asked(browser, live_server, tmp_path):
    ars_user("11", username="ars-e2e-shots-404")
    missing = Shot("introuvable", "/clusters/999999/", "ars-e2e-shots-404")
    with pytest.raises(RuntimeError, match="answered 404"):
        capture(browser, live_server.url, [missing], tmp_path, widths=(375,))
    anonymous = Shot("connexion", "/clusters/", None)  # sent to the login page
    with pytest.raises(RuntimeError, match="redirected"):
        capture(browser, live_server.url, [anonymous], tmp_path, widths=(375,))
    assert list(tmp_path.iterdir()) == []


def test_report_pages_become_pngs_of_each_width(tmp_path):
    from reports.pdf import html_to_pdf

    html = "<html lang='fr'><body>" + "".join(
        f"<h1 style='page-break-after: always'>Page {n}</h1>" for n in range(1, 4)
    )
    pdf = html_to_pdf(html + "</body></html>").content

    written = report_pages(pdf, "rapport", tmp_path, widths=(1280, 375))

    names = sorted(path.name for path in written)
    assert names == [
        "rapport-p1-1280.png",
        "rapport-p1-375.png",
        "rapport-p2-1280.png",
        "rapport-p2-375.png",
    ]  # the first two pages only
    assert png_size(tmp_path / "rapport-p1-1280.png")[0] == 1280
    assert png_size(tmp_path / "rapport-p2-375.png")[0] == 375
