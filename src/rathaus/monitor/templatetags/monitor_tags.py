from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def metric_value(value: float | None, unit: str) -> str:
    """A figure as people read it: "66,7 %", "1.234", "87,5 von 100"; "–" when not measured."""
    if value is None:
        return "–"
    decimals = 0 if float(value).is_integer() else 1
    text = number_format(value, decimal_pos=decimals, force_grouping=True)
    if unit == "percent":
        return f"{text} %"
    if unit == "score":
        return _("%(value)s von 100") % {"value": text}
    if unit == "euro":
        return f"{text} €"
    return text


@register.filter
def metric_change(value: float | None, unit: str) -> str:
    """A change with its sign: "+4,2 Prozentpunkte", "−12"."""
    if value is None:
        return ""
    decimals = 0 if float(value).is_integer() else 1
    text = number_format(abs(value), decimal_pos=decimals, force_grouping=True)
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    if unit == "percent":
        return _("%(sign)s%(value)s Prozentpunkte") % {"sign": sign, "value": text}
    return f"{sign}{text}"
