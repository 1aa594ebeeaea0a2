from django import template

from dashboards import formatting

register = template.Library()

register.filter("money", formatting.money)
register.filter("count", formatting.count)
register.filter("rate", formatting.rate)
register.filter("change", formatting.change)


@register.filter
def metric(value, name):
    return formatting.metric_value(name, value)


@register.filter
def tone(value, name):
    return formatting.change_tone(name, value)


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
