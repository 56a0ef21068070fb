"""Writing outputs: atomic files, symlinks and special files, all-or-none sets, whole folders,
and one clear error line (never a traceback, never half an output) when something cannot be written.

Special files are made in tmp_path only (a FIFO, and a null device node when the system allows
it); nothing here writes to /dev or /proc.
"""

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corpus_sz.cli import app
from corpus_sz.errors import CorpusError
from corpus_sz.output import _through_descriptor, write_files
from corpus_sz.xmlutil import atomic_write

from conftest import REPO

runner = CliRunner()
MODEL = REPO / "corpus_sz" / "models" / "zh_corpus_sz"


def tree(folder: Path) -> dict:
    """Every entry under ``folder`` (hidden ones too) with the bytes of the files."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() and not p.is_symlink() else None)
            for p in sorted(folder.rglob("*"))}


def one_error_line(res, code: str) -> str:
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and (res.exception is None or isinstance(res.exception, SystemExit))
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and f"[{code}]" in lines[0], res.stderr
    return lines[0]


# -- atomic_write: what kind of path it is given ------------------------------------------------------
def test_symlink_is_followed_and_stays_a_link(tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("old")
    os.chmod(target, 0o600)
    link = tmp_path / "link.txt"
    link.symlink_to("target.txt")
    atomic_write(link, "new")
    assert link.is_symlink() and os.readlink(link) == "target.txt"
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # the replaced file keeps its permissions
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.txt", "target.txt"]  # no temporary left


def test_symlink_chain_and_dangling_link(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to(tmp_path / "real" / "file.txt")  # dangling: the target is created
    atomic_write(tmp_path / "a", b"x")
    assert (tmp_path / "a").is_symlink() and (tmp_path / "b").is_symlink()
    assert (tmp_path / "real" / "file.txt").read_bytes() == b"x"


def test_fifo_is_written_not_replaced(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader, so that opening for writing does not wait
    try:
        atomic_write(fifo, b"hello")
        assert os.read(reader, 100) == b"hello"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_character_device_is_written_not_replaced(tmp_path):
    node = tmp_path / "null"
    try:  # a null device node of our own (never /dev itself); needs root and a file system allowing devices
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        os.close(os.open(node, os.O_WRONLY))
    except OSError:
        pytest.skip("cannot make or open a device node here")
    atomic_write(node, b"discarded")
    assert stat.S_ISCHR(os.lstat(node).st_mode) and os.lstat(node).st_rdev == os.makedev(1, 3)


def test_descriptor_aliases_are_recognised(tmp_path):
    # /dev/stdout -> /proc/self/fd/1 -> pipe:[N]: realpath cannot be trusted, so such paths are written in place
    link = tmp_path / "out"
    link.symlink_to("/proc/self/fd/1")
    assert _through_descriptor(link) and _through_descriptor(Path("/dev/fd/1"))
    assert not _through_descriptor(tmp_path / "plain.txt")


def test_folder_is_an_error(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    with pytest.raises(IsADirectoryError):
        atomic_write(d, "x")
    assert list(tmp_path.iterdir()) == [d] and not list(d.iterdir())


def test_cli_out_symlink_and_fifo(tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    res = runner.invoke(app, ["indicators", "shenyang-2025", "--out", str(link)])
    assert res.exit_code == 0, res.output
    assert link.is_symlink() and target.read_text(encoding="utf-8").startswith("{")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        res = runner.invoke(app, ["indicators", "shenyang-2025", "--out", str(fifo)])
        assert res.exit_code == 0, res.output
        assert os.read(reader, 1 << 16).decode("utf-8").startswith("{")
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    res = runner.invoke(app, ["indicators", "--out", str(tmp_path)])
    assert "folder, not a file" in one_error_line(res, "E404")


# -- several files: all or none ---------------------------------------------------------------------
def test_write_files_refuses_before_writing_anything(tmp_path):
    (tmp_path / "b.txt").mkdir()
    with pytest.raises(CorpusError) as ei:
        write_files([(tmp_path / "new" / "a.txt", "a"), (tmp_path / "b.txt", "b")])
    assert ei.value.code == "E510" and str(tmp_path / "b.txt") in str(ei.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.txt"]  # no a.txt, no created folder, no temporary


def test_write_files_puts_back_what_it_replaced(tmp_path, monkeypatch):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("old a")
    calls = []
    real_replace = os.replace

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # the second rename fails: the first must be undone
            raise OSError(28, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(CorpusError, match="No space left"):
        write_files([(a, "new a"), (b, "new b")])
    monkeypatch.undo()
    assert a.read_text() == "old a" and not b.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_guard_turns_a_stray_oserror_into_one_line(capsys):
    from corpus_sz.cli_base import guarded

    @guarded
    def command():
        raise PermissionError(13, "Permission denied", "/some/where")

    import typer

    with pytest.raises(typer.Exit) as ei:
        command()
    assert ei.value.exit_code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: /some/where: [E510] file system error: Permission denied") and err.count("\n") == 1


# -- build -------------------------------------------------------------------------------------------
def four_documents(tmp_path) -> Path:
    """The shipped corpus without hunnan-2021."""
    folder = tmp_path / "four"
    shutil.copytree(REPO / "annotations", folder)
    (folder / "hunnan-2021.xml").unlink()
    root = folder / "corpus.xml"
    root.write_text("".join(l for l in root.read_text(encoding="utf-8").splitlines(True)
                            if 'href="hunnan-2021.xml"' not in l), encoding="utf-8")
    return folder


def test_build_replaces_its_folders_whole(tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["build", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "tei" / "hunnan-2021.xml").exists() and (out / "text" / "hunnan-2021.txt").exists()
    (out / "mine.txt").write_text("keep")  # not the build's: never touched
    (out / "hf" / "stale.parquet").write_text("x")
    res = runner.invoke(app, ["build", "--out", str(out), "--path", str(four_documents(tmp_path))])
    assert res.exit_code == 0, res.output
    assert not (out / "tei" / "hunnan-2021.xml").exists() and not (out / "text" / "hunnan-2021.txt").exists()
    assert not (out / "hf" / "stale.parquet").exists()
    assert "tei:   6 files" in res.stdout and "text:  4 files" in res.stdout
    assert (out / "mine.txt").read_text() == "keep"
    assert sorted(p.name for p in out.iterdir()) == ["hf", "jsonl", "mine.txt", "tei", "text"]  # no staging left


def test_build_copies_only_the_files_of_the_corpus(tmp_path):
    """A draft or a backup in the corpus folder that corpus.xml does not include is not released."""
    folder = tmp_path / "annotations"
    shutil.copytree(REPO / "annotations", folder)
    (folder / "draft-2026.xml").write_text("<TEI/>", encoding="utf-8")
    shutil.copy(folder / "shenyang-2024.xml", folder / "shenyang-2024.backup.xml")
    out = tmp_path / "out"
    res = runner.invoke(app, ["build", "--out", str(out), "--path", str(folder)])
    assert res.exit_code == 0, res.output
    want = ["authority.xml", "corpus.xml", "heping-2023.xml", "hunnan-2021.xml", "shenyang-2021.xml",
            "shenyang-2024.xml", "shenyang-2025.xml"]
    assert sorted(p.name for p in (out / "tei").iterdir()) == want and "tei:   7 files" in res.stdout
    for name in want:
        assert (out / "tei" / name).read_bytes() == (folder / name).read_bytes()


def test_failed_build_leaves_out_as_it_was(tmp_path, monkeypatch):
    import corpus_sz.hf

    out = tmp_path / "out"
    (out / "tei").mkdir(parents=True)
    (out / "tei" / "old.xml").write_text("old")
    before = tree(out)

    def broken(corpus, folder):
        raise OSError(28, "No space left on device", str(folder))

    monkeypatch.setattr(corpus_sz.hf, "write_hf", broken)
    res = runner.invoke(app, ["build", "--out", str(out)])
    assert "No space left" in one_error_line(res, "E510")
    assert tree(out) == before


def test_build_unwritable_out_is_one_line_and_leaves_nothing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = runner.invoke(app, ["build", "--out", str(blocker)])
    assert "is a file, not a folder" in one_error_line(res, "E510") and blocker.read_text() == "x"
    res = runner.invoke(app, ["build", "--out", str(blocker / "sub")])
    one_error_line(res, "E510")
    d = tmp_path / "d"
    d.mkdir()
    (d / "hf").write_text("mine")
    res = runner.invoke(app, ["build", "--out", str(d)])
    assert str(d / "hf") in one_error_line(res, "E510")
    assert tree(d) == {"hf": b"mine"}  # no text/, jsonl/ or hf.tmp/ left behind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d", "file"]


# -- export, tag, timeline ---------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["doccano", "labelstudio"])
def test_export_unwritable_out(tmp_path, fmt):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = runner.invoke(app, ["export", "--format", fmt, "--out", str(blocker)])
    assert "is a file, not a folder" in one_error_line(res, "E510")
    res = runner.invoke(app, ["export", "--format", fmt, "--out", str(blocker / "sub")])
    assert str(blocker) in one_error_line(res, "E510")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"] and blocker.read_text() == "x"


def test_export_is_all_or_none(tmp_path):
    out = tmp_path / "ls"
    (out / "shenyang-2025.json").mkdir(parents=True)  # the last document cannot be written
    res = runner.invoke(app, ["export", "--format", "labelstudio", "--out", str(out)])
    assert "shenyang-2025.json" in one_error_line(res, "E510")
    assert sorted(p.name for p in out.iterdir()) == ["shenyang-2025.json"]


def test_tag_tei_unwritable_out(tmp_path):
    text = tmp_path / "report.txt"
    text.write_text("深入实施“十四五”规划，加快浑南科技城建设。\n", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    res = runner.invoke(app, ["tag", str(text), "--format", "tei", "--out", str(blocker)])
    assert "is a file, not a folder" in one_error_line(res, "E510")
    res = runner.invoke(app, ["tag", str(text), "--format", "tei", "--out", str(blocker / "sub")])
    one_error_line(res, "E510")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "report.txt"]


def test_timeline_unwritable_table_leaves_no_image(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    png = tmp_path / "t.png"
    res = runner.invoke(app, ["timeline", "--out", str(png), "--table", str(blocker / "t.tsv")])
    assert "cannot write" in one_error_line(res, "E403")
    assert not png.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_timeline_font_that_is_not_a_font(tmp_path):
    bad = tmp_path / "bin.dat"
    bad.write_bytes(bytes(range(256)) * 4)
    res = runner.invoke(app, ["timeline", "--out", str(tmp_path / "t.png"), "--font", str(bad)])
    line = one_error_line(res, "E403")
    assert "not a usable font file" in line and str(bad) in line
    assert not (tmp_path / "t.png").exists()


@pytest.mark.parametrize("broken", ["meta.json", "vocab/strings.json"])
def test_tag_with_a_broken_model_folder(tmp_path, broken):
    model = tmp_path / "model"
    shutil.copytree(MODEL, model)
    (model / broken).write_text("{not json", encoding="utf-8")
    text = tmp_path / "report.txt"
    text.write_text("加快浑南科技城建设。\n", encoding="utf-8")
    res = runner.invoke(app, ["tag", str(text), "--model", str(model)])
    assert f"{model} is not a loadable pipeline folder: " in one_error_line(res, "E511")


# -- new-report: all files or none -------------------------------------------------------------------
def new_report_inputs(tmp_path):
    from test_newreport import META, SEED

    seed = tmp_path / "report.txt"
    seed.write_text(SEED, encoding="utf-8")
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps(META, ensure_ascii=False), encoding="utf-8")
    return seed, meta


def corpus_state(root: Path) -> dict:
    return {k: v for d in ("seeds", "annotations") for k, v in tree(root / d).items()}


def test_new_report_unwritable_metadata_writes_nothing(repo_copy, tmp_path):
    seed, meta = new_report_inputs(tmp_path)
    (repo_copy / "seeds" / "metadata" / "tiexi-2024.json").mkdir()  # in the way of the metadata record
    before = corpus_state(repo_copy)
    res = runner.invoke(app, ["new-report", str(seed), "--id", "tiexi-2024", "--meta", str(meta)])
    assert "tiexi-2024.json" in one_error_line(res, "E510")
    assert corpus_state(repo_copy) == before  # no seeds/005_….txt without a manifest entry


def test_new_report_failing_late_puts_everything_back(repo_copy, tmp_path, monkeypatch):
    from corpus_sz.newreport import new_report

    seed, meta = new_report_inputs(tmp_path)
    before = corpus_state(repo_copy)
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst).name == "manifest.json":  # the fourth of five files fails
            raise OSError(28, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(CorpusError, match="No space left"):
        new_report(seed, "tiexi-2024", meta)
    monkeypatch.undo()
    assert corpus_state(repo_copy) == before


def test_new_report_bad_id_blames_the_option(repo_copy, tmp_path):
    seed, meta = new_report_inputs(tmp_path)
    res = runner.invoke(app, ["new-report", str(seed), "--id", "Tiexi 2024", "--meta", str(meta)])
    line = one_error_line(res, "E505")
    assert "--id 'Tiexi 2024'" in line and "^[a-z]+-[0-9]{4}" in line and str(meta) not in line


# -- stats, publish ----------------------------------------------------------------------------------
def test_stats_rejects_a_negative_top():
    res = runner.invoke(app, ["stats", "--top", "-5"])
    assert res.exit_code == 2 and "Top -5" not in res.output and "--top" in res.stderr


def test_publish_without_token_fails_before_the_network(tmp_path, monkeypatch):
    import huggingface_hub
    from huggingface_hub import constants

    from corpus_sz.publish import publish

    (tmp_path / "hf").mkdir()
    (tmp_path / "hf" / "README.md").write_text("card")
    for var in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_OIDC_RESOURCE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))  # no stored login either

    class NoNetwork:
        def __init__(self, *a, **kw):
            raise AssertionError("HfApi must not be created without a token")

    monkeypatch.setattr(huggingface_hub, "HfApi", NoNetwork)
    assert huggingface_hub.get_token() is None
    with pytest.raises(CorpusError, match=r"no Hugging Face token \(set HF_TOKEN or run `huggingface-cli login`\)"):
        publish(tmp_path / "hf", "org/x")
    res = runner.invoke(app, ["publish", "--repo-id", "org/x", "--folder", str(tmp_path / "hf")])
    assert "no Hugging Face token" in one_error_line(res, "E601")
