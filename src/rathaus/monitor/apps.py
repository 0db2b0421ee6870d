from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitorConfig(AppConfig):
    name = "rathaus.monitor"
    label = "monitor"
    verbose_name = _("Digitalisierungsmonitor")

    def ready(self) -> None:
        # Registers every metric with the registry.
        from rathaus.monitor import metrics  # noqa: F401
