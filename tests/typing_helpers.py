"""Helpers shared by the tests that run the real mypy: its command line, its error lines,
and the check of fail files (tests/test_plugin.py's fail/ files, tests/test_models.py's bugs).

A fail file marks each expected error with `# type: ignore[code]` on its line (mypy runs with
--warn-unused-ignores, so an error that stops firing fails the test) and `# E: text` with a
part of the expected message.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ERROR = re.compile(r"^(?P<path>.+?):(?P<line>\d+): error: (?P<message>.*?)  \[(?P<code>[a-z-]+)\]$")
IGNORE = re.compile(r"# type: ignore\[(?P<codes>[a-z, -]+)\]")
EXPECT = re.compile(r"# E: (?P<text>.+)$")


def mypy(cache: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    """mypy --strict (which warns about unused ignores) with the plugin from pyproject.toml."""
    command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache)]
    command += ["--no-pretty", "--no-error-summary", *map(str, paths)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def errors(output: str) -> dict[str, list[tuple[int, str, str]]]:
    """mypy's errors by file name: (line, code, message)."""
    found: dict[str, list[tuple[int, str, str]]] = {}
    for line in output.splitlines():
        match = ERROR.match(line)
        if match:
            entry = (int(match["line"]), match["code"], match["message"])
            found.setdefault(Path(match["path"]).name, []).append(entry)
    return found


def comments(path: Path) -> dict[int, str]:
    """The comment on each line (a docstring that mentions `# type: ignore` is no comment)."""
    with path.open("rb") as source:
        tokens = tokenize.tokenize(source.readline)
        return {t.start[0]: t.string for t in tokens if t.type == tokenize.COMMENT}


def assert_no_crash(result: subprocess.CompletedProcess[str]) -> None:
    text = result.stdout + result.stderr
    assert "INTERNAL ERROR" not in text and "Traceback" not in text, text[-5000:]
    assert result.returncode in (0, 1), text[-5000:]


def fail_file_problems(
    cache: Path, tmp_path: Path, paths: list[Path], prefix: str = ""
) -> list[str]:
    """Check fail files in one mypy run: each is clean as written (every ignore is used), and
    with the ignores stripped mypy reports exactly those codes on those lines, each `# E:`
    text in one of that line's messages, and nothing else. Returns the problems found.

    Files are named `prefix + name` in the problems (and in the stripped copies' names), so
    two folders may hold files of the same name."""
    stripped: dict[Path, Path] = {}
    for path in paths:
        copy = tmp_path / f"stripped_{prefix}{path.name}"
        lines = path.read_text().splitlines(keepends=True)
        for number, comment in comments(path).items():
            lines[number - 1] = lines[number - 1].replace(comment, IGNORE.sub("", comment))
        copy.write_text("".join(lines))
        stripped[path] = copy
    result = mypy(cache, *paths, *stripped.values())
    assert_no_crash(result)
    found = errors(result.stdout)
    problems: list[str] = []
    for path in paths:
        name = prefix + path.name
        # as written: no error at all (an unused ignore is one)
        problems += [
            f"{name}:{line}: {msg} [{code}]" for line, code, msg in found.get(path.name, [])
        ]
        actual = found.get(stripped[path].name, [])
        notes = comments(path)
        for number in range(1, len(path.read_text().splitlines()) + 1):
            text = notes.get(number, "")
            here = [(code, msg) for line, code, msg in actual if line == number]
            ignore = IGNORE.search(text)
            wanted = {c.strip() for c in ignore["codes"].split(",")} if ignore else set()
            if {code for code, _ in here} != wanted:
                problems.append(f"{name}:{number}: expected {sorted(wanted)}, got {here}")
            expect = EXPECT.search(text)
            if expect and not any(expect["text"] in msg for _, msg in here):
                problems.append(f"{name}:{number}: no message contains {expect['text']!r}: {here}")
    return problems
