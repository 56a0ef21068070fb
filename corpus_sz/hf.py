"""Export: the corpus as a Hugging Face dataset folder, laid out as a Hub repo.

``DIR/hf/`` holds a dataset card (``README.md`` with a YAML header declaring
every config, its features and splits) and one parquet file per config and
split, written with ``datasets`` so that typed features (ClassLabel names)
survive. ``datasets.load_dataset(DIR/hf, "ner")`` reads it offline exactly as
it would read the Hub.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from .corpus import Corpus
from .errors import E205, E216, E510, E513, CorpusError
from .model import LABELS
from .output import output_error
from .version import __version__
from .xmlutil import atomic_write

# Fixed split of the `ner` config, by document (never by sentence): documented in the card.
NER_SPLITS = {
    "train": ["shenyang-2021", "heping-2023", "hunnan-2021"],
    "validation": ["shenyang-2025"],
    "test": ["shenyang-2024"],
}
NER_TAGS = ["O"] + [f"{p}-{l}" for l in LABELS for p in ("B", "I")]
CONFIGS = ("documents", "paragraphs", "ner", "entities", "indicators")
METADATA_FIELDS = ["title", "title_supplied", "issuer", "level", "admin_code", "place", "date", "date_type",
                   "speaker", "session", "source", "year_reviewed", "year_planned", "kind", "seed", "language"]


def features(config: str):
    from datasets import ClassLabel, Features, Sequence, Value

    label = ClassLabel(names=list(LABELS))
    if config == "documents":
        f = {"id": Value("string")}
        for k in METADATA_FIELDS:
            f[k] = Value("bool") if k == "title_supplied" else Value("int32") if k.startswith("year_") else Value("string")
        f.update({"notes": Value("string"), "text": Value("string"), "n_paragraphs": Value("int32"),
                  "n_entities": Value("int32")})
        return Features(f)
    if config == "paragraphs":
        return Features({
            "id": Value("string"), "doc_id": Value("string"), "index": Value("int32"), "kind": Value("string"),
            "division": Value("string"), "part": Value("string"), "section": Value("string"),
            "subsection": Value("string"), "cert": Value("string"), "start": Value("int32"), "end": Value("int32"), "text": Value("string"),
            "entities": [{"start": Value("int32"), "end": Value("int32"), "label": label,
                          "text": Value("string"), "ref": Value("string")}],
        })
    if config == "ner":
        return Features({"id": Value("string"), "doc_id": Value("string"), "paragraph": Value("int32"),
                         "tokens": Sequence(Value("string")), "ner_tags": Sequence(ClassLabel(names=NER_TAGS)),
                         "refs": Sequence(Value("string"))})
    if config == "entities":
        return Features({"id": Value("string"), "label": label, "name": Value("string"),
                         "aliases": Sequence(Value("string")), "code": Value("string"), "level": Value("string"),
                         "note": Value("string"), "mentions": Value("int32"), "documents": Sequence(Value("string"))})
    if config == "indicators":
        from .indicators import INDICATOR_FEATURES

        return INDICATOR_FEATURES
    raise KeyError(config)


def rows(corpus: Corpus) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Rows of every config and split, in a fixed order."""
    docs, paras, ents_rows = [], [], []
    ner: dict[str, list] = {s: [] for s in NER_SPLITS}
    split_of = {d: s for s, ds in NER_SPLITS.items() for d in ds}
    for d in corpus:
        md = d.metadata
        docs.append({"id": d.id, **{k: md.get(k) for k in METADATA_FIELDS},
                     "notes": json.dumps(md.get("notes", {}), ensure_ascii=False, sort_keys=True),
                     "text": d.text, "n_paragraphs": len(d.paragraphs), "n_entities": len(d.entities)})
        for p in d.paragraphs:
            inside = [e for e in d.entities if p.start <= e.start and e.end <= p.end]
            pid = f"{d.id}-p{p.index:04d}"
            paras.append({"id": pid, "doc_id": d.id, "index": p.index, "kind": p.kind, "division": p.division,
                          "part": p.part, "section": p.section, "subsection": p.subsection, "cert": p.cert,
                          "start": p.start,
                          "end": p.end, "text": p.text,
                          "entities": [{"start": e.start - p.start, "end": e.end - p.start, "label": e.label,
                                        "text": e.text, "ref": e.ref} for e in inside]})
            tags = ["O"] * len(p.text)
            refs: list[str] = [""] * len(p.text)
            for e in inside:
                for i in range(e.start - p.start, e.end - p.start):
                    tags[i] = ("B-" if i == e.start - p.start else "I-") + e.label
                    refs[i] = e.ref or ""
            split = split_of.get(d.id, "train")
            ner[split].append({"id": pid, "doc_id": d.id, "paragraph": p.index, "tokens": list(p.text),
                               "ner_tags": tags, "refs": refs})
    mentions = Counter(e.ref for d in corpus for e in d.entities)
    docs_of: dict[str, list[str]] = {}
    for d in corpus:
        for e in d.entities:
            if d.id not in docs_of.setdefault(e.ref, []):
                docs_of[e.ref].append(d.id)
    for r in sorted(corpus.authority, key=lambda r: r.id):
        ents_rows.append({"id": r.id, "label": r.label, "name": r.name, "aliases": list(r.aliases), "code": r.code,
                          "level": r.level, "note": r.note, "mentions": mentions.get(r.id, 0),
                          "documents": docs_of.get(r.id, [])})
    from .indicators import indicator_rows

    return {"documents": {"train": docs}, "paragraphs": {"train": paras}, "ner": ner,
            "entities": {"train": ents_rows}, "indicators": {"train": indicator_rows(corpus)}}


