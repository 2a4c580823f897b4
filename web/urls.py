"""The web layer's URLs. The cluster page keeps its `clusters:cluster-detail` name and path:
qvt/urls.py adds `cluster_patterns` to the clusters app's namespace (a domain app cannot import
this app to list it itself)."""

from django.urls import path

from . import views

cluster_patterns = [
    path("<int:pk>/", views.cluster_detail, name="cluster-detail"),
]
