"""The imports still queued or reading their file, for the data page's progress partial."""

from django import template

from ingestion.models import RunSource, RunStatus

register = template.Library()


@register.simple_tag
def imports_in_progress(runs):
    return [r for r in runs if r.source == RunSource.FILE and r.status in (RunStatus.QUEUED, RunStatus.PARSING)]
