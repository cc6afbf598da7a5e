from django.urls import path, re_path

from steward.api.api import api
from steward.api.errors import json_errors_outside_operations, unknown_endpoint

# Not unpacked into module-level names: include() would read a module's `app_name`.
api_urls = api.urls
for pattern in api_urls[0]:
    pattern.callback = json_errors_outside_operations(pattern.callback)

urlpatterns = [
    path("", api_urls),
    re_path(r"^(?P<rest>.*)$", unknown_endpoint),
]
