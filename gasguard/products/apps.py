from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "gasguard.products"
    label = "products"
    verbose_name = "产品质量"
