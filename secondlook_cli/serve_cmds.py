"""CLI commands ``serve`` and ``keys``: run the scoring API and manage its API keys.

Serving modules are imported inside the commands: ``secondlook --help`` stays fast.
"""

from __future__ import annotations

import gc
import os
import secrets
from typing import TYPE_CHECKING, Annotated

import typer

from features.labels import PRIMARY_LABEL
from secondlook_cli.console import console, err_console

if TYPE_CHECKING:
    from serving.api.deps import Services
    from serving.settings import ServingSettings

keys_app = typer.Typer(help="API keys: shown once, stored only as hashes.", no_args_is_help=True)

ModelName = Annotated[
    str | None,
    typer.Option(help="Registered model name (default: the repeat-violent-incident model)."),
]
ModelRef = Annotated[
    str | None, typer.Option(help="Registry alias or version number (default: champion).")
]


def serving_settings(
    model_name: str | None = None, model_ref: str | None = None
) -> ServingSettings:
    """Return the serving settings from the environment, with any command-line overrides."""
    from serving.settings import ServingSettings

    settings = ServingSettings()
    overrides = {k: v for k, v in (("model_name", model_name), ("model_ref", model_ref)) if v}
    return settings.model_copy(update=overrides) if overrides else settings


def start_services(settings: ServingSettings) -> Services:
    """Migrate the database and load the model, or exit 1 saying how to train one."""
    from serving.app import build_services
    from serving.metrics import ServiceMetrics
    from serving.model_loader import ModelNotAvailableError

    try:
        with console.status("Loading the registered model and migrating the audit database..."):
            return build_services(settings, ServiceMetrics())
    except ModelNotAvailableError as exc:
        hint = challenger_hint(settings)
        err_console.print(f"[red]{hint or exc}[/red]")
        raise typer.Exit(code=1) from exc


def challenger_hint(settings: ServingSettings) -> str | None:
    """Say which version exists when no champion does, why it is not one, and what to run."""
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    if settings.model_ref != "champion":
        return None
    uri = settings.resolved_tracking_uri()
    try:
        found = MlflowClient(tracking_uri=uri, registry_uri=uri).search_model_versions(
            f"name = '{settings.model_name}'"
        )
    except MlflowException:
        return None
    if not found:
        return None
    latest = max(found, key=lambda v: int(v.version))
    reason = latest.tags.get("alias_reason", "no reason was recorded")
    target = settings.model_name.partition("-")[2]
    option = "" if target == PRIMARY_LABEL else f" --target {target}"
    return (
        f"No champion for model {settings.model_name!r}: version {latest.version} is registered "
        f"as {latest.tags.get('alias_decision', 'challenger')} because {reason}. "
        f"Serve it as it is: `secondlook serve --model-ref {latest.version}`; or make it the "
        f"champion: `secondlook promote {latest.version}{option}`."
    )


def run_server(services: Services, host: str, port: int) -> None:
    """Serve the API and reviewer pages with uvicorn until interrupted."""
    import uvicorn

    from serving.app import create_app
    from serving.json_logging import logging_config

    app = create_app(services=services)
    gc.collect()
    gc.freeze()  # the loaded model and libraries leave the GC's scans: shorter pauses
    try:
        uvicorn.run(app, host=host, port=port, log_config=logging_config(), access_log=False)
    finally:
        services.close()


def run_workers(settings: ServingSettings, host: str, port: int, workers: int) -> None:
    """Serve with several uvicorn worker processes, each loading the same model.

    The workers read their settings from the environment, so the command-line choices are
    exported first, with one session secret shared by all (else a reviewer's session cookie
    would only be valid on the worker that issued it).
    """
    import uvicorn

    from serving.json_logging import logging_config

    os.environ["SECONDLOOK_MODEL_NAME"] = settings.model_name
    os.environ["SECONDLOOK_MODEL_REF"] = settings.model_ref
    os.environ["MLFLOW_TRACKING_URI"] = settings.resolved_tracking_uri()
    os.environ["DATABASE_URL"] = settings.database_url
    if settings.web_session_secret is None:
        os.environ["SECONDLOOK_WEB_SESSION_SECRET"] = secrets.token_urlsafe(32)
    uvicorn.run(
        "serving.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=logging_config(),
        access_log=False,
    )


Workers = Annotated[int, typer.Option(min=1, max=64, help="Server processes (about one per core).")]


def serve_with(services: Services, host: str, port: int, workers: int) -> None:
    """Serve ``services`` in this process, or hand over to ``workers`` processes."""
    if workers == 1:
        run_server(services, host, port)
        return
    settings = services.settings
    services.close()  # checked that the model loads; each worker loads its own
    run_workers(settings, host, port, workers)


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    model_name: ModelName = None,
    model_ref: ModelRef = None,
    workers: Workers = 1,
) -> None:
    """Serve the scoring API (/v1, OpenAPI at /docs) and the reviewer pages.

    Logs are JSON lines on stderr: one per request and one per security event, never person data.
    """
    from serving.json_logging import configure_logging

    configure_logging()
    settings = serving_settings(model_name, model_ref)
    services = start_services(settings)
    model = services.holder.describe()
    console.print(
        f"Serving model {model.get('name')} v{model.get('version')} ({model.get('alias')}) "
        f"on http://{host}:{port} with {workers} worker(s) - API docs at /docs"
    )
    serve_with(services, host, port, workers)


@keys_app.command("create")
def create(
    role: Annotated[str, typer.Option(help="case_system, reviewer, researcher or admin.")],
) -> None:
    """Create an API key for a role and print it once (only its hash is stored)."""
    from serving.db.session import init_db, make_engine
    from serving.db.store import Store
    from serving.json_logging import configure_logging
    from serving.security import ROLES, create_key

    if role not in ROLES:
        raise typer.BadParameter(f"choose one of {', '.join(ROLES)}", param_hint="--role")
    settings = serving_settings()
    engine = make_engine(settings.database_url)
    configure_logging()  # create_key logs the key_created event
    try:
        init_db(engine)
        key_id, token = create_key(Store(engine), role)
    finally:
        engine.dispose()
    console.print(f"Key id {key_id} (role {role}). Copy the key now; it is not shown again:")
    console.print(token, soft_wrap=True, highlight=False)


@keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="The key's public id.")]) -> None:
    """Revoke an API key by its public id (takes effect within the key cache time)."""
    from datetime import UTC, datetime

    from serving.db.session import init_db, make_engine
    from serving.db.store import Store
    from serving.json_logging import configure_logging
    from serving.security_events import security_event

    settings = serving_settings()
    engine = make_engine(settings.database_url)
    try:
        init_db(engine)
        found = Store(engine).revoke_key(key_id, datetime.now(UTC))
    finally:
        engine.dispose()
    if not found:
        err_console.print(f"[red]No key with id {key_id}.[/red]")
        raise typer.Exit(code=1)
    configure_logging()
    security_event("key_revoked", key_id=key_id)
    console.print(f"Revoked key {key_id}.")
