from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "rathaus.accounts"
    label = "accounts"
    verbose_name = _("Konten und Organisation")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from rathaus.accounts.roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self)
