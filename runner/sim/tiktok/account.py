"""Ground truth of one simulated TikTok account: whom it follows and what it did, in order.

Tests seed ``following`` directly; the app model changes it only through :meth:`follow` and
:meth:`unfollow`, which also append to ``actions`` (``seq`` counts from 1 per account). The farm's
lock guards both while the simulator runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SimAccount:
    """One account logged in on a simulated phone."""

    username: str
    following: set[str] = field(default_factory=set)
    actions: list[dict[str, Any]] = field(default_factory=list)

    def _record(self, action: str, target: str) -> None:
        self.actions.append({"action": action, "target": target, "seq": len(self.actions) + 1})

    def follow(self, target: str) -> None:
        self.following.add(target)
        self._record("follow", target)

    def unfollow(self, target: str) -> None:
        self.following.discard(target)
        self._record("unfollow", target)

    def ground_truth(self) -> dict[str, Any]:
        """``{"following": [...sorted], "actions": [...]}`` (a copy, JSON-able)."""
        return {"following": sorted(self.following), "actions": [dict(a) for a in self.actions]}
