from django.urls import path  # noqa: F401

# Session, attendance, attachment and phase pages of one cluster (the facilitators' work).
urlpatterns = []
