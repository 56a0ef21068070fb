"""CLI commands for the spaCy pipeline: train, tag, evaluate."""

from __future__ import annotations

from .cli_base import app, guarded  # noqa: F401
