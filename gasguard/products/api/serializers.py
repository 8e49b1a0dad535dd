from rest_framework import serializers

from gasguard.products.models import BlacklistEntry, ProductFinding, ProductModel, Recall, SpotCheck


class ProductModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductModel
        fields = ["id", "kind", "model", "name", "maker", "maker_name", "ccc_status", "ccc_cert_no"]


class SpotCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpotCheck
        fields = [
            "id",
            "product_model",
            "checked_on",
            "department",
            "seller",
            "result",
            "items",
            "report_no",
            "region_code",
        ]
        read_only_fields = ["region_code"]
        extra_kwargs = {"department": {"required": False}, "seller": {"required": False}}


class BlacklistEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = BlacklistEntry
        fields = [
            "id",
            "product_model",
            "maker",
            "reason",
            "source",
            "listed_on",
            "is_active",
            "lifted_on",
            "region_code",
        ]
        read_only_fields = ["is_active", "lifted_on", "region_code"]
        extra_kwargs = {"listed_on": {"required": False}}


class RecallSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recall
        fields = [
            "id",
            "product_model",
            "reason",
            "started_on",
            "status",
            "target_count",
            "located_count",
            "returned_count",
            "scrapped_count",
        ]
        read_only_fields = ["started_on", "status", "located_count", "returned_count", "scrapped_count"]


class RecallProgressSerializer(serializers.Serializer):
    """Progress counts of a recall (已查找到/已收回/已报废); absent counts are 0."""

    # max_value: the PositiveIntegerField columns (a larger count was an overflow, i.e. a 500).
    located = serializers.IntegerField(min_value=0, max_value=2**31 - 1, default=0)
    returned = serializers.IntegerField(min_value=0, max_value=2**31 - 1, default=0)
    scrapped = serializers.IntegerField(min_value=0, max_value=2**31 - 1, default=0)


class RecallCloseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ProductFindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductFinding
        fields = ["id", "hazard", "product_model", "seller", "seller_name", "note", "region_code"]
        read_only_fields = ["region_code"]
