"""The public good-practice library: published monographs only, filters, French full-text
search, no personal data, constant query counts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from clusters.models import DelegationContact, Theme
from experiments.models import Monograph
from tests.factories import ClusterFactory, WaveFactory, add_members

pytestmark = pytest.mark.django_db
LIBRARY = reverse("library:monograph-list")


def publish(cluster, title, status=Monograph.Status.PUBLIEE, **sections):
    member = add_members(cluster, 1)[0]
    return Monograph.objects.create(
        membership=member,
        title=title,
        status=status,
        published_at=timezone.now() if status == Monograph.Status.PUBLIEE else None,
        **sections,
    )


@pytest.fixture
def themes():
    return list(Theme.objects.order_by("name")[:2])


@pytest.fixture
def library(themes):
    francilien = ClusterFactory(region_code="11", themes=[themes[0]])
    breton = ClusterFactory(region_code="53", themes=[themes[1]], wave=WaveFactory(code="2031"))
    return {
        "idf": publish(francilien, "Horaires en gériatrie", lessons="Les formations croisées"),
        "bzh": publish(breton, "Espaces de discussion", context="Dialogue social renforcé"),
        "draft": publish(francilien, "Brouillon secret", status=Monograph.Status.VALIDEE),
    }


def titles(client, **params):
    response = client.get(LIBRARY, params)
    assert response.status_code == 200
    return {m.title for m in response.context["page"].object_list}


def test_anonymous_visitors_read_published_monographs_only(client, library):
    assert titles(client) == {"Horaires en gériatrie", "Espaces de discussion"}
    detail = client.get(reverse("library:monograph-detail", args=[library["idf"].pk]))
    assert detail.status_code == 200
    assert "Les formations croisées" in detail.content.decode()
    hidden = client.get(reverse("library:monograph-detail", args=[library["draft"].pk]))
    assert hidden.status_code == 404


def test_filters_by_theme_sector_region_and_wave(client, library, themes):
    assert titles(client, theme=themes[0].pk) == {"Horaires en gériatrie"}
    assert titles(client, theme=themes[1].pk) == {"Espaces de discussion"}
    assert titles(client, region=library["bzh"].membership.cluster.region_id) == {
        "Espaces de discussion"
    }
    assert titles(client, wave=library["bzh"].membership.cluster.wave_id) == {
        "Espaces de discussion"
    }
    assert len(titles(client, sector="medico_social")) == 2  # factory establishments: EHPAD
    assert titles(client, sector="sanitaire") == set()


def test_a_theme_of_an_experiment_also_finds_the_monograph(client, library, themes):
    from experiments.models import Experiment

    experiment = Experiment.objects.create(membership=library["bzh"].membership, title="Essai")
    experiment.themes.add(themes[0])
    assert titles(client, theme=themes[0].pk) == {"Horaires en gériatrie", "Espaces de discussion"}


def test_french_full_text_search_over_title_and_sections(client, library):
    assert titles(client, q="formation") == {"Horaires en gériatrie"}  # stemmed: formations
    assert titles(client, q="dialogue sociaux") == {"Espaces de discussion"}
    assert titles(client, q="secret") == set()  # not published
    assert (
        titles(client, q="gériatrie", region=library["bzh"].membership.cluster.region_id) == set()
    )


def test_no_contact_data_on_public_pages(client, library, aract):
    monograph = library["idf"]
    member = monograph.membership
    DelegationContact.objects.create(
        membership=member,
        role="direction",
        name="Jeanne Directrice",
        email="jeanne.directrice@example.org",
        phone="01 23 45 67 89",
    )
    member.establishment.phone = "0198765432"
    member.establishment.address = "12 rue des Lilas"
    member.establishment.save()
    monograph.authors.add(aract)
    monograph.annexes = "Contact : referent.qvt@example.org ou 06 12 34 56 78."
    monograph.save()
    pages = [
        client.get(LIBRARY).content.decode(),
        client.get(reverse("library:monograph-detail", args=[monograph.pk])).content.decode(),
    ]
    for page in pages:
        for personal in (
            "Jeanne Directrice",
            "jeanne.directrice@example.org",
            "01 23 45 67 89",
            "0198765432",
            "12 rue des Lilas",
            "referent.qvt@example.org",
            "06 12 34 56 78",
            aract.last_name,
            aract.email,
        ):
            assert personal not in page
    assert "[coordonnées masquées]" in pages[1]
    assert member.cluster.aract.name in pages[1]  # the organisation, not the person


def test_library_query_count_is_constant(client, library, themes, django_assert_num_queries):
    detail = reverse("library:monograph-detail", args=[library["idf"].pk])

    def check():
        # (anonymous: no session) the filter form's themes, regions and waves; count; the
        # page of monographs (+ establishment, cluster, region, wave, Aract); cluster themes
        with django_assert_num_queries(6):
            assert client.get(LIBRARY).status_code == 200
        # the same, plus the chosen theme (the form checks it exists)
        with django_assert_num_queries(7):
            params = {"q": "gériatrie or dialogue", "theme": themes[0].pk}
            assert client.get(LIBRARY, params).status_code == 200
        # the monograph (+ establishment, cluster, region, wave, Aract), cluster themes
        with django_assert_num_queries(2):
            assert client.get(detail).status_code == 200

    check()
    for _ in range(2):
        cluster = ClusterFactory(region_code="84", themes=themes)
        for index in range(6):
            publish(cluster, f"Monographie {index}", context="Dialogue social")
    check()


def test_the_library_paginates_and_keeps_the_filters(client, themes):
    for _ in range(2):
        cluster = ClusterFactory(region_code="84", themes=[themes[0]])
        for index in range(6):
            publish(cluster, f"Monographie {index}", context="Dialogue social")
    response = client.get(LIBRARY, {"q": "dialogue", "theme": themes[0].pk})
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list)) == (12, 10)
    assert f"?q=dialogue&amp;theme={themes[0].pk}&amp;page=2" in response.content.decode()
    second = client.get(LIBRARY, {"q": "dialogue", "theme": themes[0].pk, "page": 2})
    assert len(second.context["page"].object_list) == 2


def test_anonymous_visitors_find_the_library_in_the_navigation(client):
    login_page = client.get(reverse("accounts:login")).content.decode()
    assert f'class="fr-nav__link" href="{LIBRARY}"' in login_page
