"""Runner configuration: ``tikrunner.yaml``, overridden by ``TIKRUNNER_*`` environment variables,
overridden by command-line flags (design.md, "Config").

``load_config(path, overrides)`` returns a validated :class:`RunnerConfig`. Secrets (the API token)
live only in memory: :meth:`RunnerConfig.redacted` is what may be logged.
"""

from __future__ import annotations

import os
import re
from datetime import tzinfo
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from runner.limits import Duration, Limits, WorkingHours

DEFAULT_PACKAGE = "com.zhiliaoapp.musically"  # TikTok global (docs/spec/scripts.md)
DEFAULT_HTTP = "127.0.0.1:50809"  # docs/spec/local-api.md, "Base and envelope"
DEFAULT_ADB = "127.0.0.1:5037"  # adb's default server address


def adb_address(text: str) -> str:
    """``"HOST:PORT"`` of an adb server, checked and normalised (``":5037"`` -> ``127.0.0.1:5037``).

    HOST is a host name or an IPv4 address, on this PC or another (a phone PC's ``adb -a``
    server, README "Phones on other PCs"). Raises ``ValueError`` unless PORT is 1-65535 and HOST
    has no spaces (adb's server address, ``adb -H HOST -P PORT``), and for an IPv6 address
    (``[::1]:5037``, ``fd00::2:5037``): adbutils connects to the server over IPv4 only
    (``socket.socket()`` in its ``_create_socket``), so such an address could never be reached.
    """
    host, sep, port = text.strip().rpartition(":")
    if (
        not sep
        or not port.isdigit()
        or not 1 <= int(port) <= 65535
        or any(c.isspace() for c in host)
    ):
        raise ValueError(
            "not an adb server address HOST:PORT with a port from 1 to 65535 "
            "(for example 127.0.0.1:5037)"
        )
    if ":" in host or "[" in host or "]" in host:
        raise ValueError(
            "an IPv6 address cannot be used: adbutils reaches adb servers over IPv4 only; "
            "give a host name or an IPv4 address (for example 192.168.1.20:5037)"
        )
    return f"{host or '127.0.0.1'}:{int(port)}"


AdbAddress = Annotated[str, AfterValidator(adb_address)]

RUNNER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
"""A runner's name in a shared store (``name:``, ``serve --name``)."""


class Account(BaseModel):
    """One account of the inventory: a username logged in on the phone ``serial``.

    ``package`` is the app package the account lives in (clone apps); None means the runner's
    default package. Usernames are stored without a leading ``@``.
    """

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1)
    serial: str = Field(min_length=1)
    package: str | None = None
    enabled: bool = True
    tags: list[str] = Field(default_factory=list)
    limits: Limits = Field(default_factory=dict)
    working_hours: WorkingHours | None = None

    @field_validator("username")
    @classmethod
    def _strip_at(cls, v: str) -> str:
        return v.removeprefix("@")


class RetryPolicy(BaseModel):
    """Automatic retry (docs/spec/local-api.md, "Running rules"): off when ``max_retry_count`` is 0.

    A failed task goes back to pending after a random wait in [``min_wait``, ``max_wait``] seconds.
    """

    model_config = ConfigDict(extra="forbid")

    max_retry_count: int = Field(default=0, ge=0, le=10)
    min_wait: float = Field(default=5, ge=0)
    max_wait: float = Field(default=60, ge=0)


