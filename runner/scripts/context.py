"""What a script gets to know about its task (docs/internals.md, "Device layer and scripts")."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from runner.errors import TaskFailed

M = TypeVar("M", bound=BaseModel)

#: The largest task result a script may store (bytes of UTF-8 JSON).
MAX_RESULT_BYTES = 64 * 1024


@dataclass(frozen=True)
class TaskContext:
    """One task as a script sees it.

    ``script_config`` is the script's config model dumped with defaults filled in (intake's
    ``NewTask.script_config``); for follow/unfollow it carries exactly one target in
    ``target_users`` (fan-out already happened upstream). ``package`` is the app package the task
    runs in. ``job_count`` and ``seed`` make per-task choices reproducible. ``log`` is the task's
    logger: the engine builds it so every line carries the task id and serial.

    Fields with defaults (the engine passes them from the runner's config):

    - ``upload_folder``: the runner's material library (``config.upload_folder``), also the base
      of relative material paths (post ``material_list``, comment ``comment_image_path``);
    - ``material_roots``: folders material files may come from besides the upload folder
      (``config.material_roots``; with neither, no material file is read). Intake refuses paths
      outside them (40001); scripts check again before reading a file and the push checks the
      file it opened (runner/materials.py), in case a file or the config changed in between;
    - ``materials_db``: the SQLite file of the material ledger ("a file is not posted twice"),
      ``<spool>/materials.db``; None: an in-process ledger (tests, ``tikrunner sim`` tries);
    - ``retry_count``: how many times the task was retried (0 on the first run): a retried post
      or comment first looks whether an earlier attempt already published it;
    - ``report``: where :meth:`progress` reports go (the worker's
      :meth:`runner.progress.ProgressBoard.open`); None: reports are dropped (tests, ``tikrunner
      sim`` tries);
    - ``actions``: the task's account as account safety sees it (a
      :class:`runner.limits.AccountGuard`, ``Scheduler.guard``): :meth:`attempt`,
      :meth:`cool_down` and :meth:`working_left` go through it; None: nothing is counted or
      limited (tests, ``tikrunner sim`` tries).
    """

    task_id: int
    serial: str
    username: str | None
    package: str
    script_name: str
    script_config: dict[str, Any]
    job_count: int
    seed: int
    log: logging.LoggerAdapter = field(repr=False)
    upload_folder: Path | None = None
    material_roots: tuple[Path, ...] = ()
    materials_db: Path | None = None
    retry_count: int = 0
    report: Callable[..., None] | None = field(default=None, repr=False)
    actions: Any = field(default=None, repr=False)

    async def attempt(self, kind: str, *, raise_on_limit: bool = True) -> bool:
        """Count one ``kind`` action (``follow``, ``unfollow``, ``like``, ``comment``, ``post``,
        ``message``, ``bookmark``, ...) the script is about to do: call it right BEFORE the tap
        (README, "Account safety"), once per action. Returns True: counted, go on.

        When the account is at a limit of ``kind`` (``per_hour``, ``per_day``, ``min_gap``) or
        cooling down, nothing is counted and :class:`runner.errors.LimitReached` is raised: let
        it propagate and the task goes back to pending (``waiting: follow limit 150/day for
        @alice; next at ...``) until it may; a script that does many actions may catch it and
        end with what it did. With ``raise_on_limit=False`` it returns False instead (the
        warm-up skips the action and goes on watching). Without ``actions``: True, nothing
        counted."""
        if self.actions is None:
            return True
        return bool(await self.actions.attempt(kind, raise_on_limit=raise_on_limit))

    async def cool_down(self, reason: str, seconds: float | None = None) -> float | None:
        """TikTok pushed back (``reason``: what it said, e.g. ``You're following too fast``):
        the task's account cools down for ``seconds`` (None: the config's ``cooldown``, 6 h by
        default); its tasks wait until then and the event is logged. Returns the end (UTC epoch
        seconds), None without ``actions``. The caller still fails its task with a remark."""
        if self.actions is None:
            return None
        return float(await self.actions.cool_down(reason, seconds))

    def working_left(self) -> float | None:
        """Seconds until the account's working hours end (None: no working hours apply, or no
        ``actions``); a long task (the warm-up) stops then."""
        return None if self.actions is None else self.actions.working_left()

    @property
    def result(self) -> dict[str, Any] | None:
        """What the script read for the task's ``result`` (:meth:`store_result`), else None."""
        return self.__dict__.get("_result")

    def store_result(self, value: dict[str, Any]) -> None:
        """Hand ``value`` back as the task's ``result`` (docs/spec/local-api.md, "Task object"):
        stored when the run ends, completed or failed, as JSON. Each call replaces the last.
        Raises ``ValueError`` for a value that is not a JSON object or is larger than
        :data:`MAX_RESULT_BYTES` once encoded (a script's bug, never the phone's)."""
        if not isinstance(value, dict):
            raise ValueError("a task's result is a JSON object")
        size = len(json.dumps(value, ensure_ascii=False).encode())
        if size > MAX_RESULT_BYTES:
            raise ValueError(f"a task's result is at most {MAX_RESULT_BYTES} bytes, got {size}")
        self.__dict__["_result"] = value

    @property
    def account(self) -> str | None:
        """The account key the task's actions count against (its username; ``serial:<SERIAL>``
        for a phone whose account the inventory does not say), None without ``actions``."""
        return None if self.actions is None else self.actions.subject.key

    def progress(self, text: str, fraction: float | None = None) -> None:
        """Say how far the task is: ``text`` one short line (``"watched 12 videos, 240 of 600
        s"``, ``"uploading 66%"``, a step's label), ``fraction`` how much is done, 0..1, or None
        when there is no measure. Shown as the task object's ``progress`` (docs/spec/local-api.md,
        "Task object") within about a second, and kept once the task ends.

        Cheap and synchronous: no device call, no store write here (the worker's board writes at
        most about once a second), so scripts may call it as often as they like. Never raises: a
        text is made one line and cut at 200 characters, a fraction outside 0..1 clamped, one that
        is not a finite number dropped (``runner.models.clean_progress``)."""
        if self.report is not None:
            self.report(text, fraction)

    def config(self, model: type[M]) -> M:
        """``script_config`` as the script's validated config model ``model`` (one of
        runner/models/scripts.py's): scripts read every value from it, so a default lives in the
        model only and a 0 stays 0. Validated once per model and kept.

        Raises ``TaskFailed`` when the stored config does not validate against ``model`` (intake
        validated it; anything else is a bug upstream or a store written by another version)."""
        cache = self.__dict__.setdefault("_configs", {})
        if model not in cache:
            try:
                cache[model] = model.model_validate(self.script_config)
            except ValidationError as e:
                first = e.errors(include_url=False)[0]
                where = "/".join(str(p) for p in first["loc"]) or "/"
                raise TaskFailed(
                    f"{self.script_name}: the stored script_config is invalid at {where}: "
                    f"{first['msg']}"
                ) from None
        return cache[model]

    def target_user(self) -> str:
        """The one target username of a follow/unfollow task, without its leading ``@``.

        Raises ``TaskFailed`` when ``target_users`` does not hold exactly one non-empty name
        (intake guarantees one; anything else is a bug upstream, reported rather than guessed).
        The name is otherwise kept exactly as given: it is user data, passed on intact.
        """
        targets = self.script_config.get("target_users")
        if not isinstance(targets, list) or len(targets) != 1 or not isinstance(targets[0], str):
            count = len(targets) if isinstance(targets, list) else 0
            raise TaskFailed(
                f"{self.script_name}: expected exactly one target user in target_users, got {count}"
            )
        name = targets[0].removeprefix("@")
        if not name:
            raise TaskFailed(f"{self.script_name}: the target user is empty")
        return name
