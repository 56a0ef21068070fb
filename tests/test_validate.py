"""The validator rejects each kind of broken file, naming the file and line."""

import re
import subprocess
import sys

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
    _break(repo_copy, "shenyang-2025.xml", "地区生产总值增长",
               '<name type="project" ref="#district-he-ping">地区</name>生产总值增长')
    errs = _errors(repo_copy)
    msg = next(m for c, _, _, m in errs if c == "E205" and "DISTRICT record" in m)
    assert 'hint: if the mention is a DISTRICT, mark it <placeName type="district">' in msg
    assert "point ref at a PROJECT record" in msg


def test_unknown_entity_type(repo_copy):
    p = _break(repo_copy, "shenyang-2025.xml", "地区生产总值增长",
               '<name type="organisation" ref="#district-he-ping">地区</name>生产总值增长')
    errs = _errors(repo_copy)
    # E210 names the allowed types; the schema's "failed to validate attributes" is not repeated
    assert [(c, f, l) for c, f, l, _ in errs] == [("E210", str(p), _line_of(p, "organisation"))]
    assert 'type="organisation"' in errs[0][3] and '<name type="programme"> for PROGRAMME' in errs[0][3]


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
    _break(repo_copy, "hunnan-2021.xml", 'edition n="', 'edition n="9.9.9-old" x="')
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
    assert errs and errs[0][0] == "E214" and errs[0][1] == str(p) and errs[0][2] is not None
    assert "save the file as UTF-8" in errs[0][3] and "mismatched tag" not in errs[0][3]


def test_hand_edited_indicator_measure(repo_copy):
    p = _break(repo_copy, "shenyang-2024.xml", 'commodity="地区生产总值" unit="%" quantity="6"',
               'commodity="地区生产总值" unit="%" quantity="7"')
    errs = _errors(repo_copy)
    assert [c for c, *_ in errs] == ["E213"] and errs[0][1] == str(p)


# -- DOCTYPE, entities and encodings: checked on the parsed document, not on a prefix of its bytes ----

LATE_DOCTYPE = '<!--' + "x" * 5000 + '-->\n<!DOCTYPE TEI SYSTEM "http://127.0.0.1:9/evil.dtd">\n'


def _with_prolog(p, prolog, entity=None, encoding="utf-8", declared="UTF-8"):
    text = p.read_text(encoding="utf-8").replace('encoding="UTF-8"', f'encoding="{declared}"', 1)
    text = text.replace("?>\n", "?>\n" + prolog, 1)
    if entity:
        text = text.replace("<p>", f"<p>&{entity};", 1)
    p.write_bytes(text.encode(encoding))
    return p


def test_doctype_after_a_long_comment_is_rejected(repo_copy):
    p = _with_prolog(repo_copy / "annotations" / "hunnan-2021.xml", LATE_DOCTYPE, entity="leak")
    errs = _errors(repo_copy)
    assert [e[:3] for e in errs] == [("E202", str(p), _line_of(p, "<!DOCTYPE"))]


def test_utf16_file_is_rejected_even_with_a_doctype(repo_copy):
    p = _with_prolog(repo_copy / "annotations" / "hunnan-2021.xml",
                     '<!DOCTYPE TEI [<!ENTITY int "INTERNAL">]>\n', entity="int",
                     encoding="utf-16", declared="UTF-16")
    errs = _errors(repo_copy)
    assert [e[:3] for e in errs] == [("E214", str(p), 1)]
    assert "UTF-16" in errs[0][3] and "save the file as UTF-8" in errs[0][3]


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_declared_gbk_is_rejected(repo_copy, encoding):
    # UTF-8 bytes under a GBK declaration fail to decode; real GBK bytes decode but are not UTF-8
    p = _with_prolog(repo_copy / "annotations" / "shenyang-2025.xml", "", encoding=encoding, declared="GBK")
    errs = _errors(repo_copy)
    assert errs and errs[0][0] == "E214" and errs[0][1] == str(p)
    assert "save the file as UTF-8" in errs[0][3]


