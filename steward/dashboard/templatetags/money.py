"""Showing sums of money kept per currency (steward.dashboard.selectors.Money)."""

from django import template
from django.utils.formats import number_format

from steward.dashboard.selectors import Money

register = template.Library()


def money_text(values: list[Money] | Money, *, decimals: int = 0) -> str:
    """'EUR 12,400 · USD 800', or '0' when there is nothing to add up."""
    if isinstance(values, Money):
        values = [values]
    if not values:
        return "0"
    return " · ".join(
        f"{m.currency} {number_format(m.amount, decimal_pos=decimals, force_grouping=True)}"
        for m in values
    )


@register.filter
def money(values: list[Money] | Money) -> str:
    return money_text(values)
