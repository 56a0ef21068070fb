"""The package version is the corpus version (semver; see CHANGELOG.md)."""

__version__ = "0.1.0"

# The date this version of the corpus was released (written into every TEI header).
__release_date__ = "2026-11-25"
