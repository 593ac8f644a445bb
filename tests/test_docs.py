"""The repository explains itself: its README and docs/ link only to files that exist in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LOCAL_LINK = re.compile(r"\]\((?!https?://|mailto:|#)([^)#\s]+)")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.relative_to(ROOT).as_posix())
def test_a_document_points_only_inside_the_repository(document: Path) -> None:
    text = document.read_text()
    assert "../shared" not in text
    for target in LOCAL_LINK.findall(text):
        resolved = (document.parent / target).resolve()
        assert resolved.is_relative_to(ROOT), f"{target} leaves the repository"
        assert resolved.exists(), f"{target} does not exist"


def test_the_architecture_page_is_linked_from_the_readme() -> None:
    assert "(docs/architecture.md)" in (ROOT / "README.md").read_text()
    for module in sorted(p.name for p in (ROOT / "platform/confer/modules").iterdir() if (p / "__init__.py").exists()):
        assert f"| {module} |" in (ROOT / "docs/architecture.md").read_text(), f"{module} is not described"
