"""Helpers for the sim tests that read the real-shaped TikTok screens (runner/sim/tiktok)."""

from __future__ import annotations

import uiautomator2 as u2

from runner.sim import SimFarm
from runner.sim.tiktok.dialogs import PermissionDialog, Popup

DISMISS = ("Not now", "Pas maintenant")


def popup_showing(farm: SimFarm, serial: str = "sim-0001") -> Popup | None:
    with farm.lock:
        overlay = farm.phone(serial).tiktok.overlay
    return overlay if isinstance(overlay, Popup) else None


def dismiss(d: u2.Device, farm: SimFarm, serial: str = "sim-0001") -> int:
    """Dismiss what interrupts, as a script would: Android's photos prompt by ``Allow``, the
    collections sheet by its ``Not now``, the update prompt (no words, nothing clickable) with
    back. Returns how many."""
    n = 0
    with farm.lock:
        asking = isinstance(farm.phone(serial).tiktok.overlay, PermissionDialog)
    if asking:  # Android's photos prompt, the first time the gallery opens
        d(text="Allow").click()
        n += 1
    while (popup := popup_showing(farm, serial)) is not None:
        word = next((w for w in DISMISS if d(text=w).exists), None)
        if popup.kind == "collections" and word:
            d(text=word).click()
        else:
            d.press("back")
        n += 1
    return n
