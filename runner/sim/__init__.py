"""Simulated phones: a fake adb server in front of simulated Android phones running a TikTok model.

Unmodified adbutils and uiautomator2 run against it (the simulation is at the protocol level).
Entry points: :class:`SimFarm` (serve / running / ground_truth / fault hooks) and
:func:`runner.sim.cli.run_sim` for ``tikrunner sim``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runner.sim.farm import SimFarm
    from runner.sim.phone import SimPhone
    from runner.sim.tiktok import DEFAULT_VERSION, PACKAGE, VERSIONS, SimAccount, resource_ids

#: Where each name below lives. They are imported on first use (PEP 562), so that importing one
#: small module of the package (``runner.sim.naming``, which ``tikrunner serve`` checks its
#: ``--serial-prefix`` with) does not load the whole simulator (0.15 CPU-s a process).
_LAZY = {
    "SimFarm": "runner.sim.farm",
    "SimPhone": "runner.sim.phone",
    "DEFAULT_VERSION": "runner.sim.tiktok",
    "PACKAGE": "runner.sim.tiktok",
    "VERSIONS": "runner.sim.tiktok",
    "SimAccount": "runner.sim.tiktok",
    "resource_ids": "runner.sim.tiktok",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_VERSION",
    "PACKAGE",
    "VERSIONS",
    "SimAccount",
    "SimFarm",
    "SimPhone",
    "resource_ids",
]
