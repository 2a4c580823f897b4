from django.urls import path

from . import library_views as views

app_name = "library"

# Public pages (no login): the good-practice library of published monographs.
urlpatterns = [
    path("", views.library_list, name="monograph-list"),
    path("<int:pk>/", views.library_detail, name="monograph-detail"),
]
