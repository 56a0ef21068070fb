"""The validator rejects each kind of broken file, naming the file and line."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from corpus_sz.validate import validate_paths

from conftest import REPO


def run_cli(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "corpus_sz.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=env)


def test_corpus_validates():
    report = validate_paths([REPO / "annotations"])
    assert report.ok, [str(e) for e in report.errors]
    assert report.files == 7


def _break(repo_copy, name, old, new, count=1):
    path = repo_copy / "annotations" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def _errors(repo_copy):
    report = validate_paths([repo_copy / "annotations"])
    return [(e.code, e.path, e.line, str(e)) for e in report.errors]


def _line_of(path, needle):
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_changed_text(repo_copy):
    p = _break(repo_copy, "shenyang-2024.xml", "千方百计促进就业。", "千方百计促进创业。")
    errs = _errors(repo_copy)
    assert [e[0] for e in errs] == ["E204"]
    assert errs[0][1] == str(p) and errs[0][2] == _line_of(p, "千方百计促进创业")
    assert "促进创业" in errs[0][3] and "促进就业" in errs[0][3]


def test_dangling_ref(repo_copy):
    p = _break(repo_copy, "shenyang-2025.xml", "地区生产总值增长", 
               '<placeName type="district" ref="#district-nowhere">地区</placeName>生产总值增长')
    errs = _errors(repo_copy)
    assert ("E205", str(p), _line_of(p, "district-nowhere")) in [(c, f, l) for c, f, l, _ in errs]


def test_wrong_label_ref(repo_copy):
    p = _break(repo_copy, "shenyang-2025.xml", "地区生产总值增长",
               '<name type="project" ref="#district-he-ping">地区</name>生产总值增长')
    errs = _errors(repo_copy)
    assert any(c == "E205" and "DISTRICT record" in m for c, _, _, m in errs)


def test_unknown_entity_type(repo_copy):
    p = _break(repo_copy, "shenyang-2025.xml", "地区生产总值增长",
               '<name type="organisation" ref="#district-he-ping">地区</name>生产总值增长')
    errs = _errors(repo_copy)
    assert errs and all(c == "E203" for c, *_ in errs)
    assert any(f == str(p) and l == _line_of(p, "organisation") for _, f, l, _ in errs)


def test_malformed_xml(repo_copy):
    p = _break(repo_copy, "heping-2023.xml", "</head>", "</hed>")
    errs = _errors(repo_copy)
    assert errs[0][0] == "E201" and errs[0][1] == str(p) and errs[0][2] is not None


def test_external_entity_declaration(repo_copy):
    p = repo_copy / "annotations" / "hunnan-2021.xml"
    text = p.read_text(encoding="utf-8")
    evil = '<!DOCTYPE TEI [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    p.write_text(text.replace("?>\n", "?>\n" + evil, 1).replace("<p>", "<p>&xxe;", 1), encoding="utf-8")
    errs = _errors(repo_copy)
    assert errs[0][0] == "E202" and errs[0][1] == str(p) and errs[0][2] == 2
    assert "root:" not in errs[0][3]


def test_duplicate_xml_id(repo_copy):
    p = _break(repo_copy, "heping-2023.xml", 'xml:id="heping-2023-note2"', 'xml:id="heping-2023-note1"')
    errs = _errors(repo_copy)
    assert any(c == "E206" and f == str(p) for c, f, _, _ in errs)


def test_nested_entity(repo_copy):
    p = _break(repo_copy, "shenyang-2025.xml", "地区生产总值增长",
               '<name type="programme" ref="#district-he-ping">地区<placeName type="district" '
               'ref="#district-he-ping">生产</placeName></name>总值增长')
    errs = _errors(repo_copy)
    assert any(c in ("E207", "E203") and f == str(p) and l == _line_of(p, "地区<placeName") for c, f, l, _ in errs)
    assert any(c == "E207" for c, *_ in errs)


def test_empty_file(repo_copy):
    p = repo_copy / "annotations" / "shenyang-2021.xml"
    p.write_bytes(b"")
    errs = _errors(repo_copy)
    assert errs[0][:3] == ("E209", str(p), 1)


def test_wrong_edition(repo_copy):
    p = _break(repo_copy, "hunnan-2021.xml", 'edition n="', 'edition n="9.9.9-old" x="')
    errs = _errors(repo_copy)
    assert any(c == "E208" for c, *_ in errs)


def test_cli_reports_file_line_and_exits_1(repo_copy):
    _break(repo_copy, "shenyang-2024.xml", "千方百计促进就业。", "千方百计促进创业。")
    import os

    env = dict(os.environ, CORPUS_SZ_ROOT=str(repo_copy))
    r = run_cli("validate", str(repo_copy / "annotations"), env=env)
    assert r.returncode == 1
    assert re.search(r"shenyang-2024\.xml:\d+:\d+: \[E204\]", r.stderr)
    assert "Traceback" not in r.stderr


def test_changed_seed_is_reported_in_one_line(repo_copy):
    import os

    seed = repo_copy / "seeds" / "002_0391023c4a769222.txt"
    seed.write_bytes(seed.read_bytes() + b"x")
    env = dict(os.environ, CORPUS_SZ_ROOT=str(repo_copy))
    r = run_cli("validate", str(repo_copy / "annotations"), env=env)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    lines = [l for l in r.stderr.splitlines() if "E002" in l]
    assert len(lines) == 1 and "002_0391023c4a769222.txt" in lines[0] and "restore" in lines[0]


def test_non_utf8_tei_file_is_reported(repo_copy):
    p = repo_copy / "annotations" / "shenyang-2025.xml"
    p.write_bytes(p.read_text(encoding="utf-8").encode("gb18030"))
    errs = _errors(repo_copy)
    assert errs and errs[0][0] == "E201" and errs[0][1] == str(p) and errs[0][2] is not None


def test_hand_edited_indicator_measure(repo_copy):
    p = _break(repo_copy, "shenyang-2024.xml", 'commodity="地区生产总值" unit="%" quantity="6"',
               'commodity="地区生产总值" unit="%" quantity="7"')
    errs = _errors(repo_copy)
    assert [c for c, *_ in errs] == ["E213"] and errs[0][1] == str(p)