def check_records(corpus: Corpus) -> None:
    """Refuse a corpus without authority records, or whose mentions name records it does not have.

    The ``entities`` config would be empty or miss records, and the ``ref`` of the other
    configs would point at nothing: the links, the point of the corpus, would be lost
    without a word. ``corpus-sz validate`` agrees: an authority file without records breaks
    its schema (E203) and each mention without its record is an error (E205).
    """
    from .corpus import AUTHORITY_FILE

    where = str(Path(corpus.folder) / AUTHORITY_FILE) if corpus.folder is not None else None
    mentions = sum(len(d.entities) for d in corpus)
    if not len(corpus.authority):
        raise CorpusError(E216, f"{AUTHORITY_FILE} holds no records ({mentions} mentions refer to records)",
                          path=where, hint=f"restore the records of {AUTHORITY_FILE} (e.g. from git): the "
                                           "entities config is made of them; `corpus-sz validate` checks the file")
    missing = [(d.id, e) for d in corpus for e in d.entities if e.ref is not None and e.ref not in corpus.authority]
    if missing:
        doc_id, first = missing[0]
        raise CorpusError(E205, f"{len(missing)} mentions refer to records that {AUTHORITY_FILE} does not have "
                                f"(first: #{first.ref} for {first.text!r} in {doc_id})", path=where,
                          hint=f"add the records to {AUTHORITY_FILE} or fix the refs; `corpus-sz validate` lists "
                               "every mention")


def write_hf(corpus: Corpus, out: Path) -> dict[str, dict[str, int]]:
    """Write the Hub-ready folder ``out`` (replaced as a whole, atomically); return row counts.

    A split without rows (the ``ner`` validation split of a corpus without its document) is
    counted but neither written nor declared: ``datasets`` cannot load an empty split. A config
    without any row is refused (E513), as are missing authority records (:func:`check_records`).
    """
    from datasets import Dataset
    from datasets.utils.logging import disable_progress_bar

    from .output import replacing_dirs

    disable_progress_bar()
    check_records(corpus)
    out = Path(out)
    all_rows = rows(corpus)
    for config, splits in all_rows.items():
        if not any(splits.values()):
            raise CorpusError(E513, f"the {config} config of the dataset would have no rows",
                              path=str(corpus.folder) if corpus.folder is not None else None,
                              hint="the export needs at least one report with paragraphs and headline indicators; "
                                   "check the xi:include lines of corpus.xml")
    counts: dict[str, dict[str, int]] = {}
    infos: dict[str, Any] = {}
    sizes: dict[str, dict[str, tuple[int, int]]] = {}
    # built beside the old folder and swapped in: a failure leaves the old one, no stale parquet survives
    with replacing_dirs(out.parent, [out.name]) as stage:
        tmp = stage / out.name
        tmp.mkdir()
        for config, splits in all_rows.items():
            feats = features(config)
            counts[config] = {}
            for split, rs in splits.items():
                counts[config][split] = len(rs)
                if not rs:
                    continue
                ds = Dataset.from_list(rs, features=feats)
                path = tmp / config / f"{split}-00000-of-00001.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                ds.to_parquet(str(path))
                sizes.setdefault(config, {})[split] = (ds.data.nbytes, path.stat().st_size)
            infos[config] = feats
        atomic_write(tmp / "README.md", dataset_card(corpus, counts, infos, sizes))
    return counts


