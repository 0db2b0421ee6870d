"""Reading the device inventory for the staff pages: the summary per office and the list.

"In use" means what the metric `b1.home_office_readiness` means (`monitor/metrics.py`):
purchased on or before the day and not retired by then, so the page and the dashboard agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from rathaus.accounts.models import Office
from rathaus.monitor.models import Device, Headcount
from rathaus.monitor.registry import share

WARRANTY_SOON = dt.timedelta(days=90)


def in_use(day: dt.date) -> Q:
    return Q(purchased_on__lte=day) & (Q(retired_on__isnull=True) | Q(retired_on__gt=day))


def _equipped(day: dt.date) -> Q:
    return in_use(day) & Q(home_office_capable=True) & ~Q(holder="")


@dataclass
class OfficeRow:
    office: Office | None  # None: devices without an office
    in_use: int = 0
    capable: int = 0
    equipped: int = 0  # distinct staff numbers with a capable device in use
    staff: int | None = None
    as_of: dt.date | None = None

    @property
    def readiness(self) -> float | None:
        return share(self.equipped, self.staff or 0)


@dataclass
class Summary:
    day: dt.date
    rows: list[OfficeRow] = field(default_factory=list)
    total: OfficeRow = field(default_factory=lambda: OfficeRow(office=None))
    undated: int = 0  # not retired, but without a purchase date: not counted as in use


def latest_headcounts(day: dt.date) -> dict[int, Headcount]:
    """The newest headcount per office on or before `day` (one query)."""
    latest: dict[int, Headcount] = {}
    for headcount in Headcount.objects.filter(as_of__lte=day).order_by("office_id", "as_of"):
        latest[headcount.office_id] = headcount  # ordered by day: the last one wins
    return latest


def summary(day: dt.date) -> Summary:
    """Devices, capable devices, staff and readiness per office, in four queries."""
    per_office = {
        row["office_id"]: row
        for row in Device.objects.order_by()
        .values("office_id")
        .annotate(
            in_use=Count("id", filter=in_use(day)),
            capable=Count("id", filter=in_use(day) & Q(home_office_capable=True)),
            equipped=Count("holder", distinct=True, filter=_equipped(day)),
        )
    }
    headcounts = latest_headcounts(day)
    offices = Office.objects.filter(
        pk__in={*headcounts, *(pk for pk in per_office if pk is not None)}
    ).order_by("name")
    result = Summary(day=day)
    for office in offices:
        counts = per_office.get(office.pk, {})
        headcount = headcounts.get(office.pk)
        result.rows.append(
            OfficeRow(
                office=office,
                in_use=counts.get("in_use", 0),
                capable=counts.get("capable", 0),
                equipped=counts.get("equipped", 0),
                staff=headcount.staff if headcount else None,
                as_of=headcount.as_of if headcount else None,
            )
        )
    if None in per_office and per_office[None]["in_use"]:
        counts = per_office[None]
        result.rows.append(
            OfficeRow(
                office=None,
                in_use=counts["in_use"],
                capable=counts["capable"],
                equipped=counts["equipped"],
            )
        )
    # A person with devices in two offices counts once in the total, as in the metric.
    totals = Device.objects.aggregate(
        equipped=Count("holder", distinct=True, filter=_equipped(day)),
        undated=Count(
            "id",
            filter=Q(purchased_on__isnull=True)
            & (Q(retired_on__isnull=True) | Q(retired_on__gt=day)),
        ),
    )
    result.total = OfficeRow(
        office=None,
        in_use=sum(row["in_use"] for row in per_office.values()),
        capable=sum(row["capable"] for row in per_office.values()),
        equipped=totals["equipped"],
        staff=sum(h.staff for h in headcounts.values()) if headcounts else None,
    )
    result.undated = totals["undated"]
    return result


@dataclass(frozen=True)
class DeviceFilters:
    office: Office | None = None
    kind: str = ""
    capable: bool | None = None
    warranty: str = ""  # "expired" | "expiring" | ""
    status: str = ""  # "in_use" (not retired) | "retired" | ""


def devices(filters: DeviceFilters, *, day: dt.date) -> QuerySet[Device]:
    queryset = Device.objects.select_related("office").order_by("inventory_number")
    if filters.office is not None:
        queryset = queryset.filter(office=filters.office)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.capable is not None:
        queryset = queryset.filter(home_office_capable=filters.capable)
    if filters.warranty == "expired":
        queryset = queryset.filter(warranty_until__lt=day)
    elif filters.warranty == "expiring":
        queryset = queryset.filter(warranty_until__gte=day, warranty_until__lte=day + WARRANTY_SOON)
    if filters.status == "in_use":
        queryset = queryset.filter(Q(retired_on__isnull=True) | Q(retired_on__gt=day))
    elif filters.status == "retired":
        queryset = queryset.filter(retired_on__lte=day)
    return queryset


def headcounts() -> QuerySet[Headcount]:
    return Headcount.objects.select_related("office").order_by("office__name", "-as_of")
