"""Errors with stable codes, in the manner of spaCy's ``spacy.errors``.

Every error that reaches a user names the file (and line, where there is one)
and says what to do. The CLI prints ``str(error)`` on one line and exits
non-zero; it never shows a traceback for a :class:`CorpusError`.
"""

from __future__ import annotations


class CorpusError(Exception):
    """An error caused by input data, with a code, a location and a hint."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        col: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.path = path
        self.line = line
        self.col = col
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
                if self.col is not None:
                    where += f":{self.col}"
            where += ": "
        text = f"{where}[{self.code}] {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


# Codes, grouped by stage. E0xx seeds, E1xx cleaning, E2xx TEI and validation,
# E3xx authority records, E4xx reading API, E5xx exports and tools.
E001 = "E001"  # seed file missing
E002 = "E002"  # seed checksum mismatch
E003 = "E003"  # seed not UTF-8 / unreadable
E101 = "E101"  # cleaning left source text unaccounted for
E102 = "E102"  # cleaning anchor not found in seed
E201 = "E201"  # XML not well formed
E202 = "E202"  # DOCTYPE / entity declaration
E203 = "E203"  # schema violation
E204 = "E204"  # text layer differs from cleaned seed
E205 = "E205"  # dangling or wrong-label ref
E206 = "E206"  # duplicate xml:id
E207 = "E207"  # nested entity
E208 = "E208"  # edition differs from package version
E209 = "E209"  # empty file
E210 = "E210"  # unknown entity type
E211 = "E211"  # unreviewed machine annotation in gold file
E212 = "E212"  # metadata differs from the registry
E213 = "E213"  # indicator measures differ from what the extractor derives from the text
E214 = "E214"  # XML file not encoded as UTF-8 (declared, byte-order mark or invalid bytes)
E215 = "E215"  # nothing to validate: the path does not exist or holds no XML files
E216 = "E216"  # the authority file holds no records (an export would lose every link)
E401 = "E401"  # unknown document id
E402 = "E402"  # bad concordance query or unknown record
E403 = "E403"  # bad timeline request
E404 = "E404"  # bad option value for a research command
E405 = "E405"  # not a corpus folder (missing, or no teiCorpus corpus.xml in it)
E406 = "E406"  # a file that corpus.xml includes (a report or authority.xml) is missing
E407 = "E407"  # an xi:include href that is not a plain file name inside the corpus folder
E408 = "E408"  # encode refused: it would drop a report or its annotations
E501 = "E501"  # tool export mismatched with the TEI text
E502 = "E502"  # a mention of a tool file is unusable (range, label, ref, boundary, overlap)
E503 = "E503"  # a tool file cannot be read or its format is unknown
E504 = "E504"  # no corpus document for a tool record
E505 = "E505"  # a new report cannot be added (seed, id or metadata)
E506 = "E506"  # a diff side is neither a file, a folder nor a git revision
E510 = "E510"  # an output file or folder cannot be written (nothing half-written is left)
E511 = "E511"  # a pipeline folder is there but cannot be loaded (broken or foreign files)
E512 = "E512"  # two inputs of a command would write the same output file, or an output would replace an input
E513 = "E513"  # a dataset config would have no rows
E514 = "E514"  # a training config cannot be read or parsed
E601 = "E601"  # publishing to the Hub failed or is impossible (offline)
