"""CLI commands for contribution: import, export, diff, new-report."""

from __future__ import annotations

from .cli_base import app, guarded  # noqa: F401
