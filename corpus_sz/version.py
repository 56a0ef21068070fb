"""The package version is the corpus version (semver; see CHANGELOG.md)."""

__version__ = "0.1.1"

# The date this version of the corpus was released (written into every TEI header).
__release_date__ = "2026-11-26"

# Every release, newest first: (version, date, what it changed in the TEI files). Each TEI
# header's revisionDesc lists them, so a file says which releases it went through.
RELEASES: tuple[tuple[str, str, str], ...] = (
    ("0.1.1", "2026-11-26", "texts and annotations unchanged; new edition for the tools and pipeline of this release"),
    ("0.1.0", "2026-11-25", "first release: cleaned text, structure and entity annotation"),
)


def release_history(version: str = __version__) -> list[tuple[str, str, str]]:
    """The releases up to ``version``, newest first (one undated entry for a version not released)."""
    versions = [r[0] for r in RELEASES]
    if version not in versions:
        return [(version, __release_date__, "unreleased"), *RELEASES]
    return list(RELEASES[versions.index(version):])
