"""Read-only representations of catalogue rules for the API."""

from rest_framework import serializers


class AnswerSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="bool / number / choice / photo / text")
    hazard_when = serializers.BooleanField(allow_null=True, help_text="bool：构成隐患的回答")
    unit = serializers.CharField(allow_blank=True)
    operator = serializers.CharField(allow_blank=True, help_text="number：> >= < <=")
    threshold = serializers.FloatField(allow_null=True, help_text="number：目录中的默认阈值")
    effective_threshold = serializers.SerializerMethodField(help_text="number：当前生效阈值（含配置）")
    threshold_setting = serializers.CharField(allow_blank=True, help_text="可配置阈值的 GASGUARD_* 设置名")
    choices = serializers.ListField(child=serializers.CharField())
    hazard_choices = serializers.ListField(child=serializers.CharField())
    min_value = serializers.FloatField(allow_null=True)
    max_value = serializers.FloatField(allow_null=True)
    hazard_condition = serializers.SerializerMethodField(help_text="构成隐患的条件（文字）")

    def get_effective_threshold(self, answer) -> float | None:
        return answer.effective_threshold()

    def get_hazard_condition(self, answer) -> str:
        return answer.hazard_condition()


class RuleSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    question = serializers.CharField()
    targets = serializers.ListField(child=serializers.CharField())
    target_labels = serializers.ListField(child=serializers.CharField())
    answer = AnswerSerializer()
    severity = serializers.CharField()
    severity_label = serializers.CharField()
    category = serializers.CharField()
    category_label = serializers.CharField()
    lead = serializers.CharField(help_text="牵头部门类型（DepartmentKindChoices）")
    lead_label = serializers.CharField()
    support = serializers.ListField(child=serializers.CharField())
    support_labels = serializers.ListField(child=serializers.CharField())
    basis_plan = serializers.CharField(allow_blank=True, help_text="方案条款，如 二(四)2")
    basis_standards = serializers.ListField(child=serializers.CharField())
    legal_basis = serializers.CharField()
    actions = serializers.ListField(child=serializers.CharField())
    action_labels = serializers.ListField(child=serializers.CharField())
    deadline_days = serializers.IntegerField(help_text="默认整改期限（天）；0 = 立即")
    on_the_spot = serializers.BooleanField(help_text="可立行立改")
    source_status = serializers.CharField(help_text="Plan / C / C-sec / M / Unconfirmed")
    is_default_value = serializers.BooleanField(help_text="依据为可配置的默认值（C-sec / M）")
    checklists = serializers.ListField(child=serializers.CharField())
    in_inspection = serializers.BooleanField(help_text="是否出现在现场检查表中（登记数据自动判定的为 false）")
    notes = serializers.CharField(allow_blank=True)
    origin = serializers.CharField(help_text="定义位置 文件:行")
    overridden_by = serializers.CharField(allow_blank=True, help_text="地方从严调整的位置")


class ThresholdSerializer(serializers.Serializer):
    setting = serializers.CharField(help_text="GASGUARD_* 设置名")
    default = serializers.FloatField(help_text="规则文件中的默认值")
    current = serializers.FloatField(help_text="当前生效值")
    unit = serializers.CharField()
    status = serializers.CharField(help_text="来源状态（C-sec / M）")
    rules = serializers.ListField(child=serializers.CharField())


class CatalogVersionSerializer(serializers.Serializer):
    version = serializers.CharField(help_text="规则库内容哈希（检查记录保存此版本）")
    rules = serializers.IntegerField()
    files = serializers.DictField(child=serializers.IntegerField())
    override = serializers.CharField(allow_blank=True)
    overridden_rules = serializers.ListField(child=serializers.CharField())
    by_category = serializers.DictField(child=serializers.IntegerField())
    by_severity = serializers.DictField(child=serializers.IntegerField())
    by_status = serializers.DictField(child=serializers.IntegerField())
    by_target_type = serializers.DictField(child=serializers.IntegerField())
    thresholds = ThresholdSerializer(many=True, help_text="可配置阈值（默认值）")


class ChecklistSerializer(serializers.Serializer):
    version = serializers.CharField()
    target_type = serializers.CharField()
    checklist = serializers.CharField(allow_blank=True)
    count = serializers.IntegerField()
    rules = RuleSerializer(many=True)
