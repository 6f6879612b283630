"""Voters' meeting minutes (biên bản tiếp xúc cử tri) and compiled reports, split into petitions.

`blocks` is what a document is read as (paragraphs and table rows, in order), `places` finds the
places a text names, `splitter` turns blocks into petitions and skipped lines, `sessions` holds the
council session and its compile windows. Everything here is pure: the file formats are read by
`hoiam_intake.minutes_files`.
"""

from hoiam_intake.domain.minutes.blocks import Block, blocks_of_text
from hoiam_intake.domain.minutes.splitter import Kind, Petition, Skipped, Split, split_minutes

__all__ = ["Block", "Kind", "Petition", "Skipped", "Split", "blocks_of_text", "split_minutes"]
