"""Property-based tests from the OpenAPI schema (schemathesis): every operation, every check.

50 examples per operation (the classes of server error issue 16 lists were found with 50),
derandomized so a run is repeatable; each operation is called with a key of a role it admits.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from serving.api.deps import Services
from serving.app import build_services, create_app
from serving.metrics import ServiceMetrics
from serving.security import ROLES, create_key
from serving.settings import ServingSettings
from tests.serving.model_factory import RegisteredModel

MAX_EXAMPLES = 50
ROLE_BY_PREFIX = (  # the first matching prefix picks the key's role
    ("/v1/score", "case_system"),
    ("/v1/admin", "admin"),
    ("/metrics", "admin"),
    ("/v1/audit/requests", "reviewer"),
    ("/v1/audit/summary", "researcher"),
    ("/v1/audit", "researcher"),
    ("/", "reviewer"),
)


@pytest.fixture(scope="module")
def services(
    registered: RegisteredModel, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Services]:
    db = Path(tmp_path_factory.mktemp("st")) / "serving.db"
    built = build_services(
        ServingSettings(
            database_url=f"sqlite:///{db}",
            tracking_uri=registered.tracking_uri,
            model_name=registered.name,
            auth_max_failures=10**9,  # the ignored-auth check sends bad keys on purpose
        ),
        ServiceMetrics(),
    )
    yield built
    built.store.engine.dispose()


@pytest.fixture(scope="module")
def tokens(services: Services) -> dict[str, str]:
    return {role: create_key(services.store, role)[1] for role in ROLES}


class Deferred:
    """An ASGI app that answers lifespan itself and forwards HTTP to ``target``.

    The schema is read at import (schemathesis' pytest loader needs it then; its fixture-based
    loader does not work with pytest 9); the app with the loaded model is plugged in by a fixture.
    """

    def __init__(self) -> None:
        self.target = create_app(ServingSettings())  # building the app does no I/O

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "lifespan":
            await self.target(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return


DEFERRED = Deferred()
# A schema-valid case may still break a rule JSON Schema cannot state (time order, a date in
# the future, victim and perpetrator the same): that is a 422 naming the field, not a failure.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
            }
        }
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", DEFERRED, config=CONFIG)


@pytest.fixture(scope="module")
def live(services: Services) -> Iterator[None]:
    app = create_app(services=services)
    app.state.services = services
    DEFERRED.target = app
    yield


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_check_passes(case, live: None, tokens: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    role = next(r for prefix, r in ROLE_BY_PREFIX if case.path.startswith(prefix))
    case.call_and_validate(headers={"Authorization": f"Bearer {tokens[role]}"})
