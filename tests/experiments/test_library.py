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
        # page of monographs (+ establishment, cluster, region, wave, and the titles of the
        # experiments and the names of the themes as arrays)
        with django_assert_num_queries(5):
            assert client.get(LIBRARY).status_code == 200
        # the same but the count (a search counts its matches in the page's query), plus the
        # chosen theme (the form checks it exists) and the page's excerpts
        with django_assert_num_queries(6):
            params = {"q": "gériatrie or dialogue", "theme": themes[0].pk}
            assert client.get(LIBRARY, params).status_code == 200
        # the monograph (+ establishment, cluster, region, wave, Aract), cluster themes,
        # related monographs (sharing a theme, then of the same sector)
        with django_assert_num_queries(4):
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


def test_a_search_page_out_of_range_or_not_a_number_behaves_like_any_list(client, themes):
    """A search counts its matches with the page's rows; a page past the last one, or not a
    number, still gives the last page or the first, as the other lists do."""
    for _ in range(2):
        cluster = ClusterFactory(region_code="84", themes=[themes[0]])
        for index in range(6):
            publish(cluster, f"Monographie {index}", context="Dialogue social")
    for page, expected in [("2", (2, 2)), ("9", (2, 2)), ("x", (1, 10)), ("0", (2, 2))]:
        found = client.get(LIBRARY, {"q": "dialogue", "page": page}).context["page"]
        assert (found.number, len(found.object_list)) == expected, page
        assert found.paginator.count == 12
    found = client.get(LIBRARY, {"q": "dialogue", "page": 10**30}).context["page"]
    assert (found.number, found.paginator.count) == (2, 12)
    nothing = client.get(LIBRARY, {"q": "introuvable"})
    assert nothing.context["page"].paginator.count == 0
    assert "Aucune monographie publiée ne correspond" in nothing.content.decode()


def test_the_cached_cards_follow_every_value_they_show(client, library, themes):
    """The cards are cached under the values they show: a renamed establishment or wave, a new
    experiment or theme is shown at once, whoever writes it."""
    from experiments.models import Experiment

    assert "Horaires en gériatrie" in client.get(LIBRARY).content.decode()
    membership = library["idf"].membership

    def rename_establishment():
        membership.establishment.short_name = "EHPAD RENOMMÉ"
        membership.establishment.save()

    def rename_wave():
        membership.cluster.wave.name = "Vague renommée"
        membership.cluster.wave.save()

    for change, shown in [
        (rename_establishment, "EHPAD RENOMMÉ"),
        (rename_wave, "Vague renommée"),
        (lambda: Experiment.objects.create(membership=membership, title="Binômes"), "Binômes"),
        (lambda: membership.cluster.themes.add(themes[1]), f"{themes[0].name}, {themes[1].name}"),
    ]:
        change()
        cards = client.get(LIBRARY).content.decode().split('class="qvt-plain-list"')[1]
        assert shown in cards, shown  # (wave and theme names are in the filters' choices too)


def test_anonymous_visitors_find_the_library_in_the_navigation(client):
    login_page = client.get(reverse("accounts:login")).content.decode()
    assert f'class="fr-nav__link" href="{LIBRARY}"' in login_page


def publish_through_workflow(monograph):
    """What monograph_transition does at publication: the public text is stored, masked."""
    monograph.redact()
    monograph.save()
    return monograph


def test_search_ignores_accents(client, library):
    publish_through_workflow(library["bzh"])
    library["idf"].context = "L'absentéisme des équipes de nuit a baissé."
    publish_through_workflow(library["idf"])
    found = titles(client, q="absentéisme")
    assert found == {"Horaires en gériatrie"}
    assert titles(client, q="absenteisme") == found
    assert titles(client, q="ABSENTEISME") == found
    assert titles(client, q="equipes de nuit") == {"Horaires en gériatrie"}


def test_search_finds_monographs_through_experiments_and_themes(client, library):
    from experiments.models import Experiment

    Experiment.objects.create(
        membership=library["bzh"].membership, title="Réorganiser les transmissions"
    )
    assert titles(client, q="transmissions") == {"Espaces de discussion"}
    gerontology = Theme.objects.get(name="Gérontologie")
    library["idf"].membership.cluster.themes.add(gerontology)
    assert titles(client, q="gerontologie") == {"Horaires en gériatrie"}
    page = client.get(LIBRARY, {"q": "transmissions"}).content.decode()
    assert "Réorganiser les transmissions" in page  # the card lists the experiments


