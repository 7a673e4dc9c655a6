"""The ``tikrunner`` command (typer). Thin: parse arguments, call the parts, turn results into exit codes."""

from __future__ import annotations

import inspect as pyinspect  # `inspect` is a command below
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

import runner


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"tikrunner {runner.__version__}")
        raise typer.Exit(0)


VersionOption = Annotated[
    bool,
    typer.Option(
        "--version",
        callback=_print_version,
        is_eager=True,
        expose_value=False,
        help="Show the version and exit.",
    ),
]


def _with_version(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` as a command that also takes ``--version`` (eager: it prints ``tikrunner X.Y.Z``
    and exits 0 before anything else is parsed); typer reads the added parameter from the
    signature (its value, always False here, is dropped)."""
    sig = pyinspect.signature(func, eval_str=True)
    if "version" in sig.parameters:
        return func

    def command(*args: Any, version: bool = False, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    extra = pyinspect.Parameter(
        "version", pyinspect.Parameter.KEYWORD_ONLY, default=False, annotation=VersionOption
    )
    params = [*sig.parameters.values(), extra]
    command.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    for name in ("__name__", "__qualname__", "__doc__", "__module__"):
        setattr(command, name, getattr(func, name))
    return command


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Run phone-farm automation from declarative files; speaks TikMatrix's local API.",
)


@app.command()
def serve(
    config: Path | None = typer.Option(None, "--config", help="tikrunner.yaml to read."),
    spool: Path | None = typer.Option(None, "--spool", help="Spool directory (default ./spool)."),
    simulate: int = typer.Option(
        0, "--simulate", min=0, help="Start N simulated phones in this program."
    ),
    adb: list[str] = typer.Option([], "--adb", help="adb server HOST:PORT (repeatable)."),
    http: str | None = typer.Option(None, "--http", help="Serve the HTTP API on HOST:PORT."),
    no_http: bool = typer.Option(False, "--no-http", help="Do not serve the HTTP API."),
    seed: int | None = typer.Option(None, "--seed", help="Seed of the simulated phones."),
    serial_prefix: str = typer.Option(
        "sim-",
        "--serial-prefix",
        help="With --simulate: serials PREFIX0001..., accounts named after them "
        "(as tikrunner sim's).",
    ),
    workflows: Path | None = typer.Option(
        None,
        "--workflows",
        help="Apply this folder of manifests (kept in git) and fire its schedules.",
    ),
    log_format: str | None = typer.Option(
        None,
        "--log-format",
        help="auto (rich on a terminal, else text), rich, text or json (one object a line).",
    ),
    log_level: str | None = typer.Option(
        None, "--log-level", help="debug, info (default), warning or error."
    ),
    store: str | None = typer.Option(
        None,
        "--store",
        help="sqlite (spool/state.db, the default) or postgresql://user@host/db, shared by"
        " several runners.",
    ),
    name: str | None = typer.Option(
        None, "--name", help="This runner's name in a shared store (default: the host name)."
    ),
) -> None:
    """Run everything (spool watcher, scheduler, device workers, HTTP API) until interrupted."""
    from runner.engine import run_serve

    raise typer.Exit(
        run_serve(
            config_path=config,
            spool=spool,
            simulate=simulate,
            adb=adb or None,
            http=http,
            no_http=no_http,
            seed=seed,
            serial_prefix=serial_prefix,
            workflows=workflows,
            log_format=log_format,
            log_level=log_level,
            store=store,
            name=name,
        )
    )


class Target(StrEnum):
    """Where ``tikrunner validate --for`` judges a file for."""

    spool = "spool"
    workflows = "workflows"


@app.command()
def validate(
    files: list[Path] = typer.Argument(..., help="Manifests to check."),
    json_output: bool = typer.Option(False, "--json", help="Print a JSON report for machines."),
    target: Target | None = typer.Option(
        None,
        "--for",
        help="Judge the files as the spool or a workflows folder would (default: from the "
        "folder each lies in).",
    ),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too (exit 1)."),
) -> None:
    """Check manifests as serving would take them: exit 0 when all are valid, 1 when any is not."""
    from runner.validate import run_validate

    raise typer.Exit(
        run_validate(
            files, as_json=json_output, target=target.value if target else None, strict=strict
        )
    )


@app.command()
def apply(
    folder: Path = typer.Argument(..., help="The workflows folder (manifests and accounts.yaml)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print what would change; change nothing."
    ),
    config: Path | None = typer.Option(None, "--config", help="tikrunner.yaml to read."),
    spool: Path | None = typer.Option(None, "--spool", help="Spool whose store to compare with."),
    json_output: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
) -> None:
    """Show what applying a workflows folder would change: which tasks, on which phones, when."""
    from runner.gitops_cli import run_apply

    raise typer.Exit(
        run_apply(folder, dry_run=dry_run, config_path=config, spool=spool, as_json=json_output)
    )


@app.command()
def schemas(
    check: bool = typer.Option(
        False, "--check", help="Exit 1 when schemas/ is stale; write nothing."
    ),
    out: Path = typer.Option(Path("schemas"), "--out", help="Folder of the JSON Schemas."),
) -> None:
    """Write the JSON Schemas generated from the models to schemas/*.json."""
    from runner.schemagen import write_schemas

    raise typer.Exit(write_schemas(out, check=check))


@app.command()
def sim(
    devices: int = typer.Option(3, "--devices", min=1, help="Number of simulated phones."),
    port: int = typer.Option(
        5037, "--port", help="Port of the fake adb server (0: any free port)."
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address of the fake adb server."),
    seed: int = typer.Option(0, "--seed", help="Seed: same seed, same run."),
    popup_rate: float = typer.Option(
        0.0,
        "--popup-rate",
        min=0.0,
        max=1.0,
        help="Chance of a popup at each screen change, swipe and follow.",
    ),
    latency_ms: str = typer.Option(
        "0",
        "--latency-ms",
        help="Delay of every reply: MS, or MS,JITTER for MS plus up to JITTER ms (seeded).",
    ),
    app_version: str | None = typer.Option(
        None,
        "--app-version",
        help="TikTok versionName on every phone: a real build's screens (43.1.4, 46.9.3, "
        "47.0.3; default 46.9.3); other versions show the nearest build's.",
    ),
    locale: str = typer.Option(
        "en-US",
        "--locale",
        help="System locale of every phone (persist.sys.locale), e.g. en-US, fr-FR; TikTok "
        "shows that language (English for one the simulator has no strings for).",
    ),
    serial_prefix: str = typer.Option(
        "sim-",
        "--serial-prefix",
        help="Serials PREFIX0001..., accounts named after them (sim-: sim_user_1...); 1-12 of "
        "a-z, 0-9 and '-', not starting with '-', not ending with a digit.",
    ),
    push_back: str | None = typer.Option(
        None,
        "--push-back",
        help="TikTok pushes back on every account: KIND, KIND:N or KIND:N/PERIOD, KIND toast (a toast "
        '"You\'re following too fast"), dialog, silent (the follow does not stick) or '
        "verification (a captcha wall); after N follows in PERIOD (default 1h), e.g. "
        "toast:30/1h; the refused follow is not applied.",
    ),
    ground_truth: Path | None = typer.Option(
        None,
        "--ground-truth",
        help="Keep the ground truth (what each account did) as JSON in FILE: written at start, "
        "within 0.2 s of every change, and at exit.",
    ),
) -> None:
    """Run simulated phones behind a fake adb server on their own, until interrupted."""
    from runner.sim.cli import run_sim

    raise typer.Exit(
        run_sim(
            devices=devices,
            host=host,
            port=port,
            seed=seed,
            popup_rate=popup_rate,
            latency_ms=latency_ms,
            app_version=app_version,
            ground_truth=ground_truth,
            locale=locale,
            serial_prefix=serial_prefix,
            push_back=push_back,
        )
    )


@app.command()
def inspect(
    file: Path | None = typer.Argument(
        None, help="A saved UI dump (hierarchy.xml, as uiautomator2 returns it)."
    ),
    serial: str | None = typer.Option(None, "--serial", help="Inspect this live phone instead."),
    adb: str = typer.Option("127.0.0.1:5037", "--adb", help="adb server (HOST:PORT) of --serial."),
    save: Path | None = typer.Option(
        None, "--save", help="With --serial: save hierarchy.xml and screenshot.png in DIR."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print JSON: app, screen, locale, elements, missing."
    ),
    package: str | None = typer.Option(
        None, "--package", help="The app's package (default: found in the dump)."
    ),
    selectors: list[Path] = typer.Option(
        [],
        "--selectors",
        help="Selector overrides (file or folder), as selectors: in tikrunner.yaml.",
    ),
    target: str | None = typer.Option(
        None, "--target", help="The username templated elements (profile_handle) stand for."
    ),
) -> None:
    """Show what a screen is in the selectors' words: screen, language, elements, what is missing."""
    from runner.inspect_cli import run_inspect

    raise typer.Exit(
        run_inspect(
            file,
            serial=serial,
            adb=adb,
            save=save,
            as_json=as_json,
            package=package,
            selectors=selectors,
            target=target,
        )
    )


from runner.views_cli import add_view_commands  # noqa: E402 (the views: devices, tasks, ...)

add_view_commands(app)


@app.callback()
def main(version: VersionOption = False) -> None:
    """Run phone-farm automation from declarative files; speaks TikMatrix's local API."""


def _everywhere(typer_app: typer.Typer) -> None:
    """``--version`` on every command of ``typer_app`` and its sub-apps (``-h`` comes from the
    app's context settings, which sub-commands inherit)."""
    for info in typer_app.registered_commands:
        if info.callback is not None:
            info.callback = _with_version(info.callback)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _everywhere(group.typer_instance)


_everywhere(app)

if __name__ == "__main__":  # pragma: no cover
    app()
