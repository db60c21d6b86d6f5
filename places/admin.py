from django.contrib import admin

from .models import Building, Floor, Room, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "partnership"]
    search_fields = ["code", "name"]
    list_select_related = ["partnership"]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "site"]
    search_fields = ["code", "name"]
    list_select_related = ["site"]


@admin.register(Floor)
class FloorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "building"]
    list_select_related = ["building"]


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area_type", "floor_area", "floor", "retired_at"]
    list_filter = ["area_type"]
    search_fields = ["code", "name"]
    list_select_related = ["floor"]
    raw_id_fields = ["floor", "partnership", "updated_by"]
