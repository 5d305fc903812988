"""Property-based fuzzing of the whole OpenAPI description: no request gets a 5xx.

Schemathesis reads ``/openapi.json`` from a real server (seeds loaded, as in
``test_api.py``) and sends generated requests — valid and invalid parameters, odd Unicode,
random SPARQL and Cypher text — to every operation.  Whatever it sends, the API must answer
with a success or a 4xx in its JSON error shape, never a server error.  Examples per
operation are few so the whole run stays well under a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.app import create_app
from api.deps import ApiSettings
from fiscal_kg import config
from tests.test_api import free_port, load_seeds, running_server

MAX_EXAMPLES = 12


@pytest.fixture(scope="module")
def api_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    data = tmp_path_factory.mktemp("fuzz-data")
    load_seeds(data, f"http://127.0.0.1:{port}")
    with running_server(data, port) as running:
        served = running.client.get("/openapi.json").json()
        assert served == SPEC, "the served description is the one fuzzed"
        yield running.base


def _spec() -> dict:
    """The app's OpenAPI description (building it opens no store)."""
    settings_ = ApiSettings(data=config.Settings(data_dir=Path("unused")), base="http://x")
    return create_app(settings_).openapi()


@schemathesis.serializer("application/sparql-query")
def _sparql_text(_ctx: object, value: object) -> bytes:
    """A SPARQL query body is plain text."""
    return str(value).encode("utf-8", "surrogatepass")


SPEC = _spec()
schema = schemathesis.openapi.from_dict(SPEC)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case: schemathesis.Case, api_base: str) -> None:
    response = case.call(base_url=api_base, timeout=30)
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:
        content_type = (response.headers.get("content-type") or [""])[0]
        assert content_type.startswith(("application/json", "text/html")), content_type
