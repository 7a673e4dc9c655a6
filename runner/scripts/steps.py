"""The step runner scripts are written with (Maestro's labelled steps, GramAddict's one dump per
decision).

Takes a :class:`~runner.devices.DeviceSession`, a :class:`~runner.scripts.matcher.SelectorBook`
and the task's context; gives labelled steps and two waits:

- :meth:`Steps.wait_until` / :meth:`Steps.wait_for`: repeated single dumps, one per decision, every
  ``poll_interval`` seconds (or pauses doubling up to it inside :meth:`Steps.polling`), up to a
  timeout; a known popup found in a dump is dismissed before
  anything is decided on that dump. Timeout -> :class:`~runner.errors.ElementNotFound`.
- :meth:`Steps.act`: tap, then poll for the expected effect. The tap is repeated only when there
  is evidence it was swallowed (a popup was dismissed after it *and* the tapped element is still
  there without the expected effect), at most :data:`MAX_TAPS` times in all; never blindly.
  Effect not seen in time -> :class:`~runner.errors.PostConditionFailed`.

Push-back (issue 14): every dump is checked for the selector file's ``pushback`` screens (a
rate-limit dialog, a verification wall, the log-in screen) before anything else is decided on
it, and :meth:`Steps.act` of an irreversible tap also reads the toast that followed it
(:meth:`Steps.check_toast`); either raises :class:`~runner.errors.PushBack` quoting TikTok.

Every failure's remark starts with ``<script>: <step label>:``. Cancellation: every wait is a
``trio.sleep`` or a device call, so a cancelled task stops within one poll interval or one device
call.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import trio

from runner.devices import DeviceSession, Hierarchy, Node
from runner.errors import ElementNotFound, PostConditionFailed, PushBack, TaskFailed
from runner.scripts.matcher import SelectorBook, Values, toast_hierarchy

T = TypeVar("T")

#: Seconds between two dumps while waiting (an explicit, short poll; never a blind sleep).
POLL_INTERVAL = 0.15
#: Taps of one element in one :meth:`Steps.act`, the first included.
MAX_TAPS = 3


@dataclass(frozen=True)
class Found:
    """An element found in a dump: its selector name, the node, and the dump it was found in."""

    name: str
    node: Node
    hierarchy: Hierarchy


class AppCrashed(TaskFailed):
    """The app died under the script (Android's "<app> keeps stopping" dialog was on screen; it
    has been closed). Scripts where starting over is safe catch it and relaunch the app."""


class LanguageNotSupported(TaskFailed):
    """The app shows a language tikrunner has no UI strings for (raised on the first dump that
    shows it, before anything is tapped)."""


class Steps:
    """Labelled steps of one script run on one phone.

    ``values`` fills the selector templates (``package``, ``username``). ``log`` is the task's
    logger; ``progress`` its progress reporter (each step's label is reported). ``popups_dismissed`` and ``dumps`` count what happened, for logs and tests.
    """

    def __init__(
        self,
        session: DeviceSession,
        book: SelectorBook,
        *,
        script: str,
        package: str,
        log: logging.Logger | logging.LoggerAdapter,
        username: str = "",
        account: str = "",
        poll_interval: float = POLL_INTERVAL,
        locale_hint: str = "",
        serial: str = "",
        progress: Callable[..., None] | None = None,
    ) -> None:
        self.session = session
        self.book = book
        self.script = script
        #: Template values of the selectors (matcher.TEMPLATE_FIELDS); scripts set ``caption``,
        #: ``comment``, ``file``, ``sound``, ``keyword`` as they go. Empty: such elements match
        #: nothing.
        self.values = Values({"package": package, "username": username, "account": account})
        #: The phone's system locale (``fr-FR``): only a hint, TikTok has its own setting.
        self.locale_hint = locale_hint
        self.serial = serial
        self.package = package
        self.log = log
        self.poll_interval = poll_interval
        #: None: every pause of a wait is ``poll_interval``. Else a wait's first pause is this
        #: many seconds and each next one doubles, capped at ``poll_interval`` (:meth:`polling`).
        self.poll_first: float | None = None
        self.current: str = script
        self.popups_dismissed = 0
        self.dumps = 0
        #: The irreversible actions this run started, in order (``"follow: tap Follow"``): a
        #: failure before the first is safe to retry (``TaskFailed.retry_safe``).
        self.committed: list[str] = []
        #: The task's progress reporter (``TaskContext.progress``); None: no reports.
        self.progress = progress
        #: Whether each step's label is reported as the task's progress (a script that reports
        #: its own measure, such as account_warmup's videos and seconds, turns it off).
        self.report_steps = True

    @contextlib.asynccontextmanager
    async def step(self, label: str) -> AsyncIterator[None]:
        """Run the block as the step ``label``: logged, reported as the task's progress (text
        ``label``, no fraction; unless :attr:`report_steps` is off), and any ``TaskFailed``
        raised inside without a step gets this step's name (``remark`` prefixed with
        ``<script>: <label>:``)."""
        previous, self.current = self.current, f"{self.script}: {label}"
        self.log.info("step: %s", label)
        if self.progress is not None and self.report_steps:
            self.progress(label)
        try:
            yield
        except TaskFailed as e:
            if e.step is None:
                e.step = self.current
                e.remark = f"{self.current}: {e.remark}"
                e.args = (e.remark,)
            raise
        finally:
            self.current = previous

    # -- looking -----------------------------------------------------------------------------

    def find(self, hierarchy: Hierarchy, name: str) -> Found | None:
        """The element ``name`` in ``hierarchy`` as a :class:`Found`, or None."""
        node = self.book.find(hierarchy, name, self.values)
        return Found(name, node, hierarchy) if node is not None else None

    def any_of(
        self, *names: str, all_of: tuple[str, ...] = ()
    ) -> Callable[[Hierarchy], Found | None]:
        """A decision: the first of ``names`` present, provided every one of ``all_of`` is too."""

        def decide(h: Hierarchy) -> Found | None:
            if any(self.book.find(h, n, self.values) is None for n in all_of):
                return None
            for n in names:
                found = self.find(h, n)
                if found:
                    return found
            return None

        return decide

    async def look(self) -> Hierarchy:
        """One dump with popups dismissed: dumps again (at most a few times) while a popup shows,
        so the dump returned is the screen itself. For decisions that are not waits."""
        for _ in range(MAX_TAPS + 2):
            h, dismissed = await self._look()
            if not dismissed:
                return h
        return h

    @contextlib.contextmanager
    def polling(self, interval: float, *, first: float | None = None) -> Iterator[None]:
        """Inside: the waits pause ``interval`` seconds between dumps, or, with ``first``, start
        at ``first`` seconds and double each pause up to ``interval`` (0.1, 0.2, 0.4, 0.5, 0.5 ...
        for first=0.1, interval=0.5): something that usually ends soon is seen soon, something
        long costs at most a few extra dumps. The previous polling is restored on the way out."""
        saved = self.poll_interval, self.poll_first
        self.poll_interval, self.poll_first = interval, first
        try:
            yield
        finally:
            self.poll_interval, self.poll_first = saved

    def _pause(self, pauses: int) -> float:
        """Seconds to sleep before the next dump of a wait that has paused ``pauses`` times."""
        if self.poll_first is None:
            return self.poll_interval
        return min(self.poll_interval, self.poll_first * 2**pauses)

    async def _look(self) -> tuple[Hierarchy, bool]:
        """One dump; if it shows a known popup, tap its dismiss button. Returns (dump, dismissed).

        Raises :class:`AppCrashed` (after tapping "Close app") when the app's crash dialog shows.
        """
        h = await self.session.dump()
        self.dumps += 1
        if self.values.locale is None:
            self._learn_language(h)
        crashed = self.book.find(h, "app_crashed", self.values)
        if crashed is not None:
            self.log.warning("the app crashed: %s", crashed.describe())
            close = self.book.find(h, "crash_close", self.values)
            if close is not None:
                await self.session.tap(close)
            raise AppCrashed(
                f"{self.current}: the app crashed (the phone showed {crashed.text!r})",
                step=self.current,
            )
        self._check_pushback(h, "screen")
        popup = self.book.popup(h, self.values)
        if popup is None:
            if self.book.wordless_dialog(h, self.package):
                self.log.info("dismissing a dialog without words (update prompt) with back")
                await self.session.press_back()
                self.popups_dismissed += 1
                return h, True
            return h, False
        self.log.info("dismissing popup: %s", popup.describe())
        await self.session.tap(popup)
        self.popups_dismissed += 1
        return h, True

    def _check_pushback(self, h: Hierarchy, where: str) -> None:
        """Raise :class:`PushBack` when ``h`` shows one of the selector file's push-back screens
        (``where``: ``screen`` or ``toast``, for the log)."""
        pushed = self.book.pushback(h, self.values)
        if pushed is None:
            return
        kind, node = pushed
        said = (node.text or node.content_desc).strip()
        self.log.warning("TikTok pushed back (%s, %s): %r", kind, where, said)
        self._log_screen(h, f"push-back on the {where}")
        raise PushBack(kind, said, step=self.current)

    async def check_toast(self) -> None:
        """Read the phone's last toast (``DeviceSession.last_toast``) and raise
        :class:`PushBack` when it is one of the push-back messages (``You're following too
        fast``...). Toasts never show in a dump, so a script checks them itself where one may
        come: :meth:`act` does after an irreversible tap."""
        toast = await self.session.last_toast()
        if toast:
            self.log.info("toast: %r", toast)
            self._check_pushback(toast_hierarchy(toast, self.package), "toast")

    @property
    def locale(self) -> str | None:
        """The app's language as recognised from the screen (``en``, ``fr``), None until a dump
        showed enough of the app's text."""
        return self.values.locale

    def _learn_language(self, h: Hierarchy) -> None:
        """Recognise the app's language from ``h`` (design.md, "Real screens"): once known,
        selectors use that language's strings only. A dump that plainly shows a language without
        strings raises :class:`LanguageNotSupported` at once."""
        guess = self.book.detect_locale(h, self.package, self.locale_hint)
        if guess.code is not None:
            self.values.locale = guess.code
            self.log.info(
                "app language: %s (phone locale %s)", guess.code, self.locale_hint or "unknown"
            )
        elif guess.conclusive:
            supported = ", ".join(self.book.locales.codes)
            phone = f" (the phone's language is {self.locale_hint})" if self.locale_hint else ""
            raise LanguageNotSupported(
                f"{self.current}: the app on {self.serial or 'the phone'} shows a language "
                f"tikrunner has no strings for{phone}; supported: {supported}",
                step=self.current,
            )

    async def wait_until(
        self, decide: Callable[[Hierarchy], T | None], *, element: str, screen: str, timeout: float
    ) -> T:
        """Poll until ``decide(dump)`` returns something (returned), for up to ``timeout`` seconds.

        Raises ``ElementNotFound(element, screen=screen, timeout=timeout, step=<this step>)``.
        A dump that showed a popup is not decided on (the popup was dismissed; the next dump is).
        """
        deadline = trio.current_time() + timeout
        pauses = 0
        while True:
            h, dismissed = await self._look()
            if not dismissed:
                result = decide(h)
                if result is not None:
                    return result
            if trio.current_time() >= deadline:
                self._log_screen(h, f"gave up waiting for {element}")
                raise ElementNotFound(element, screen=screen, timeout=timeout, step=self.current)
            if not dismissed:
                await trio.sleep(self._pause(pauses))
                pauses += 1

    async def wait_for(
        self, *names: str, screen: str, timeout: float, all_of: tuple[str, ...] = ()
    ) -> Found:
        """Wait for the first of ``names`` (with all of ``all_of``) on screen ``screen``."""
        return await self.wait_until(
            self.any_of(*names, all_of=all_of),
            element=" or ".join(names),
            screen=screen,
            timeout=timeout,
        )

    async def find_or_wait(
        self, hierarchy: Hierarchy, name: str, *, screen: str, timeout: float
    ) -> Found:
        """``name`` in ``hierarchy`` (a dump already taken) when it is there, else waits for it
        on screen ``screen`` up to ``timeout`` seconds like :meth:`wait_for` (raising
        ``ElementNotFound``): no extra dump when the screen already shows it."""
        return self.find(hierarchy, name) or await self.wait_for(
            name, screen=screen, timeout=timeout
        )

    async def back_until(
        self,
        name: str,
        *,
        screen: str,
        timeout: float,
        max_backs: int = 6,
        relaunch: Callable[[], Awaitable[None]] | None = None,
    ) -> Found:
        """Press back until ``name`` shows (an app resumes on whatever screen it was left on).

        One dump per decision: ``name`` present -> returned; a screen the selectors know -> back
        key; no known screen (the app is not in front), or ``max_backs`` backs that did not get
        there -> ``relaunch()`` once if given (a cold start lands on the home feed), then wait
        for ``name`` again. Raises ``ElementNotFound`` whose remark says what was tried: how many
        backs, whether the app was relaunched, and how long it waited.
        """
        start = trio.current_time()
        deadline = start + timeout
        backs = 0
        relaunched = False
        pauses = 0
        while True:
            h, dismissed = await self._look()
            if not dismissed:
                found = self.find(h, name)
                if found is not None:
                    return found
                now = self.book.detect_screen(h, self.values)
                stuck = backs >= max_backs
                if (now is None or stuck) and relaunch is not None and not relaunched:
                    self.log.info(
                        "%s; launching the app again",
                        "app not in front"
                        if now is None
                        else f"{backs} backs did not reach {name}",
                    )
                    await relaunch()
                    relaunched = True
                    deadline = max(deadline, trio.current_time() + timeout)
                    continue
                if now is not None and now != screen and not stuck:
                    self.log.info("on screen %r; pressing back", now)
                    await self.session.press_back()
                    backs += 1
                    continue
            if trio.current_time() >= deadline or (
                backs >= max_backs and (relaunched or relaunch is None)
            ):
                waited = trio.current_time() - start
                last = self._log_screen(h, f"gave up going back to {name}")
                tried = f"pressed back {backs} time{'s' if backs != 1 else ''}"
                if relaunched:
                    tried += " and relaunched the app"
                raise TaskFailed(
                    f"{self.current}: {name} did not show on screen '{screen}': {tried}, "
                    f"waited {waited:.1f} s (last screen: {last or 'unknown'})",
                    step=self.current,
                )
            if not dismissed:
                await trio.sleep(self._pause(pauses))
                pauses += 1

    # -- acting ------------------------------------------------------------------------------

    def commit(self, what: str | None = None) -> None:
        """Record that an irreversible action (one a second run must not repeat blindly: a
        Follow, Unfollow, like, comment send, Post) starts now; ``what`` defaults to the current
        step. From here on a failure is not retried automatically, unless this was the only
        one and the script's own check showed it did not happen (:func:`retry_safe`)."""
        self.committed.append(what or self.current)
        self.log.info("irreversible action: %s", self.committed[-1])

    def retry_safe(self, failure: TaskFailed) -> bool:
        """Whether ``failure`` (raised during this run) is safe to retry automatically: the
        failure says so itself (``retry_safe`` True) and at most one irreversible action was
        started (the one it checked), or it says nothing (None) and none was started."""
        if failure.retry_safe is False:
            return False
        if failure.retry_safe is True:
            return len(self.committed) <= 1
        return not self.committed

    async def act(
        self,
        target: Found,
        *,
        until: Callable[[Hierarchy], T | None],
        expecting: str,
        timeout: float,
        retap_when: Callable[[Hierarchy], bool] | None = None,
        irreversible: bool = False,
    ) -> T:
        """Tap ``target`` and poll until ``until(dump)`` returns something (returned).

        ``expecting`` says in words what should follow the tap (for the remark). The tap is
        repeated only after a popup was dismissed and ``target``'s element is still on screen
        without the effect (a popup swallows taps), at most :data:`MAX_TAPS` taps in all.
        For irreversible actions ``retap_when(dump)`` must also hold for a second tap (e.g. "the
        field still holds the comment": the first tap did not send it).
        ``irreversible``: the tap is such an action (:meth:`commit` is called before it).
        Raises :class:`PostConditionFailed` when the effect is not seen within ``timeout`` s;
        for an irreversible tap it is ``retry_safe`` when the last dump still shows ``target``
        (and ``retap_when`` holds): the check showed the action did not happen. Raises
        :class:`PushBack` when a dump or (irreversible taps: the toast is cleared before the tap
        and read after each dump) the toast that followed says TikTok pushes back.
        """
        if irreversible:
            self.commit()
            await self.session.clear_toast()
        await self.session.tap(target.node)
        taps = 1
        popup_since_tap = False
        deadline = trio.current_time() + timeout
        pauses = 0
        while True:
            h, dismissed = await self._look()
            if irreversible:
                await self.check_toast()
            if dismissed:
                popup_since_tap = True
            else:
                result = until(h)
                if result is not None:
                    return result
                again = self.find(h, target.name) if popup_since_tap else None
                if again is not None and retap_when is not None and not retap_when(h):
                    again = None
                if again is not None and taps < MAX_TAPS:
                    self.log.info(
                        "a popup may have swallowed the tap; tapping %s again", target.name
                    )
                    await self.session.tap(again.node)
                    taps += 1
                    popup_since_tap = False
                    continue
            if trio.current_time() >= deadline:
                now = self._log_screen(h, f"no {expecting} after tapping {target.name}")
                undone = (
                    irreversible
                    and not dismissed
                    and self.find(h, target.name) is not None
                    and (retap_when is None or retap_when(h))
                )
                raise PostConditionFailed(
                    f"{self.current}: tapped {target.name} but did not see {expecting} within "
                    f"{timeout:g} s (screen now: {now or 'unknown'})"
                    + (f"; {target.name} still shows: not done" if undone else ""),
                    step=self.current,
                    retry_safe=True if undone else None,
                )
            if not dismissed:
                await trio.sleep(self._pause(pauses))
                pauses += 1

    async def type_into(
        self, name: str, text: str, *, screen: str, timeout: float, field: Found | None = None
    ) -> Hierarchy:
        """Type ``text`` into the field ``name`` on ``screen`` and read it back; returns the dump
        that shows the field holding exactly ``text``. ``field``: the field as a dump just made
        found it (the first attempt then makes no dump of its own to find it).

        The field is tapped first unless it already has focus; the text goes in through
        uiautomator2's input path (``DeviceSession.send_text``, which replaces the content, so
        typing again is harmless). When a popup took the keystrokes (the field does not read
        back), the popup is dismissed and the text typed again, at most :data:`MAX_TAPS` times.
        Raises :class:`ElementNotFound` (no field) or :class:`PostConditionFailed` (never read
        back), the remark quoting what the field showed.
        """
        shown = None
        for _ in range(MAX_TAPS):
            if field is None or field.name != name:
                field = await self.wait_for(name, screen=screen, timeout=timeout)
            if not field.node.focused:
                await self.session.tap(field.node)
            await self.session.send_text(text)
            h = await self.look()
            again = self.find(h, name)
            if again is not None and again.node.text == text:
                return h
            shown = again.node.text if again is not None else None
            field = None
            self.log.info("the %s field does not read back the text; typing again", name)
        raise PostConditionFailed(
            f"{self.current}: typed text did not read back: the {name} field shows "
            f"{shown!r}, expected {text!r}",
            step=self.current,
        )

    def count(self, h: Hierarchy, name: str) -> int:
        """How many nodes of element ``name`` ``h`` shows."""
        return len(self.book.find_all(h, name, self.values))

    def _log_screen(self, h: Hierarchy, why: str) -> str | None:
        screen = self.book.detect_screen(h, self.values)
        self.log.warning("%s; screen looks like %r; texts: %s", why, screen, h.texts()[:30])
        return screen
