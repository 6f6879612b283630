"""A document as blocks: its paragraphs and table rows in order, each with the header of its table.

Pasted text is read here too: one block per line, and lines of a pipe table (`| STT | Nội dung |`,
as web pages and chat tools render tables) as rows under that table's header line.
"""

import re
from dataclasses import dataclass

_SEPARATOR_ROW = re.compile(r"^\|?[\s:|-]+\|?$")


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph (`cells` empty) or one table row (`cells`: (header, text) per cell)."""

    text: str
    cells: tuple[tuple[str, str], ...] = ()

    @property
    def is_row(self) -> bool:
        return bool(self.cells)


def row(headers: list[str], values: list[str]) -> Block:
    """A table row under `headers`; cells past the last header stay, under an empty header."""
    cells = tuple(
        (headers[i] if i < len(headers) else "", value.strip())
        for i, value in enumerate(values)
        if value.strip()
    )
    return Block(text=" | ".join(value for _, value in cells), cells=cells)


def _pipe_cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner.removeprefix("|").removesuffix("|")
    return [cell.strip() for cell in inner.split("|")]


def blocks_of_text(text: str) -> list[Block]:
    """Pasted text as blocks. A pipe table's first row is its header; a line of a table that does
    not start with `|` continues the row above it (a cell broken over lines)."""
    blocks: list[Block] = []
    headers: list[str] | None = None
    current: list[str] | None = None

    def close_row() -> None:
        nonlocal current
        if current is not None and headers is not None:
            blocks.append(row(headers, current))
        current = None

    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            close_row()
            headers = None
            continue
        if line.startswith("|") and line.count("|") >= 3:
            if _SEPARATOR_ROW.match(line):
                continue
            close_row()
            if headers is None:
                headers = _pipe_cells(line)
            else:
                current = _pipe_cells(line)
            continue
        if headers is not None:
            if current is None:
                current = []
            current.extend(cell for cell in _pipe_cells(line) if cell)
            continue
        blocks.append(Block(text=line))
    close_row()
    return blocks
