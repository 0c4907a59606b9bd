"""The README stays a front page: short, with the two-command quick start and working links."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Markdown links and images whose target is a path in the repository (not a URL, not #anchor).
LOCAL_LINK = re.compile(r"\]\((?!https?://|#|mailto:)([^)\s#]+)(?:#[^)]*)?\)")


def test_the_readme_is_at_most_200_lines() -> None:
    assert len(README.splitlines()) <= 200


def test_the_quick_start_is_the_two_make_commands() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^make (\w+)", quick, flags=re.MULTILINE)
    assert commands == ["demo", "test"]
    for target in commands:  # and the Makefile has them
        assert re.search(rf"^{target}:", (ROOT / "Makefile").read_text(), flags=re.MULTILINE)


def test_every_local_link_and_picture_of_the_readme_exists() -> None:
    targets = LOCAL_LINK.findall(README)
    assert "docs/tutorial.md" in targets and "docs/images/neuron.svg" in targets
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert not missing, f"README links to files that do not exist: {missing}"


def test_the_readme_says_how_to_avoid_the_autograd_name_clash() -> None:
    install = README.split("## Install", 1)[1].split("\n## ", 1)[0]
    assert "HIPS autograd" in install and "ImportError" in install
    assert re.search(r"\d[\d,]* tests in about \d+ seconds", README)  # the test count line
