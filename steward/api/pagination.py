"""Limit/offset pages with the total count and links to the neighbouring pages."""

from django.db.models import QuerySet
from django.http import HttpRequest

from steward.api.schemas import ChangedSinceParams, PageParams


def changed_since(queryset: QuerySet, params: ChangedSinceParams) -> QuerySet:
    """Narrows a list to records created or changed after the given moments (incremental
    sync). Only ever narrows a queryset a selector has already restricted."""
    if params.created_after is not None:
        queryset = queryset.filter(created_at__gt=params.created_after)
    if params.updated_after is not None:
        queryset = queryset.filter(updated_at__gt=params.updated_after)
    return queryset


def _link(request: HttpRequest, limit: int, offset: int) -> str:
    query = request.GET.copy()
    query["limit"] = str(limit)
    query["offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(request: HttpRequest, queryset: QuerySet, page: PageParams) -> dict:
    """One page of `queryset` (already in a stable order) as {count, next, previous, results}."""
    count = queryset.count()
    limit, offset = page.limit, page.offset
    results = list(queryset[offset : offset + limit]) if offset < count else []
    has_next = offset + limit < count
    has_previous = offset > 0 and count > 0
    return {
        "count": count,
        "next": _link(request, limit, offset + limit) if has_next else None,
        "previous": _link(request, limit, max(0, min(offset, count) - limit))
        if has_previous
        else None,
        "results": results,
    }
