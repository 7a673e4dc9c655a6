"""Shared test set-up.

adbutils runs ``adb start-server`` when it cannot reach its server; pointing it at /bin/false keeps
a real adb daemon from appearing on a simulator's port (design.md, "Simulated phones").
"""

import os

os.environ.setdefault("ADBUTILS_ADB_PATH", "/bin/false")
