"""`corpus-sz diff`: mentions added, removed, relabelled, relinked; text changes; git revisions."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpus_sz.diff import diff, diff_specs, load_side, render
from corpus_sz.encode import with_entities
from corpus_sz.errors import CorpusError
from corpus_sz.model import Entity
from corpus_sz.tei import read_document, write_document


def _edit(folder: Path, doc_id: str = "shenyang-2025"):
    """Relabel the first mention, relink the second, remove the third, add one, change a word of text."""
    p = folder / f"{doc_id}.xml"
    d = read_document(p)
    ents = list(d.entities)
    e0, e1, e2 = ents[0], ents[1], ents[2]
    new_label = "ZONE" if e0.label != "ZONE" else "PROJECT"
    ents[0] = Entity(e0.start, e0.end, new_label, e0.ref)
    ents[1] = Entity(e1.start, e1.end, e1.label, f"{e1.ref}-2")
    del ents[2]
    # a new mention: the first stretch of three untagged characters in a paragraph
    taken = {i for e in d.entities for i in range(e.start, e.end)}
    t = d.text
    s = next(i for i in range(len(t) - 3) if not taken & set(range(i, i + 3)) and "\n" not in t[i:i + 3])
    ents.append(Entity(s, s + 3, "PROGRAMME", "programme-test"))
    write_document(with_entities(d, ents), p)
    return d, (e0, new_label), e1, e2, s


def test_folders(repo_copy, tmp_path):
    old = tmp_path / "old"
    shutil.copytree(repo_copy / "annotations", old)
    new = repo_copy / "annotations"
    d, (e0, new_label), e1, e2, s = _edit(new)
    # change one character of text that no mention covers
    p = new / "shenyang-2025.xml"
    xml = p.read_text(encoding="utf-8")
    body = xml.index("<text>")
    taken = {i for e in d.entities for i in range(e.start, e.end)}
    t = d.text
    k = next(i for i in range(len(t) - 6, 0, -1) if not taken & set(range(i, i + 6)) and "\n" not in t[i:i + 6]
             and t[i:i + 6] in xml[body:])
    i = xml.index(t[k:k + 6], body)
    p.write_text(xml[:i + 3] + "囧" + xml[i + 4:], encoding="utf-8")

    result = diff(load_side(old), load_side(new))
    (dd,) = [x for x in result.docs if not x.empty]
    assert dd.doc_id == "shenyang-2025"
    kinds = {c.kind: c for c in dd.changes}
    assert set(kinds) == {"added", "removed", "relabelled", "relinked"}
    assert (kinds["relabelled"].old.label, kinds["relabelled"].new.label) == (e0.label, new_label)
    assert kinds["relinked"].new.ref == f"{e1.ref}-2"
    assert (kinds["removed"].old.start, kinds["removed"].old.ref) == (e2.start, e2.ref)
    assert kinds["added"].new.start == s
    assert len(dd.text) == 1 and "囧" in dd.text[0]
    md = render(result)
    assert "| shenyang-2025 | 1 | 1 | 1 | 1 | 0 | 1 changes |" in md
    assert f"**relabelled** `{e0.start}–{e0.end}` {e0.label} → {new_label}" in md
    assert f"**removed** `{e2.start}–{e2.end}` {e2.label} `#{e2.ref}`: " in md
    assert f"【{e2.text}】" in md
    assert f"`#{e1.ref}` → `#{e1.ref}-2`" in md


def test_mentions_follow_text_changes(repo_copy, tmp_path):
    """An insertion before a mention shifts its offsets; the mention is still the same."""
    from corpus_sz.diff import diff_docs

    p = repo_copy / "annotations" / "shenyang-2025.xml"
    old = read_document(p)
    xml = p.read_text(encoding="utf-8")
    first = old.entities[0]
    para = next(x for x in old.paragraphs if x.start <= first.start < x.end)
    needle = para.text[:4]
    i = xml.index("<text>")
    i = xml.index(needle, i)
    p.write_text(xml[:i] + "新增" + xml[i:], encoding="utf-8")
    new = read_document(p)
    dd = diff_docs(old, new)
    assert dd.changes == [] and len(dd.text) == 1 and "新增" in dd.text[0]


def test_identical_and_file_sides(repo_copy):
    f = repo_copy / "annotations" / "hunnan-2021.xml"
    d = diff_specs(str(f), str(f))
    assert d.empty and "No changes" in render(d)
    with pytest.raises(CorpusError) as ei:
        diff_specs("no-such-revision-xyz", str(f), repo=repo_copy)
    assert ei.value.code == "E506"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_revisions(repo_copy):
    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false",
                        *args], cwd=repo_copy, check=True, capture_output=True)

    git("init", "-q")
    git("add", "annotations")
    git("commit", "-q", "-m", "base")
    _edit(repo_copy / "annotations")
    # work tree against HEAD
    d = diff_specs("HEAD", str(repo_copy / "annotations"), repo=repo_copy)
    assert [x.doc_id for x in d.docs if not x.empty] == ["shenyang-2025"]
    git("commit", "-q", "-am", "edit")
    d = diff_specs("HEAD~1", "HEAD", repo=repo_copy)
    (dd,) = [x for x in d.docs if not x.empty]
    assert sorted(c.kind for c in dd.changes) == ["added", "relabelled", "relinked", "removed"]
    d = diff_specs("HEAD~1:annotations/shenyang-2025.xml", "HEAD:annotations/shenyang-2025.xml", repo=repo_copy)
    assert len([c for x in d.docs for c in x.changes]) == 4
    # the CLI, from inside the repository
    env = dict(os.environ, CORPUS_SZ_ROOT=str(repo_copy))
    r = subprocess.run([sys.executable, "-m", "corpus_sz.cli", "diff", "HEAD~1", "HEAD", "--exit-code"],
                       capture_output=True, text=True, cwd=repo_copy, env=env)
    assert r.returncode == 1, r.stderr
    assert r.stdout.startswith("# Annotation changes: `HEAD~1:annotations` → `HEAD:annotations`")
    assert "## shenyang-2025" in r.stdout and "**relinked**" in r.stdout


def test_unlinked_machine_mention_is_shown_without_a_ref(repo_copy, tmp_path):
    """A suggestion without a record (ref None) that a reviewer links reads "(no record) → #id", not "#None"."""
    p = repo_copy / "annotations" / "hunnan-2021.xml"
    d = read_document(p)
    e = d.entities[0]
    old = tmp_path / "old.xml"
    write_document(with_entities(d, [Entity(e.start, e.end, e.label, None, e.text, "#corpus_sz_tagger", "low"),
                                      *d.entities[1:]]), old)
    md = render(diff_specs(str(old), str(p)))
    assert f"**relinked** `{e.start}–{e.end}` {e.label} (no record) → `#{e.ref}`: " in md and "None" not in md
