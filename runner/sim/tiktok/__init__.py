"""The simulated TikTok app: screens, per-version resource ids, account ground truth, the world."""

from runner.sim.tiktok.account import SimAccount
from runner.sim.tiktok.app import TikTokApp
from runner.sim.tiktok.ids import CLONE_PACKAGE, DEFAULT_VERSION, PACKAGE, VERSIONS, resource_ids

__all__ = [
    "CLONE_PACKAGE",
    "DEFAULT_VERSION",
    "PACKAGE",
    "VERSIONS",
    "SimAccount",
    "TikTokApp",
    "resource_ids",
]
