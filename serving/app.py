"""The FastAPI application: ``create_app()`` wires settings, store, model and routes.

Nothing happens at import time. The lifespan migrates the database, loads the model once and
refuses to start (with instructions) when no model is registered.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI

from features.rules import RulesConfig, load_config
from serving.api import audit_log, bias_audit, health, model, score
from serving.api.body import add_schemas
from serving.api.deps import Services
from serving.api.errors import install_error_handlers
from serving.api.limits import FORM_BODY_BYTES, Area, BodyGuard, api_key_gate
from serving.db.checkpoint import start_checkpointer
from serving.db.session import init_db, is_sqlite_file, make_engine
from serving.db.store import Store
from serving.metrics import MetricsMiddleware, ServiceMetrics
from serving.model_loader import ModelHolder
from serving.schemas import BatchScoreRequest, ScoreRequest
from serving.security import KeyVerifier
from serving.settings import ServingSettings, get_settings
from serving.web import install_web
from serving.web.deps import PREFIX, session_gate

log = logging.getLogger("serving.app")

DESCRIPTION = (
    "Second Look scores a domestic abuse case twice. The **statutory** result (grade, required "
    "actions, reasons and sources from the force's rule table) is authoritative and always "
    "returned. The **model** adds an advisory calibrated probability, band and the reasons "
    "behind it (SHAP contributions in log-odds); it can suggest a review but never lowers the "
    "grade or removes an action. Every score is audited before it is answered."
)


def build_services(settings: ServingSettings, metrics: ServiceMetrics) -> Services:
    """Connect and migrate the database, load the model and assemble the services."""
    background = settings.sqlite_checkpoint_seconds > 0 and is_sqlite_file(settings.database_url)
    engine = make_engine(
        settings.database_url, settings.db_pool_size, settings.sqlite_synchronous, background
    )
    init_db(engine)
    stop = start_checkpointer(engine, settings.sqlite_checkpoint_seconds) if background else None
    store = Store(engine, on_close=stop.set if stop else None, on_record=metrics.count_audit_commit)
    holder = ModelHolder(settings)
    holder.reload()
    rules: RulesConfig | None = (
        load_config(settings.rules_config_path) if settings.rules_config_path else None
    )
    return Services(
        settings=settings,
        holder=holder,
        store=store,
        verifier=KeyVerifier(store, settings.key_cache_seconds),
        metrics=metrics,
        rules=rules,
    )


def _lifespan(
    settings: ServingSettings, metrics: ServiceMetrics, services: Services | None
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if services is not None:
            app.state.services = services
            yield
            return
        built = build_services(settings, metrics)
        app.state.services = built
        gc.collect()
        gc.freeze()  # startup objects (model, libraries) leave the GC's scans: shorter pauses
        log.info("serving model %s", built.holder.describe())
        try:
            yield
        finally:
            built.close()

    return lifespan


def _guard_bodies(app: FastAPI, metrics: ServiceMetrics) -> None:
    areas = (
        Area("/v1/", api_key_gate),
        Area(PREFIX + "/", session_gate, FORM_BODY_BYTES, frozenset({PREFIX + "/login"})),
        Area("/", None),
    )
    app.add_middleware(BodyGuard, areas=areas)  # inner: sizes and keys before any body is read
    app.add_middleware(MetricsMiddleware, metrics=metrics)  # outer: sees every answer


def create_app(
    settings: ServingSettings | None = None, *, services: Services | None = None
) -> FastAPI:
    """Build the app; the lifespan loads the model and connects to the database.

    ``services`` (from :func:`build_services`) may be passed in to share one loaded model and
    engine between apps (tests, benchmarks); the lifespan then neither loads nor disposes them.
    """
    settings = settings or (services.settings if services else get_settings())
    metrics = services.metrics if services else ServiceMetrics()
    app = FastAPI(
        title="Second Look scoring API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=_lifespan(settings, metrics, services),
    )
    for router in (score.router, model.router, audit_log.router, bias_audit.router, health.router):
        app.include_router(router)
    install_web(app)  # reviewer pages (HTML) under /reviewer
    install_error_handlers(app)
    _guard_bodies(app, metrics)
    _document_manual_bodies(app)
    return app


def _document_manual_bodies(app: FastAPI) -> None:
    """Put the models of bodies the routes parse themselves into the OpenAPI components."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = add_schemas(FastAPI.openapi(app), ScoreRequest, BatchScoreRequest)
            app.openapi_schema = _errors_as_json(spec)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _errors_as_json(spec: dict[str, Any]) -> dict[str, Any]:
    """Document error responses of HTML routes as JSON, as the error handlers send them."""
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            for code, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if code[0] in "45" and "text/html" in content and "schema" in content["text/html"]:
                    content["application/json"] = content.pop("text/html")
    return spec
