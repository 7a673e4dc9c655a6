"""The device layer: one async facade per phone over adbutils + uiautomator2.

``DeviceSession`` (``session.py``) is what device workers and scripts use; ``Hierarchy``/``Node``
(``hierarchy.py``) are the parsed UI dumps scripts decide on.
"""

from runner.devices.hierarchy import Bounds, Hierarchy, HierarchyParseError, Node
from runner.devices.session import DeviceSession

__all__ = ["Bounds", "DeviceSession", "Hierarchy", "HierarchyParseError", "Node"]