class RunnerConfig(BaseModel):
    """Everything ``tikrunner serve`` needs to know; every field has its default here and only here."""

    model_config = ConfigDict(extra="forbid")

    spool: Path = Path("spool")
    workflows: Path | None = None  # a folder of manifests kept in git (serve --workflows)
    http: str | None = DEFAULT_HTTP  # HOST:PORT, or None for no HTTP shim
    api_token: str | None = Field(default=None, repr=False)
    # Host names besides localhost and the bound address that name the API (Host and Origin
    # checks, runner/http/security.py): "name" any port, "name:port" that port only.
    allowed_hosts: list[str] = Field(default_factory=list)
    adb: list[AdbAddress] = Field(default_factory=lambda: [DEFAULT_ADB])  # adb servers HOST:PORT
    timezone: str | None = None  # IANA name; None: the machine's local time zone
    device_limit: int = Field(default=1000, ge=1)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    upload_folder: Path | None = None
    material_roots: list[Path] = Field(default_factory=list)
    package: str = DEFAULT_PACKAGE
    # Operator selector overrides: files or folders merged over the built-in selectors element by
    # element (runner/scripts/matcher.py, load_selectors); one path or a list.
    selectors: list[Path] = Field(default_factory=list)
    accounts: list[Account] = Field(default_factory=list)
    # Account safety (README, "Account safety"; runner/limits.py): limits per action kind for
    # every account, by tag, working hours ("08:30-12:00") for every account, by tag, by phone
    # serial, and how long an account cools down after TikTok pushes back ("6h", "90m", "30s").
    limits: Limits = Field(default_factory=dict)
    limits_by_tag: dict[str, Limits] = Field(default_factory=dict)
    working_hours: WorkingHours | None = None
    working_hours_by_tag: dict[str, WorkingHours] = Field(default_factory=dict)
    working_hours_by_phone: dict[str, WorkingHours] = Field(default_factory=dict)
    cooldown: Duration = 6 * 3600.0
    device_wait: float = Field(default=600, ge=0)  # seconds a task waits for its absent device
    scan_interval: float = Field(default=2.0, gt=0)  # seconds between periodic spool scans
    settle_time: float = Field(
        default=1.0, ge=0
    )  # seconds a directly written file must be unchanged
    max_manifest_bytes: int = Field(default=1_000_000, ge=1)
    max_nesting: int = Field(default=32, ge=2)
    max_targets: int = Field(default=10_000, ge=1)  # targets per body or workflow step (intake)
    thread_limit: int = Field(default=64, ge=1)  # threads for blocking adb/uiautomator2 calls
    # The runner's log (runner/logs.py): auto = rich on a terminal, else text; json: one object
    # a line. The level applies to every logger, the libraries' too.
    log_format: Literal["auto", "rich", "text", "json"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # The store (runner/store): "sqlite" (spool/state.db) or a postgresql:// URL shared by
    # several runners (README, "Many runners"). Its password never reaches a log.
    store: str = Field(default="sqlite", repr=False)
    # This runner's name in a shared store (leases, GET /devices' runner); default: the host name.
    name: str | None = None
    # Seconds without a heartbeat after which a runner of a shared store counts as lost: its
    # running tasks end failed and its phones may be leased by another runner.
    lease_timeout: float = Field(default=30.0, ge=2, le=3600)

    @field_validator("store")
    @classmethod
    def _store_spec(cls, v: str) -> str:
        v = v.strip()
        if v != "sqlite" and not v.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be sqlite or a postgresql://user@host:5432/dbname URL")
        return v

    @field_validator("name")
    @classmethod
    def _runner_name(cls, v: str | None) -> str | None:
        if v is not None and not RUNNER_NAME.fullmatch(v):
            raise ValueError(
                "a runner name is 1 to 63 letters, digits, '.', '_' or '-', starting with a"
                " letter or digit"
            )
        return v

    def runner_name(self) -> str:
        """This runner's name: ``name``, else the host name (cut to a valid name)."""
        if self.name:
            return self.name
        import socket

        host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:63].lstrip("._-")
        return host or "runner"

    @field_validator("selectors", "adb", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str | Path) else v

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _lower(cls, v: Any) -> Any:
        # INFO, Json: as given (an unknown name is shown as typed, in the error)
        known = ("auto", "rich", "text", "json", "debug", "info", "warning", "error")
        return v.strip().lower() if isinstance(v, str) and v.strip().lower() in known else v

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                ZoneInfo(v)
            except (ZoneInfoNotFoundError, ValueError) as e:
                raise ValueError(f"unknown time zone {v!r}") from e
        return v

    def tz(self) -> tzinfo:
        """The runner's time zone: the configured IANA zone, else the machine's local zone."""
        if self.timezone:
            return ZoneInfo(self.timezone)
        from datetime import datetime

        return datetime.now().astimezone().tzinfo  # type: ignore[return-value]

    def redacted(self) -> dict[str, Any]:
        """The config as a dict safe to log or write: secrets replaced by ``"***"``."""
        data = self.model_dump(mode="json")
        if data.get("api_token"):
            data["api_token"] = "***"
        if data.get("store", "sqlite") != "sqlite":
            from runner.store.postgres import safe_url

            data["store"] = safe_url(data["store"])
        return data


ENV_PREFIX = "TIKRUNNER_"
_ENV_FIELDS = {
    "SPOOL": "spool",
    "WORKFLOWS": "workflows",
    "HTTP": "http",
    "API_TOKEN": "api_token",
    "ADB": "adb",  # comma-separated HOST:PORT list
    "TIMEZONE": "timezone",
    "DEVICE_LIMIT": "device_limit",
    "PACKAGE": "package",
    "SELECTORS": "selectors",
    "LOG_FORMAT": "log_format",
    "LOG_LEVEL": "log_level",
    "STORE": "store",
    "NAME": "name",
}


