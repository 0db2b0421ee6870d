"""Question 4: are the online services uniformly accessible?

For each online service in the catalog, four yes/no criteria: it is reached from the
catalog (linked, and the page loaded when the auditor last visited it), it uses the same
sign-in, it runs on the same host in the same design, and fees are paid the same way. Our
own forms meet all four by construction; services of other operators meet them when their
host is listed as sharing the town's account or payment (RATHAUS_UNIFORM_SIGNIN_HOSTS,
RATHAUS_UNIFORM_PAYMENT_HOSTS).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from rathaus.catalog.models import Service
from rathaus.forms.models import FormDefinition, FormVersion
from rathaus.monitor.models import AuditPage

CRITERIA = {
    "catalog": _("aus dem Leistungskatalog erreichbar"),
    "sign_in": _("gleiche Anmeldung"),
    "design": _("gleiche Gestaltung und Adresse"),
    "payment": _("gleicher Zahlweg"),
}


@dataclass(frozen=True)
class ServiceUniformity:
    service_id: int
    name: str
    met: dict[str, bool]

    @property
    def index(self) -> float:
        return round(100 * sum(self.met.values()) / len(self.met), 1)

    @property
    def missing(self) -> list[str]:
        return [key for key, ok in self.met.items() if not ok]


def _hosts(setting: str) -> set[str]:
    return {h.strip() for h in getattr(settings, setting, "").split(",") if h.strip()}


def assess() -> list[ServiceUniformity]:
    own_host = urlsplit(settings.SITE_URL).hostname
    signin_hosts = _hosts("RATHAUS_UNIFORM_SIGNIN_HOSTS")
    payment_hosts = _hosts("RATHAUS_UNIFORM_PAYMENT_HOSTS")
    published_forms = FormDefinition.objects.filter(
        is_active=True, versions__status=FormVersion.Status.PUBLISHED, service__isnull=False
    )
    own_forms: dict[int, int] = dict(
        published_forms.values_list("service_id", "versions__fee_cents")
    )
    # Pages of online services that the auditor could not load (latest visit per address).
    failed: dict[str, bool] = {}
    for url, error, status in AuditPage.objects.order_by("run__started_at").values_list(
        "url", "error", "status"
    ):
        failed[url] = bool(error) or (status is not None and status >= 400)
    online_payment = getattr(settings, "RATHAUS_PAYMENT_PROVIDER", "none") != "none"

    results = []
    for service in Service.objects.published().online().order_by("name"):
        host = urlsplit(service.online_service_url).hostname
        own = service.pk in own_forms or host == own_host
        charges = own_forms.get(service.pk, 0) > 0 if own else bool(service.fees.strip())
        results.append(
            ServiceUniformity(
                service_id=service.pk,
                name=service.name,
                met={
                    "catalog": not failed.get(service.online_service_url, False),
                    "sign_in": own or host in signin_hosts,
                    "design": own,
                    "payment": not charges or (online_payment if own else host in payment_hosts),
                },
            )
        )
    return results