def test_results_are_ranked(client, themes):
    cluster = ClusterFactory(region_code="11", themes=[themes[0]])
    publish(cluster, "Une fois", context="Le tutorat des nouveaux arrivants.")
    publish(cluster, "Le tutorat", summary="Tutorat", context="Tutorat, tutorat et tutorat.")
    response = client.get(LIBRARY, {"q": "tutorat"})
    assert [m.title for m in response.context["page"].object_list] == ["Le tutorat", "Une fois"]


def test_excerpts_highlight_the_matches_and_escape_the_text(client, library):
    monograph = library["idf"]
    monograph.lessons = (
        "L'absentéisme <img src=x onerror=alert(1)> recule. Écrire à rh.cadre@example.org."
    )
    publish_through_workflow(monograph)
    response = client.get(LIBRARY, {"q": "absenteisme"})
    page = response.content.decode()
    assert "<mark>absentéisme</mark>" in page
    assert "<img src=x" not in page
    assert "rh.cadre@example.org" not in page
    # a row published by other means (no stored redaction): the excerpt is masked as well
    library["bzh"].context = "Absentéisme : appeler le 06 12 34 56 78."
    library["bzh"].save()
    page = client.get(LIBRARY, {"q": "absenteisme"}).content.decode()
    assert "06 12 34 56 78" not in page


def test_each_card_shows_the_summary(client, library):
    library["bzh"].summary = "Des espaces de parole mensuels dans chaque service."
    publish_through_workflow(library["bzh"])
    assert (
        "Des espaces de parole mensuels dans chaque service."
        in client.get(LIBRARY).content.decode()
    )
    detail = client.get(reverse("library:monograph-detail", args=[library["bzh"].pk]))
    assert "Des espaces de parole mensuels dans chaque service." in detail.content.decode()


def test_the_summary_is_masked_like_the_sections(client, library):
    library["bzh"].summary = "Contact : jeanne@example.org"
    publish_through_workflow(library["bzh"])
    for url in (LIBRARY, reverse("library:monograph-detail", args=[library["bzh"].pk])):
        page = client.get(url).content.decode()
        assert "jeanne@example.org" not in page
        assert "[coordonnées masquées]" in page


def test_related_monographs_share_a_theme_or_the_sector(client, library, themes):
    same_theme = publish(ClusterFactory(region_code="84", themes=[themes[0]]), "Même thématique")
    unrelated_cluster = ClusterFactory(region_code="84", themes=[themes[1]])
    other_sector = publish(unrelated_cluster, "Autre secteur")
    other_sector.membership.establishment.sector = "sanitaire"
    other_sector.membership.establishment.save()
    response = client.get(reverse("library:monograph-detail", args=[library["idf"].pk]))
    related = [m.title for m in response.context["related"]]
    # the same theme first; the Breton one shares the sector (factory EHPAD), not the theme
    assert related == ["Même thématique", "Espaces de discussion"]
    assert [m.shares_theme for m in response.context["related"]] == [True, False]
    page = response.content.decode()
    assert "Monographies proches" in page
    assert page.count('fr-card__detail">Même thématique<') == 1
    assert page.count('fr-card__detail">Même secteur<') == 1
    assert same_theme.pk != library["idf"].pk


def test_each_monograph_downloads_as_a_tagged_pdf(client, library):
    from io import BytesIO

    from pypdf import PdfReader

    library["idf"].summary = "Résumé de la démarche."
    publish_through_workflow(library["idf"])
    url = reverse("library:monograph-pdf", args=[library["idf"].pk])
    detail = client.get(reverse("library:monograph-detail", args=[library["idf"].pk]))
    assert url in detail.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    reader = PdfReader(BytesIO(response.content))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # tagged
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "fr"
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Horaires en gériatrie" in text
    assert "Les formations croisées" in text
    draft = client.get(reverse("library:monograph-pdf", args=[library["draft"].pk]))
    assert draft.status_code == 404
