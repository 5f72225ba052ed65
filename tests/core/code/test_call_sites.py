"""Call sites say what they are: definition, import, call or other reference, with their scope.

Pure tree-sitter classification of server positions (no server here: the
positions are where a rename edit would start), in Python and TypeScript.
"""

from __future__ import annotations

from pathlib import Path

from zeph_tui.core.code.call_sites import CallSite, call_sites, parsed, warm

PY = """from shop.pricing import total
import shop.pricing as pricing

__all__ = ["total"]


def total(items: list[float]) -> float:
    return sum(items)


class Report:
    def render(self) -> str:
        return f"{total([1.0])} {pricing.total([2.0])}"


handler = total
"""

TS = """import { total } from "./pricing";

export function total(items: number[]): number {
  return items.length;
}

export class Cart {
  add(): number {
    return total([1]) + pricing.total([2]);
  }
}
"""


def _points(path: Path, source: str, word: str) -> list[tuple[Path, int, int]]:
    """Every start of ``word`` as a whole word: (path, line, column), 1-based."""
    found = []
    for number, line in enumerate(source.splitlines(), 1):
        start = line.find(word)
        while start >= 0:
            end = start + len(word)
            before = line[start - 1] if start else " "
            after = line[end] if end < len(line) else " "
            if not (before.isalnum() or before == "_" or after.isalnum() or after == "_"):
                found.append((path, number, start + 1))
            start = line.find(word, end)
    return found


def _table(sites: tuple[CallSite, ...]) -> list[tuple[int, str, str | None]]:
    return [(s.line, s.kind, s.enclosing_symbol) for s in sites]


def test_python_sites_are_classified_with_their_scopes(tmp_path: Path) -> None:
    path = tmp_path / "report.py"
    sites = call_sites(_points(path, PY, "total"), {path: PY})
    assert _table(sites) == [
        (1, "import", None),
        (4, "reference", None),  # the __all__ string
        (7, "definition", "total"),  # the definition line lies in its own span
        (13, "call", "Report.render"),  # inside an f-string interpolation
        (13, "call", "Report.render"),  # pricing.total(...): a call through an attribute
        (16, "reference", None),  # passed around, not called
    ]
    assert sites[0].text == "from shop.pricing import total"
    assert sites[3].column < sites[4].column


def test_typescript_sites_are_classified(tmp_path: Path) -> None:
    path = tmp_path / "cart.ts"
    sites = call_sites(_points(path, TS, "total"), {path: TS})
    assert _table(sites) == [
        (1, "import", None),
        (3, "definition", "total"),
        (9, "call", "Cart.add"),
        (9, "call", "Cart.add"),
    ]


def test_unknown_language_and_missing_file_give_plain_references(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("total is total\n")
    gone = tmp_path / "gone.py"
    sources: dict[Path, str] = {}
    sites = call_sites([(notes, 1, 10), (notes, 1, 1), (gone, 3, 1)], sources)
    assert [(s.path.name, s.line, s.column, s.kind) for s in sites] == [
        ("gone.py", 3, 1, "reference"),
        ("notes.txt", 1, 1, "reference"),
        ("notes.txt", 1, 10, "reference"),
    ]
    assert sources == {gone: "", notes: "total is total\n"}  # read once, handed back


def test_warm_parses_ahead_so_the_rename_reuses_it(tmp_path: Path) -> None:
    path = tmp_path / "fresh.py"
    source = PY + "\n# warmed\n"
    pairs = [(path, source), (tmp_path / "notes.txt", "x")]
    assert not parsed(pairs)
    warm(pairs)
    assert parsed(pairs)  # the text is parsed; notes.txt has no grammar to parse with
    assert not parsed([(path, source + "# changed\n")])
    sites = call_sites(_points(path, source, "total"), {path: source})
    assert [s.kind for s in sites][:3] == ["import", "reference", "definition"]
