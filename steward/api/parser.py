"""Reading request bodies: JSON only, and only JSON every database can store."""

import json

from django.http import HttpRequest
from ninja.parser import Parser


class UnsupportedMediaType(ValueError):
    """The body is not declared as JSON."""


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON (RFC 8259), and PostgreSQL's jsonb refuses them.
    raise ValueError(f"{name} is not a JSON number")


class JsonParser(Parser):
    """Parses JSON bodies sent as application/json (or a +json type), nothing else."""

    def parse_body(self, request: HttpRequest):
        content_type = (request.content_type or "").lower()
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise UnsupportedMediaType(content_type)
        return json.loads(request.body, parse_constant=_refuse_constant)
