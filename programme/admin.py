from django.contrib import admin

from .models import PublishedFigure


@admin.register(PublishedFigure)
class PublishedFigureAdmin(admin.ModelAdmin):
    list_display = ["label", "wave_code", "value", "text", "metric", "source", "published_when"]
    list_filter = ["metric", "wave_code"]
    ordering = ["position", "id"]
