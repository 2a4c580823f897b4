from django.urls import include, path

from . import session_urls, views

app_name = "clusters"

urlpatterns = [
    path("", views.cluster_list, name="cluster-list"),
    path("nouveau/", views.cluster_create, name="cluster-create"),
    path("<int:pk>/modifier/", views.cluster_edit, name="cluster-edit"),
    path("<int:pk>/supprimer/", views.cluster_delete, name="cluster-delete"),
    path("<int:pk>/statut/", views.cluster_transition, name="cluster-transition"),
    path("<int:pk>/historique/", views.cluster_history_page, name="cluster-history"),
    path(
        "<int:pk>/statut/<str:target>/",
        views.cluster_transition_confirm,
        name="cluster-transition-confirm",
    ),
    path("<int:pk>/membres/", views.member_search, name="member-search"),
    path("<int:pk>/membres/ajouter/", views.member_add, name="member-add"),
    path(
        "<int:pk>/membres/<int:membership_pk>/retrait/",
        views.member_withdraw,
        name="member-withdraw",
    ),
    path(
        "<int:pk>/membres/<int:membership_pk>/date-entree/",
        views.member_joined_on,
        name="member-joined-on",
    ),
    path(
        "<int:pk>/membres/<int:membership_pk>/contacts/ajouter/",
        views.contact_create,
        name="contact-create",
    ),
    path("<int:pk>/contacts/<int:contact_pk>/modifier/", views.contact_edit, name="contact-edit"),
    path(
        "<int:pk>/contacts/<int:contact_pk>/supprimer/",
        views.contact_delete,
        name="contact-delete",
    ),
    path("<int:cluster_pk>/seances/", include(session_urls)),
]
