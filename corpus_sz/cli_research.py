"""CLI commands for research features: indicators, kwic, timeline, view."""

from __future__ import annotations

from .cli_base import app, guarded  # noqa: F401