def test_undeclared_entity_is_an_entity_error(repo_copy):
    p = _break(repo_copy, "heping-2023.xml", "<p>", "<p>&foo;")
    errs = _errors(repo_copy)
    assert errs[0][:2] == ("E202", str(p)) and "foo" in errs[0][3]


def test_parse_bytes_finds_a_doctype_anywhere_in_the_prolog():
    from corpus_sz.errors import CorpusError
    from corpus_sz.xmlutil import parse_bytes

    raw = ('<?xml version="1.0"?>\n<!--' + "x" * 5000 + '-->\n<!DOCTYPE r SYSTEM "http://127.0.0.1:9/d.dtd">'
           '\n<r>\n<p>a&leak;b</p></r>').encode()
    with pytest.raises(CorpusError) as e:
        parse_bytes(raw, "x.xml")
    assert e.value.code == "E202" and e.value.line == 3


# -- what validate is given -------------------------------------------------------------------------

def test_empty_folder_is_an_error(tmp_path):
    report = validate_paths([tmp_path])
    assert not report.ok and [e.code for e in report.errors] == ["E215"] and "hint:" in str(report.errors[0])


def test_missing_path_is_an_error_with_a_hint(tmp_path):
    r = run_cli("validate", cwd=tmp_path)  # no ./annotations here
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "annotations: [E215] no such file or folder (hint: run from the repository root" in r.stderr


def test_unreadable_file_has_a_hint(tmp_path):
    (tmp_path / "dir.xml").mkdir()
    report = validate_paths([tmp_path])
    assert [e.code for e in report.errors] == ["E201"] and "pass the file itself" in str(report.errors[0])


def test_unknown_format_is_refused(repo_copy):
    r = run_cli("validate", "--format", "bogus", str(repo_copy / "annotations" / "authority.xml"))
    assert r.returncode == 2 and "bogus" in r.stderr and "ok:" not in r.stdout


def test_missing_edition_stmt_names_the_expected_element(repo_copy):
    p = repo_copy / "annotations" / "hunnan-2021.xml"
    text = p.read_text(encoding="utf-8")
    start, end = text.index("      <editionStmt>"), text.index("</editionStmt>\n") + len("</editionStmt>\n")
    p.write_text(text[:start] + text[end:], encoding="utf-8")
    errs = [e for e in _errors(repo_copy) if e[0] == "E203"]
    assert errs and errs[0][1] == str(p) and "<editionStmt> is missing or out of place" in errs[0][3]


def test_gold_mention_without_ref_is_refused(repo_copy):
    """Only an unreviewed machine annotation may lack a record: a gold mention without ref is an error."""
    path = repo_copy / "annotations" / "hunnan-2021.xml"
    text = path.read_text(encoding="utf-8")
    m = re.search(r'<name type="project" ref="#[^"]+">([^<]+)<', text)
    path.write_text(text.replace(m.group(0), f'<name type="project">{m.group(1)}<', 1), encoding="utf-8")
    line = _line_of(path, f'<name type="project">{m.group(1)}<')
    errs = _errors(repo_copy)
    assert [(c, f, l) for c, f, l, _ in errs] == [("E203", str(path), line), ("E205", str(path), line)]
    assert "ref=" in errs[0][3] and f"{m.group(1)!r} has no ref" in errs[1][3] and 'ref="#project-' in errs[1][3]


def test_machine_mention_without_ref_must_be_the_taggers(repo_copy):
    path = repo_copy / "annotations" / "hunnan-2021.xml"
    text = path.read_text(encoding="utf-8")
    m = re.search(r'<name type="project" ref="#[^"]+">([^<]+)<', text)
    path.write_text(text.replace(m.group(0), f'<name type="project" resp="#someone" cert="low">{m.group(1)}<', 1),
                    encoding="utf-8")
    assert [c for c, *_ in _errors(repo_copy)] == ["E203", "E205"]
    path.write_text(text.replace(m.group(0), f'<name type="project" resp="#corpus_sz_tagger" cert="low">'
                                             f"{m.group(1)}<", 1), encoding="utf-8")
    errs = _errors(repo_copy)
    assert [c for c, *_ in errs] == ["E211"] and "has no authority record" in errs[0][3]
