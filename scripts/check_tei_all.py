#!/usr/bin/env python3
"""TEI P5 conformance: validate every TEI file against tei_all.rng (TEI 4.3.0).

The schema stays outside the repository (``../shared/schemas/tei_all.rng``);
pass its path as the first argument. The root file is validated after
resolving its XIncludes (local files only, no network).
Exit 0 when all files are valid; 1 otherwise, with FILE:LINE: message lines.
"""

import sys
from pathlib import Path

from lxml import etree


def main() -> int:
    schema = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/schemas/tei_all.rng")
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("annotations")
    if not schema.exists():
        print(f"{schema}: TEI schema not found (expected ../shared/schemas/tei_all.rng)", file=sys.stderr)
        return 2
    rng = etree.RelaxNG(etree.parse(str(schema)))
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    bad = 0
    files = sorted(folder.glob("*.xml"))
    for f in files:
        tree = etree.parse(str(f), parser)
        if f.name == "corpus.xml":
            tree.xinclude()
        if rng.validate(tree):
            print(f"valid  {f}")
        else:
            bad += 1
            for e in rng.error_log:
                print(f"{f}:{e.line}: {e.message}", file=sys.stderr)
    print(f"tei_all: {len(files) - bad} of {len(files)} files valid")
    return 1 if bad or not files else 0


if __name__ == "__main__":
    sys.exit(main())
