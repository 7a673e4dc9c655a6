"""The simulated TikTok app: screens, per-version resource ids, account ground truth."""

from runner.sim.tiktok.account import SimAccount
from runner.sim.tiktok.app import TikTokApp
from runner.sim.tiktok.ids import DEFAULT_VERSION, PACKAGE, VERSIONS, resource_ids

__all__ = ["DEFAULT_VERSION", "PACKAGE", "VERSIONS", "SimAccount", "TikTokApp", "resource_ids"]
