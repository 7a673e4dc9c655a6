"""Simulated phones: a fake adb server in front of simulated Android phones running a TikTok model.

Unmodified adbutils and uiautomator2 run against it (the simulation is at the protocol level).
Entry points: :class:`SimFarm` (serve / running / ground_truth / fault hooks) and
:func:`runner.sim.cli.run_sim` for ``tikrunner sim``.
"""

from runner.sim.farm import SimFarm
from runner.sim.phone import SimPhone
from runner.sim.tiktok import DEFAULT_VERSION, PACKAGE, VERSIONS, SimAccount, resource_ids

__all__ = [
    "DEFAULT_VERSION",
    "PACKAGE",
    "VERSIONS",
    "SimAccount",
    "SimFarm",
    "SimPhone",
    "resource_ids",
]
