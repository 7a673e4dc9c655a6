"""tikrunner: a declarative workflow runner for Android phone farms speaking TikMatrix's local API."""

__version__ = "0.1.0"
