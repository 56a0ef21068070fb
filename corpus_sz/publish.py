"""Publish the built dataset folder to the Hugging Face Hub, tagged with the version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import E601, CorpusError
from .version import __version__



def publish(folder: Path, repo_id: str, *, client: Any = None, token: str | None = None,
            private: bool = False) -> str:
    """Upload ``folder`` (a built ``hf/``) to ``repo_id`` and tag it ``v{version}``.

    ``client`` is an ``huggingface_hub.HfApi``-like object; tests inject a fake.
    Returns the tag.
    """
    folder = Path(folder)
    if not (folder / "README.md").exists():
        raise CorpusError(E601, "not a built dataset folder (no README.md card)", path=str(folder),
                          hint="run `corpus-sz build --out DIR` and publish DIR/hf")
    if "/" not in repo_id:
        raise CorpusError(E601, f"repo id {repo_id!r} must be ORG/NAME")
    if client is None:
        import os

        from huggingface_hub import HfApi

        if os.environ.get("HF_HUB_OFFLINE") == "1":
            raise CorpusError(E601, "offline (HF_HUB_OFFLINE=1): cannot reach the Hub",
                              hint="publish from a machine with network access")
        # without a token create_repo would go out to the network only to be refused: fail here instead
        token = token or _stored_token()
        if not token:
            raise CorpusError(E601, "no Hugging Face token (set HF_TOKEN or run `huggingface-cli login`)",
                              hint="with huggingface_hub 1.0 or later the login command is `hf auth login`")
        client = HfApi(token=token)
    tag = f"v{__version__}"
    try:
        client.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        client.upload_folder(repo_id=repo_id, folder_path=str(folder), repo_type="dataset",
                             commit_message=f"corpus_sz {__version__}")
        client.create_tag(repo_id, tag=tag, repo_type="dataset", tag_message=f"corpus_sz {__version__}")
    except CorpusError:
        raise
    except Exception as e:  # network errors come in many types; one clear line either way
        kind = type(e).__name__
        raise CorpusError(E601, f"upload to {repo_id} failed ({kind}: {str(e).splitlines()[0][:120] if str(e) else ''})",
                          hint="check the network, the token (HF_TOKEN) and the repo id") from None
    return tag


def _stored_token() -> str | None:
    """The token huggingface_hub would use (HF_TOKEN, the login file), or None."""
    from huggingface_hub import get_token

    try:
        return get_token()
    except Exception as e:  # e.g. a token exchange in CI that is set up but fails: one clear line
        raise CorpusError(E601, f"cannot get a Hugging Face token ({type(e).__name__}: {str(e)[:120]})",
                          hint="set HF_TOKEN or run `huggingface-cli login`") from None