class ConfigError(ValueError):
    """A config that cannot be used. ``problems``: one line per mistake, saying where it is and
    what is wrong: ``FILE: /json/pointer: message`` for the file, ``TIKRUNNER_X=value: message`` for
    an environment variable, ``--flag value: message`` for a flag. ``str()`` joins them."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def load_config(path: Path | None = None, overrides: dict[str, Any] | None = None) -> RunnerConfig:
    """Read ``path`` (YAML 1.2 or JSON, optional), apply ``TIKRUNNER_*`` variables, then
    ``overrides`` (flags: ``{"adb": [...], "spool": Path, ...}``, None values ignored).

    Returns a validated :class:`RunnerConfig`. Raises :class:`ConfigError` (a ``ValueError``) when
    the file cannot be read or parsed (runner.yamlsafe's rules), is not a mapping, or a value is
    invalid: one line per problem, naming the file and JSON pointer, the variable or the flag.
    A ``tikrunner.yaml`` in the working directory is read when ``path`` is None.
    """
    from runner.errors import IntakeError
    from runner.yamlsafe import DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, load_document

    data: dict[str, Any] = {}
    source: dict[str, str] = {}  # top-level key -> "file", "TIKRUNNER_X" or "--flag"
    if path is None and Path("tikrunner.yaml").is_file():
        path = Path("tikrunner.yaml")
    if path is not None:
        try:
            raw = Path(path).read_bytes()
        except OSError as e:
            raise ConfigError([f"{path}: cannot read it: {e.strerror or e}"]) from None
        try:
            loaded = load_document(
                raw, filename=str(path), max_bytes=DEFAULT_MAX_BYTES, max_depth=DEFAULT_MAX_DEPTH
            )
        except IntakeError as e:
            lines = [" ".join(line.split()) for line in e.message.splitlines() if line.strip()]
            raise ConfigError(["; ".join(lines)]) from None
        if loaded is not None:
            if not isinstance(loaded, dict):
                raise ConfigError([f"{path}: the config must be a mapping of settings"])
            data.update(loaded)
            source.update(dict.fromkeys(loaded, "file"))
    for env, key in _ENV_FIELDS.items():
        value = os.environ.get(ENV_PREFIX + env)
        if value is not None:
            data[key] = (
                [v.strip() for v in value.split(",") if v.strip()] if key == "adb" else value
            )
            source[key] = ENV_PREFIX + env
    for key, value in (overrides or {}).items():
        if value is not None:
            data[key] = value
            source[key] = "--" + key.replace("_", "-")
    try:
        return RunnerConfig.model_validate(data)
    except ValidationError as e:
        raise ConfigError([_problem(err, path, source) for err in e.errors()]) from None


def pointer_and_message(err: Any, fields: Any = ()) -> tuple[str, str]:
    """One pydantic error (of ``ValidationError.errors()``) as (JSON pointer, message) in
    plain words: a dict key's error points at the key (no ``[key]`` step), ``Value error, `` is
    dropped, an unknown field is ``unknown setting`` (``(did you mean X?)`` from ``fields`` at the
    top level) and a scalar that was refused is shown (``(got -1)``). Used for tikrunner.yaml and
    accounts.yaml alike."""
    import difflib

    loc = [p for p in err["loc"] if p != "[key]"]
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), fields, n=1) if len(loc) == 1 else []
        message = "unknown setting" + (f" (did you mean {close[0]}?)" if close else "")
    elif not isinstance(err["input"], dict | list) and str(err["input"]) not in message:
        if loc and loc[0] == "store":  # a URL may hold a password: never repeat the value
            message += " (got the value given)"
        else:
            message += f" (got {_shown(err['input'])})"
    pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in loc)
    return pointer, message


def _problem(err: Any, path: Path | None, source: dict[str, str]) -> str:
    """One pydantic error as ``where: message``, in the words of the place the value came from."""
    loc = err["loc"]
    pointer, message = pointer_and_message(err, RunnerConfig.model_fields)
    if loc and loc[0] == "store":  # a URL may hold a password: never repeat the value
        err = {**err, "input": "(the value given)"}
    origin = source.get(str(loc[0]), "file") if loc else "file"
    if origin == "file":
        return f"{path or 'config'}: {pointer or '/'}: {message}"
    if "(got " in message:  # a flag or variable is shown with its value already
        message = message[: message.rindex(" (got ")]
    joiner = " " if origin.startswith("--") else "="
    return f"{origin}{joiner}{_shown(err['input'])}: {message}"


def _shown(value: Any) -> str:
    """A value as a person typed it: plain when printable and short, else repr (cut at 80)."""
    text = (
        value if isinstance(value, str) and value.isprintable() and value.strip() else repr(value)
    )
    return text if len(text) <= 80 else text[:77] + "..."
