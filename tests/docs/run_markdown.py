"""Run the Python blocks of one Markdown file, top to bottom, as a reader pasting them would.

`python tests/docs/run_markdown.py FILE.md` executes every fenced block whose language is
`python` (or `py`, `python3`) in one namespace, in the order they appear, in this one
interpreter, in the current working directory (the test runs it in a fresh temporary one).
A block is left out only when the line just above its fence (blank lines aside) is the
comment `<!-- norun -->`. A failing block stops the run: the traceback names the Markdown
file and the line inside it, because each block is compiled with its own line numbers.
"""

from __future__ import annotations

import re
import sys
import textwrap
import traceback
from dataclasses import dataclass
from pathlib import Path

RUNNABLE = {"python", "py", "python3"}
NORUN = "<!-- norun -->"
# A fence: optional indentation (blocks inside list items), three or more backticks or
# tildes, then the info string whose first word is the language.
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*?)[ \t]*$")


@dataclass
class Block:
    """One fenced code block: where its code starts, its language, its code."""

    line: int  # 1-based line of the first code line in the Markdown file
    lang: str
    code: str
    norun: bool

    @property
    def runs(self) -> bool:
        return self.lang in RUNNABLE and not self.norun


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}


def extract_blocks(text: str) -> list[Block]:
    """Every fenced code block of a Markdown text, in order."""
    lines = text.splitlines()
    blocks: list[Block] = []
    previous = ""  # the last non-blank line outside a block
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m is None:
            if lines[i].strip():
                previous = lines[i].strip()
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info")
        lang = info.split()[0].lstrip(".{").rstrip("}").lower() if info else ""
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not _closes(lines[j], fence):
            body.append(lines[j])
            j += 1
        code = textwrap.dedent("\n".join(body))
        blocks.append(Block(i + 2, lang, code, norun=previous == NORUN))
        previous = ""
        i = j + 1
    return blocks


def run_file(path: Path) -> int:
    """Execute the runnable blocks of `path` in one namespace; 0 when all ran."""
    blocks = [b for b in extract_blocks(path.read_text(encoding="utf-8")) if b.runs]
    namespace: dict[str, object] = {"__name__": "__main__"}
    for n, block in enumerate(blocks, 1):
        # Padding with blank lines gives tracebacks the Markdown file's own line numbers.
        source = "\n" * (block.line - 1) + block.code
        try:
            exec(compile(source, str(path), "exec"), namespace)
        except BaseException:
            print(f"{path}:{block.line}: Python block {n} of {len(blocks)} failed", file=sys.stderr)
            traceback.print_exc()
            return 1
    print(f"{path}: {len(blocks)} Python blocks ran")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/docs/run_markdown.py FILE.md")
    # Run as a script, this folder heads sys.path; a reader's interpreter has no such entry.
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        del sys.path[0]
    sys.exit(run_file(Path(sys.argv[1]).resolve()))