def _yaml_features(feats) -> list:
    """The dataset_info features list as the Hub writes it."""
    return feats._to_yaml_list()


def dataset_card(corpus: Corpus, counts: dict[str, dict[str, int]], infos: dict, sizes: dict) -> str:
    import yaml

    total_rows = sum(counts["paragraphs"].values())
    header = {
        "pretty_name": "corpus_sz: Chinese local-government work reports with entity annotations",
        "language": ["zh"],
        "license": "cc-by-4.0",
        "task_categories": ["token-classification"],
        "task_ids": ["named-entity-recognition"],
        "size_categories": ["n<1K"] if total_rows < 1000 else ["1K<n<10K"],
        "tags": ["government-work-report", "chinese-politics", "public-policy", "tei", "entity-linking",
                 "政府工作报告"],
        # only the splits that were written (write_hf leaves out empty ones)
        "configs": [{"config_name": c, "data_files": [{"split": s, "path": f"{c}/{s}-*.parquet"}
                                                      for s in sizes[c]]} for c in CONFIGS],
        "dataset_info": [{"config_name": c, "features": _yaml_features(infos[c]),
                          "splits": [{"name": s, "num_bytes": sizes[c][s][0], "num_examples": counts[c][s]}
                                     for s in sizes[c]],
                          "download_size": sum(v[1] for v in sizes[c].values()),
                          "dataset_size": sum(v[0] for v in sizes[c].values())}
                         for c in CONFIGS],
    }
    y = yaml.safe_dump(header, allow_unicode=True, sort_keys=False, width=1000)
    return "---\n" + y + "---\n\n" + card_body(corpus, counts)


