"""Faults of a simulated phone that tests schedule "at the worst moment", and Android's own
system dialogs for a crashed or hung app.

:class:`FaultSchedule` holds faults waiting for a trigger: the n-th tap from now
(:meth:`FaultSchedule.add_tap`) or an app reaching a named screen (:meth:`add_screen`). A fault is a
callable taking the phone, or one of the names in :data:`FAULTS`. Triggers only mark a fault due;
the phone fires due faults at safe points of the same input (before a tap lands, after a screen
change), so an app is never torn down in the middle of its own method.

:class:`SystemDialog` is the AppErrorDialog / AppNotRespondingDialog of ``system_server``
(package ``android``): ``<App> keeps stopping`` (``App info``, ``Close app``) and ``<App> isn't
responding`` (``Close app``, ``Wait``), drawn over whatever is on screen and taking every tap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from runner.sim.hierarchy import Node, Rect, finalize

if TYPE_CHECKING:
    from runner.sim.phone import SimPhone

FAULTS: dict[str, Callable[[SimPhone], None]] = {
    "crash": lambda p: p._crash("com.zhiliaoapp.musically"),
    "anr": lambda p: p._anr("com.zhiliaoapp.musically"),
    "offline": lambda p: p._apply_state("offline"),
    "unauthorized": lambda p: p._apply_state("unauthorized"),
    "absent": lambda p: p._apply_state("absent"),
    "kill_uiautomator": lambda p: p._kill_uia(),
    "block_uiautomator": lambda p: (setattr(p, "uiautomator_blocked", True), p._kill_uia()),
    "storage_full": lambda p: setattr(p, "storage_full", True),
    "popup": lambda p: p.tiktok.maybe_popup_now(),
    # TikTok pushing back from now on (runner/sim/tiktok/pushback.py): every next follow of the
    # phone's accounts is refused, shown as a toast, a dialog, silently, or a captcha wall.
    "push_back_toast": lambda p: setattr(p, "push_back", _rule("toast")),
    "push_back_dialog": lambda p: setattr(p, "push_back", _rule("dialog")),
    "push_back_silent": lambda p: setattr(p, "push_back", _rule("silent")),
    "verification_wall": lambda p: p.tiktok.show_overlay(_wall()),
}


def _rule(kind: str) -> Any:
    from runner.sim.tiktok.pushback import PushBackRule

    return PushBackRule(kind)


def _wall() -> Any:
    from runner.sim.tiktok.pushback import VerificationWall

    return VerificationWall()


def resolve(fault: Any) -> Callable[[SimPhone], None]:
    """The callable for ``fault`` (a name in :data:`FAULTS` or a callable taking the phone)."""
    if callable(fault):
        return fault
    if fault in FAULTS:
        return FAULTS[fault]
    raise ValueError(f"unknown fault {fault!r}; known: {sorted(FAULTS)} or a callable")


class FaultSchedule:
    """Faults waiting for their moment on one phone (the farm's lock held)."""

    def __init__(self, phone: SimPhone) -> None:
        self.phone = phone
        self.taps = 0  # taps seen so far
        self._on_tap: list[tuple[int, Callable[[SimPhone], None]]] = []
        self._on_screen: list[tuple[str, str | None, Callable[[SimPhone], None]]] = []
        self._due: list[Callable[[SimPhone], None]] = []

    def add_tap(self, n: int, fault: Any) -> None:
        if n < 1:
            raise ValueError("n counts taps from 1")
        self._on_tap.append((self.taps + n, resolve(fault)))

    def add_screen(self, name: str, fault: Any, package: str | None) -> None:
        self._on_screen.append((name, package, resolve(fault)))

    def tapped(self) -> None:
        self.taps += 1
        due = [f for at, f in self._on_tap if at == self.taps]
        self._on_tap = [(at, f) for at, f in self._on_tap if at != self.taps]
        self._due.extend(due)

    def screen_reached(self, package: str, name: str) -> None:
        keep = []
        for entry in self._on_screen:
            want, pkg, fault = entry
            if want == name and (pkg is None or pkg == package):
                self._due.append(fault)
            else:
                keep.append(entry)
        self._on_screen = keep

    def fire_pending(self) -> None:
        while self._due:
            self._due.pop(0)(self.phone)


@dataclass
class SystemDialog:
    """A dialog of ``system_server`` over the screen; ``buttons`` are (label, action)."""

    title: str
    package: str
    buttons: tuple[tuple[str, str], ...]

    @classmethod
    def crash(cls, label: str, package: str) -> SystemDialog:
        return cls(
            f"{label} keeps stopping", package, (("App info", "info"), ("Close app", "close"))
        )

    @classmethod
    def anr(cls, label: str, package: str) -> SystemDialog:
        return cls(f"{label} isn't responding", package, (("Close app", "kill"), ("Wait", "wait")))

    def build(self) -> Node:
        rid = "android:id/"
        panel = Node("android.widget.LinearLayout", Rect(90, 900, 990, 1500),
                     resource_id=rid + "parentPanel")  # fmt: skip
        panel.add(Node("android.widget.TextView", Rect(150, 950, 930, 1050), text=self.title,
                       resource_id=rid + "alertTitle"))  # fmt: skip
        for i, (label, action) in enumerate(self.buttons):
            top = 1120 + i * 150
            panel.add(Node("android.widget.Button", Rect(150, top, 930, top + 130), text=label,
                           clickable=True, resource_id=rid + f"aerr_{action}",
                           action=action))  # fmt: skip
        root = Node("android.widget.FrameLayout", clickable=True, action="outside")
        return finalize(root.add(panel), "android")

    def tap(self, phone: SimPhone, action: str) -> None:
        """Handle a button (or ``back``/``outside``); the phone's lock is held."""
        if action == "outside":
            return
        phone.system_dialog = None
        if action == "kill":
            phone.force_stop(self.package)
        elif action == "info":
            phone.go_home()
        phone.notify_ui()
