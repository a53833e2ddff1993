"""Shared dependencies: the app's services, the authenticated caller and role checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Final

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from features.rules import RulesConfig
from serving.api.auth import LockedOutError, clean_address, verify_throttled
from serving.db.audit_log_writer import AuditLogWriter
from serving.db.store import Store
from serving.metrics import ServiceMetrics
from serving.model_loader import LoadedModel, ModelHolder, ModelNotAvailableError
from serving.scoring_service import new_request_id
from serving.security import Caller, KeyVerifier
from serving.settings import ServingSettings
from serving.throttle import FailureThrottle


@dataclass
class Services:
    """Everything the routes use, built once by the app's lifespan."""

    settings: ServingSettings
    holder: ModelHolder
    store: Store
    verifier: KeyVerifier
    metrics: ServiceMetrics
    rules: RulesConfig | None
    audit_log: AuditLogWriter = field(init=False)
    throttle: FailureThrottle = field(init=False)

    def __post_init__(self) -> None:
        self.audit_log = AuditLogWriter(self.store)
        s = self.settings
        self.throttle = FailureThrottle(
            s.auth_max_failures, s.auth_window_seconds, s.auth_lockout_seconds
        )

    def close(self) -> None:
        """Refuse further audit-log rows, then release the database."""
        self.audit_log.close()
        self.store.close()


async def get_services(request: Request) -> Services:
    """Return the app's services (set up by the lifespan)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="the API key")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
ApiKeyDep = Annotated[str | None, Depends(_api_key)]


def client_address(request: Request) -> str:
    """Return the client's address as the server saw it (the throttle's per-address subject)."""
    return clean_address(request.client.host if request.client else None)


def locked_out(exc: LockedOutError) -> HTTPException:
    """Return the 429 of a locked-out key id or address, saying when to try again."""
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        f"too many failed authentication attempts; try again in {exc.retry_after} s",
        headers={"Retry-After": str(exc.retry_after)},
    )


def request_token(request: Request) -> str:
    """Return the API key of a request (Bearer or X-API-Key header), or an empty string."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return request.headers.get("x-api-key", "").strip()


def authenticate(services: Services, request: Request) -> Caller:
    """Return the caller of the request's key; 401 if missing or not valid, 429 if locked out."""
    gated = request.scope.get("state", {}).get("caller")  # checked before the body was read
    caller: Caller | None = gated if isinstance(gated, Caller) else None
    if caller is None:
        try:
            token, client = request_token(request), client_address(request)
            caller = verify_throttled(services.verifier, services.throttle, token, client)
        except LockedOutError as exc:
            raise locked_out(exc) from exc
    if caller is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a valid API key is required (Authorization: Bearer <key> or X-API-Key)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.key_id = caller.key_id
    return caller


def require_role(caller: Caller, roles: frozenset[str]) -> Caller:
    """Return the caller if their key has one of ``roles``; 403 otherwise."""
    if caller.role not in roles:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"this key's role may not use this endpoint (allowed: {sorted(roles)})",
        )
    return caller


def serving_model(services: Services) -> LoadedModel:
    """Return the model serving this request (one reference for the whole request); 503 if none."""
    try:
        return services.holder.model
    except ModelNotAvailableError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "no model is loaded") from exc


async def get_caller(
    request: Request, services: ServicesDep, _bearer: BearerDep, _api_key: ApiKeyDep
) -> Caller:
    """Authenticate the request's API key (Bearer header or X-API-Key); 401 if missing or bad."""
    return authenticate(services, request)


class RoleChecker:
    """A dependency admitting only callers whose key has one of ``roles`` (else 403)."""

    def __init__(self, *roles: str) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
        """Return the caller if their role is allowed."""
        return require_role(caller, self.roles)


Admin = Annotated[Caller, Depends(RoleChecker("admin"))]
AnyRole = Annotated[Caller, Depends(get_caller)]
AuditReader = Annotated[Caller, Depends(RoleChecker("reviewer", "researcher", "admin"))]
# case-level audit records: reviewers and admins only (researchers get aggregates)
CaseAuditReader = Annotated[Caller, Depends(RoleChecker("reviewer", "admin"))]


async def current_model(services: ServicesDep) -> LoadedModel:
    """Return the model serving this request (one reference for the whole request); 503 if none."""
    return serving_model(services)


ModelDep = Annotated[LoadedModel, Depends(current_model)]

_SCORING_ROLES: Final[frozenset[str]] = frozenset({"case_system"})


@dataclass(frozen=True, slots=True)
class ScoringCall:
    """What a scoring route needs: the services, the model serving the call and its caller."""

    services: Services
    model: LoadedModel
    caller: Caller
    request_id: str


async def scoring_call(request: Request, _bearer: BearerDep, _api_key: ApiKeyDep) -> ScoringCall:
    """Authenticate a case system (401, 403) and take the serving model (503), in one step.

    One dependency instead of four (services, caller, role, model): FastAPI's resolution of
    each costs more than the check itself on the scoring hot path.
    """
    services: Services = request.app.state.services
    caller = require_role(authenticate(services, request), _SCORING_ROLES)
    request_id = getattr(request.state, "request_id", None) or new_request_id()
    return ScoringCall(services, serving_model(services), caller, request_id)


ScoringCallDep = Annotated[ScoringCall, Depends(scoring_call)]