def card_body(corpus: Corpus, counts) -> str:
    from .stats import stats_markdown

    split_of = {d: s for s, ds in NER_SPLITS.items() for d in ds}
    per_split: dict[str, Counter] = {s: Counter() for s in NER_SPLITS}
    for d in corpus:
        per_split[split_of.get(d.id, "train")].update(e.label for e in d.entities)
    authors, urls = project_info()
    lines = [
        f"# corpus_sz {__version__}",
        "",
        f"Chinese local-government work reports (政府工作报告) of {_scope(corpus)},",
        "cleaned from scraped web pages, divided into parts, sections and paragraphs, and annotated with",
        "mentions of **DISTRICT**, **ZONE**, **PROJECT** and **PROGRAMME**, each linked to an authority record",
        "shared across reports (the same programme in 2021 and 2024 points to one record).",
        "",
        "Made for researchers in Chinese politics, public policy and economics: compare what city and district",
        "governments plan, follow programmes and projects over the years, and train taggers for new reports.",
        "",
        *_project_lines(urls),
        "",
        "## Reports",
        "",
        "| id | level | kind | title | date | reviewed | planned |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in corpus:
        md = d.metadata
        lines.append(f"| {d.id} | {md.get('level')} | {md.get('kind')} | {md.get('title')} | {md.get('date') or '—'} "
                     f"({md.get('date_type') or 'not stated'}) | {md.get('year_reviewed') or '—'} | "
                     f"{md.get('year_planned')} |")
    lines += [
        "",
        "## Sources and cleaning",
        "",
        # one seed per report
        f"The sources are {_number(len(corpus))} scraped web {_plural(len(corpus), 'page')} (kept byte for byte in "
        "the project's `seeds/`). Cleaning is",
        "deterministic and declared per document: web boilerplate, navigation, footers and bylines are removed;",
        "a spam string that replaced 省委, 全省 and 辽宁省人民政府 in the 2024 city report is corrected with the",
        "original kept; a sidebar that cut 兴沈英才计划 in two is moved out and the sentence rejoined; broken",
        "footnote markers of the Heping report become links to its glossary notes. Every edit is recorded in",
        "the TEI edition (`<choice><sic><corr>`, `<gap>`) and every source character is accounted for.",
        "Characters are kept as in the source (half-width and full-width punctuation both occur).",
        "",
        "## Configs",
        "",
        "- `documents`: one row per report: id, every metadata field, `notes` (JSON: why a field is empty or",
        "  inferred) and the full text. Offsets in the other configs count code points of this text.",
        "- `paragraphs`: one row per heading or paragraph, with its place in the structure (part, section,",
        "  subsection) and its entities (paragraph-local code-point offsets, label, record id). `cert` is",
        "  the TEI's doubt about that place (`low`, `medium`; null when none): a doubtful heading or a",
        "  truncated section, so do not file such rows under their section without checking.",
        "- `ner`: character tokens with BIO `ner_tags` (ClassLabel) and the record id of each entity",
        "  character (`refs`), split by document.",
        "- `entities`: the authority records (id, label, canonical name, aliases, GB/T 2260 code for",
        "  districts, issuing level for programmes, mention counts).",
        "- `indicators`: every headline indicator of every report (地区生产总值, 一般公共预算收入, …): value,",
        "  unit, qualifier (左右, 以上, …), direction, year, five-year period, achieved / estimate / target,",
        "  the paragraph and the surface text (see the project's `docs/indicators.md`). `value` is unsigned",
        "  (下降5.4% is 5.4 with direction 下降); `signed_value` carries the direction's sign (−5.4) and is",
        "  the column to pivot or average over records of mixed directions (null for qualitative targets).",
        "",
        "Load a config with `datasets`, giving either the Hub repo this card belongs to (`ORG/NAME`, the",
        "`--repo-id` of `corpus-sz publish`, at the tag `v" + __version__ + "`) or the path of this folder",
        "(`OUT/hf` after `corpus-sz build --out OUT`):",
        "",
        "```python",
        "from datasets import load_dataset",
        *_aligned([(f"ner = load_dataset(\"ORG/NAME\", \"ner\", revision=\"v{__version__}\")",
                    "the Hub: train / validation / test"),
                   ("docs = load_dataset(\"build/hf\", \"documents\")[\"train\"]",
                    "a local build: corpus-sz build --out build")]),
        "```",
        "",
        "or, with the library: `corpus_sz.load_dataset(\"ner\", repo_id=\"ORG/NAME\")` (the Hub, at",
        "`v" + __version__ + "`), or `corpus_sz.load_dataset(\"ner\")`, which builds the installed corpus offline.",
        "",
        "## Splits of `ner`",
        "",
        "Fixed and by document, never by sentence:",
        "",
        "| split | documents | rows | " + " | ".join(LABELS) + " |",
        "|---|---|---:|" + "---:|" * len(LABELS),
    ]
    for s, ds in _split_documents(corpus).items():
        lines.append(f"| {s} | {', '.join(ds)} | {counts['ner'][s]} | "
                     + " | ".join(str(per_split[s][l]) for l in LABELS) + " |")
    lines += [
        "",
        "## Annotation scheme",
        "",
        "Scheme version 1.1 (labels, flat spans, quotation marks inside the span, head nouns such as 规划,",
        "计划, 行动, 工程, 战略, 改革 inside; generic mentions not annotated). See the project's",
        "`docs/guidelines.md` for rules, examples and the decision log, and `docs/annotation-report.md` for",
        "the measured inter-annotator agreement.",
        "",
        "## Statistics",
        "",
        # level 3: the tables are parts of this section, not sections of their own
        stats_markdown(corpus, top=15, level=3),
        "## Licence",
        "",
        "Annotations, structure and records: CC BY 4.0. The report texts are official government work",
        "reports, reproduced for research; the seeds' own web pages are named in each document's metadata.",
        "",
        "## Citation",
        "",
        "```bibtex",
        "@misc{corpus_sz,",
        f"  author = {{{_bibtex_authors(authors)}}},",
        "  title  = {corpus\\_sz: Chinese local-government work reports with entity annotations},",
        f"  note   = {{Version {__version__}}},",
        *([f"  url    = {{{_main_url(urls)}}},"] if urls else []),
        "  year   = {2026}",
        "}",
        "```",
        "",
        "## Version history",
        "",
    ]
    lines += _changelog_entries()
    return "\n".join(lines) + "\n"


_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _number(n: int) -> str:
    """``n`` for running text: a word up to ten, digits above (the card's prose style)."""
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def _plural(n: int, noun: str) -> str:
    return noun if n == 1 else noun + "s"


def _scope(corpus: Corpus) -> str:
    """Whose reports these are ("Shenyang city and two of its districts"), counted from the documents'
    metadata so that the card stays true when `corpus-sz new-report` adds a report or one is removed."""
    city = any(d.metadata.get("level") == "city" for d in corpus)
    # a district with several reports counts once: by its GB/T 2260 code, else its place name
    districts = len({d.metadata.get("admin_code") or d.metadata.get("place") or d.id for d in corpus
                     if d.metadata.get("level") == "district"})
    if not districts:
        return "Shenyang city"
    if not city:
        return f"{_number(districts)} {_plural(districts, 'district')} of Shenyang"
    return f"Shenyang city and {_number(districts)} of its districts"


def _split_documents(corpus: Corpus) -> dict[str, list[str]]:
    """The documents of each ``ner`` split: the fixed ones, and in train every report added since."""
    fixed = {d for ds in NER_SPLITS.values() for d in ds}
    out = {s: list(ds) for s, ds in NER_SPLITS.items()}
    out["train"] += [d.id for d in corpus if d.id not in fixed]  # rows() puts them in train
    return out


# The label of [project.urls] that a citation points to, in order of preference.
_URL_PREFERENCE = ("homepage", "repository", "source", "documentation")


def project_info() -> tuple[list[str], dict[str, str]]:
    """The project's authors and URLs: from ``pyproject.toml`` in a checkout, else the installed metadata.

    Both are empty when the project declares none; the card then credits "corpus_sz
    contributors" and gives no URL rather than invent one.
    """
    import re

    from .paths import PACKAGE_DIR

    pyproject = PACKAGE_DIR.parent / "pyproject.toml"
    if pyproject.is_file():
        import tomllib

        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        if project.get("name") == "corpus_sz":
            authors = [a.get("name") or a.get("email") for a in project.get("authors", [])
                       if a.get("name") or a.get("email")]
            return authors, {str(k): str(v) for k, v in project.get("urls", {}).items()}
    from importlib import metadata

    try:
        md = metadata.metadata("corpus_sz")
    except metadata.PackageNotFoundError:
        return [], {}
    authors = [a.strip() for a in (md.get("Author") or "").split(",") if a.strip()]
    for entry in (md.get("Author-email") or "").split(","):
        # "Name <mail>" or a bare address
        name = re.sub(r"<[^>]*>", "", entry).strip().strip('"') or entry.strip()
        if name and name not in authors:
            authors.append(name)
    urls = {}
    for entry in md.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if url.strip():
            urls[label.strip()] = url.strip()
    return authors, urls


def _main_url(urls: dict[str, str]) -> str:
    by_label = {k.lower(): v for k, v in urls.items()}
    return next((by_label[k] for k in _URL_PREFERENCE if k in by_label), next(iter(urls.values())))


def _bibtex_authors(authors: list[str]) -> str:
    # braces keep a group name ("corpus_sz contributors") from being parsed as a first and last name
    if not authors:
        return "{corpus\\_sz contributors}"
    return " and ".join(a.replace("_", "\\_") for a in authors)


def _aligned(code: list[tuple[str, str]]) -> list[str]:
    """Lines of code with their comments in one column."""
    width = max(len(c) for c, _ in code) + 2
    return [f"{c.ljust(width)}# {comment}" for c, comment in code]


def _project_lines(urls: dict[str, str]) -> list[str]:
    if not urls:
        return ["The TEI edition, the `corpus-sz` tools and the documentation that the sections below refer to",
                "(the project's `docs/`) come with the `corpus_sz` Python package."]
    return ["Project: " + ", ".join(f"[{label}]({url})" for label, url in urls.items()) + "."]


def _changelog_entries() -> list[str]:
    from .paths import data_root

    path = data_root() / "CHANGELOG.md"
    if not path.exists():
        return [f"- {__version__}"]
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        # released versions only: an "Unreleased" section describes no published dataset
        if line.startswith("## ") and line[3:].strip().lower() != "unreleased":
            out.append("- " + line[3:].strip())
    return out


# Bumped when the layout or content of a build changes without a corpus or version change,
# so that caches made by an older build of the same version are not reused.
CACHE_FORMAT = 3  # 2: paragraphs has a cert column; the card lists records tied at the top-15 cut;
#                   3: indicators has a signed_value column (value signed by direction)


def cache_root() -> Path:
    """Where :func:`load_dataset` keeps its builds: ``$CORPUS_SZ_CACHE`` or ``~/.cache/corpus_sz``."""
    env = os.environ.get("CORPUS_SZ_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "corpus_sz"


def cached_build(folder: str | Path | None = None) -> Path:
    """The built ``hf/`` folder of the corpus in ``folder`` (default: the one :func:`corpus_sz.load` reads).

    Builds are cached in :func:`cache_root` under ``hf-{version}-{digest}``, where the digest is
    the sha256 of the corpus files that are loaded (root, authority file, listed reports), the
    changelog the card quotes and :data:`CACHE_FORMAT`: a changed corpus gets a new build, an
    unchanged one is reused. A build is written into a temporary folder beside it and renamed
    into place in one step, so a crash or a second process never leaves a half-written build
    under the final name; when two processes race, the first rename wins and both use it.
    """
    from .corpus import corpus_digest, load
    from .output import writing
    from .paths import annotations_dir, data_root

    folder = Path(folder) if folder is not None else annotations_dir()
    extra = [data_root() / "CHANGELOG.md"]

    def digest() -> str:
        return corpus_digest(folder, extra)

    key = digest()
    root = cache_root()
    final = root / f"hf-{__version__}-{CACHE_FORMAT}-{key[:20]}"
    if (final / "README.md").is_file():  # written last: a folder holding it is a whole build
        return final
    hint = "set CORPUS_SZ_CACHE to a writable folder, or pass path= a folder built by `corpus-sz build`"
    if os.path.lexists(final):
        # only a complete build is ever renamed to this name: something else put this here
        raise CorpusError(E510, "the dataset cache holds an incomplete build", path=str(final),
                          hint=f"delete {final} (it is rebuilt on the next call), or {hint}")
    corpus = load(folder)
    with writing(root, hint=hint):
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".{final.name}.", suffix=".tmp"))
    try:
        write_hf(corpus, tmp / "hf")
        if digest() != key:
            # the files changed while they were read: the build may mix two states, never cache it
            raise CorpusError(E510, "the corpus changed while the dataset was built", path=str(folder),
                              hint="run again when the files are no longer being edited")
        try:
            os.rename(tmp / "hf", final)
        except OSError as e:
            if not (final / "README.md").is_file():  # not another process's identical build
                raise output_error(e, final, hint=hint) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def load_dataset(config: str, repo_id: str | None = None, revision: str | None = None,
                 path: str | Path | None = None):
    """Load a config as a ``datasets.DatasetDict``: from a Hub repo, a built folder or the corpus.

    - ``repo_id`` (``ORG/NAME``): the Hub repo at ``revision`` (default: tag ``v{version}``).
    - ``path``: a folder built by ``corpus-sz build`` (``OUT/hf``), read as it is.
    - neither: the corpus that :func:`corpus_sz.load` reads (the shipped one, or
      ``$CORPUS_SZ_ROOT/annotations``) is built, offline and deterministically, into
      ``~/.cache/corpus_sz/hf-{version}-{format}-{digest}/`` (``$CORPUS_SZ_CACHE`` instead of
      ``~/.cache/corpus_sz`` when set). The digest is a sha256 of the corpus files, so any change
      to the annotations (``corpus-sz new-report``, an edit) gives a fresh build and the data
      always equals ``corpus_sz.load()``. Older builds are never read again and may be deleted.
    """
    import datasets

    if config not in CONFIGS:
        raise CorpusError("E501", f"unknown config {config!r}", hint=f"one of {', '.join(CONFIGS)}")
    if repo_id:
        return datasets.load_dataset(repo_id, config, revision=revision or f"v{__version__}")
    if path is None:
        path = cached_build()
    return datasets.load_dataset(str(path), config)


def card_markdown(corpus: Corpus) -> str:
    """The dataset card's body (without the YAML header), as kept in docs/dataset-card.md."""
    counts = {c: {s: len(r) for s, r in splits.items()} for c, splits in rows(corpus).items()}
    return card_body(corpus, counts)
