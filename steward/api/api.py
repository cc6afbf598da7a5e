"""The REST API (/api/v1): one NinjaAPI with bearer-token auth and a router per resource.
The OpenAPI document is at /api/v1/openapi.json, interactive docs at /api/v1/docs."""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from steward.api.auth import TokenAuth, with_token_in_audit_context
from steward.api.errors import install_error_handlers
from steward.api.parser import JsonParser
from steward.api.routers import (
    activities,
    consents,
    contacts,
    deals,
    me,
    organisations,
    processing,
    rights,
    subscriptions,
)

DESCRIPTION = """\
Steward's REST API. Every request acts as the staff user a token belongs to, with that
user's role and record scope: records you may not see answer 404.

**Authentication**: `Authorization: Bearer stw_...`. Create a token with
`steward token create --email you@example.com --name "my integration"`.

**Errors** are JSON: `{"detail": "...", "errors": {"field": ["problem"]}}` with 400 (body
not JSON), 401 (no or bad token), 403 (your role may not), 404 (no such record, or not
visible to you), 409 (conflict, e.g. a duplicate email), 413 (body too large), 415 (body
not sent as `application/json`) or 422 (invalid fields, each named in `errors`).

**Bodies** are JSON objects; unknown fields are refused, so a typo cannot pass unnoticed.
PATCH changes only the fields sent. Datetimes are ISO 8601 (without an offset: UTC).

**Lists** take `limit` (at most 200) and `offset` and return `count`, `next`, `previous`
and `results`; `updated_after` gives what changed since your last sync.
"""


class StewardAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # Handler names (list_contacts, update_deal) read better in generated clients
        # than ninja's module-path ids.
        return operation.view_func.__name__


api = StewardAPI(
    title="Steward API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="api",
    parser=JsonParser(),
    # Served from ninja's bundled copy of Swagger UI (ninja is in INSTALLED_APPS), never a
    # CDN; validatorUrl=None stops Swagger UI from sending the schema to validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None, "tryItOutEnabled": False}),
)
install_error_handlers(api)
api.add_decorator(with_token_in_audit_context)
api.add_router("/contacts", contacts.router)
api.add_router("/contacts", processing.router)  # /contacts/{id}/processing
api.add_router("/organisations", organisations.router)
api.add_router("/activities", activities.router)
api.add_router("/deals", deals.router)
api.add_router("/pipelines", deals.pipelines_router)
api.add_router("/me", me.router)
api.add_router("/consents", consents.router)
api.add_router("/rights-requests", rights.router)
api.add_router("/subscriptions", subscriptions.router)  # public: auth=None per endpoint
