"""The Markdown block runner itself: which blocks it runs, in what order, and how it fails."""

from __future__ import annotations

from pathlib import Path

from test_code_blocks import run_markdown, runner

PAGE = """# A page

```python
x = 2
```

Some prose.

```text
not code
```

<!-- norun -->

```python
raise RuntimeError("held back: never runs")
```

- a list item with its own block:

    ```py
    y = x * 3
    ```

~~~python title="last.py"
open("written.txt", "w").write(str(y))
~~~
"""


def test_blocks_are_found_with_language_line_and_norun_mark() -> None:
    blocks = runner.extract_blocks(PAGE)
    assert [(b.lang, b.line, b.runs) for b in blocks] == [
        ("python", 4, True),
        ("text", 10, False),
        ("python", 16, False),
        ("py", 22, True),
        ("python", 26, True),
    ]
    assert blocks[3].code == "y = x * 3"  # the list item's indentation is taken off


def test_a_file_runs_top_to_bottom_in_one_namespace_in_its_working_directory(
    tmp_path: Path,
) -> None:
    page = tmp_path / "page.md"
    page.write_text(PAGE)
    work = tmp_path / "work"
    work.mkdir()
    done = run_markdown(page, work)
    assert done.returncode == 0, done.stderr
    assert "3 Python blocks ran" in done.stdout
    assert (work / "written.txt").read_text() == "6"


def test_a_failing_block_names_the_file_and_its_line(tmp_path: Path) -> None:
    page = tmp_path / "broken.md"
    page.write_text("# Broken\n\n```python\na = 1\n```\n\n```python\nprint(a)\nnot_defined\n```\n")
    done = run_markdown(page, tmp_path)
    assert done.returncode == 1
    assert f"{page}:8: Python block 2 of 2 failed" in done.stderr
    assert f'File "{page}", line 9' in done.stderr  # the traceback points into the page
    assert "NameError: name 'not_defined' is not defined" in done.stderr
