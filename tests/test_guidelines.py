"""Every corpus example in docs/guidelines.md agrees with the gold (the checker lives in the appendix)."""

import re
import subprocess
import sys

from conftest import REPO


def test_guideline_examples_match_the_gold(tmp_path):
    appendix = (REPO / "docs" / "guidelines-examples.md").read_text(encoding="utf-8")
    code = re.search(r"^```python\n(.*?)^```$", appendix, flags=re.S | re.M).group(1)
    script = tmp_path / "check_examples.py"
    script.write_text(code, encoding="utf-8")
    r = subprocess.run([sys.executable, str(script), str(REPO / "docs" / "guidelines.md")],
                       capture_output=True, text=True, cwd=REPO)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
