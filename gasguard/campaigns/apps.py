from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "gasguard.campaigns"
    label = "campaigns"
    verbose_name = "专项整治调度"
