"""Admin: read-mostly views; contact data stays encrypted (never shown here)."""

from django.contrib import admin

from gasguard.tips.models import Open311Client, Reward, RewardRule, Tip


@admin.register(Tip)
class TipAdmin(admin.ModelAdmin):
    list_display = ["id", "category", "channel", "status", "region_code", "department", "created_at"]
    list_filter = ["status", "category", "channel"]
    exclude = ["reporter_name_enc", "reporter_phone_enc", "reporter_phone_index", "source_ip_hash"]
    readonly_fields = ["code", "reporter_phone_masked", "hazard", "verified_by", "entered_by"]

    def has_add_permission(self, request):
        return False


@admin.register(RewardRule)
class RewardRuleAdmin(admin.ModelAdmin):
    list_display = [
        "region",
        "general_amount",
        "major_amount",
        "min_amount",
        "max_amount",
        "requires_real_name",
    ]
    readonly_fields = ["region_code"]


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ["tip", "amount", "status", "proposed_by", "approved_by", "paid_on"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):
        return False  # through the services only (four-eyes, audit)


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "region", "channel", "is_active", "last_used_at"]
    readonly_fields = ["key_prefix", "key_hash", "last_used_at"]

    def has_add_permission(self, request):
        return False  # create with `gasguard open311_client create` (the key is shown once)
