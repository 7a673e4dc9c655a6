"""The ``tikrunner`` command (typer). Thin: parse arguments, call the parts, turn results into exit codes."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
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
    workflows: Path | None = typer.Option(
        None,
        "--workflows",
        help="Apply this folder of manifests (kept in git) and fire its schedules.",
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
            workflows=workflows,
        )
    )


@app.command()
def validate(
    files: list[Path] = typer.Argument(..., help="Manifests to check."),
    json_output: bool = typer.Option(False, "--json", help="Print a JSON report for machines."),
) -> None:
    """Check manifests without running anything: exit 0 when all are valid, 1 when any is not."""
    from runner.validate import run_validate

    raise typer.Exit(run_validate(files, as_json=json_output))


@app.command()
def apply(
    folder: Path = typer.Argument(..., help="The workflows folder (manifests and accounts.yaml)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print what would change; change nothing."
    ),
    config: Path | None = typer.Option(None, "--config", help="tikrunner.yaml to read."),
    spool: Path | None = typer.Option(None, "--spool", help="Spool whose store to compare with."),
) -> None:
    """Show what applying a workflows folder would change: which tasks, on which phones, when."""
    from runner.gitops_cli import run_apply

    raise typer.Exit(run_apply(folder, dry_run=dry_run, config_path=config, spool=spool))


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


if __name__ == "__main__":  # pragma: no cover
    app()
