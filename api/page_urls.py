from django.urls import path

from . import views

app_name = "api-pages"

urlpatterns = [
    path("donnees-ouvertes/", views.open_data, name="open-data"),
    path("compte/jetons-api/", views.token_list, name="token-list"),
    path("compte/jetons-api/<int:pk>/revoquer/", views.token_revoke, name="token-revoke"),
]
