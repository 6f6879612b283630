"""The session pages' e2e helpers: the demo accounts in the running console, signed in; the
words of a downloaded .docx in order."""

import io

import docx
import httpx
from docx.table import Table
from pydantic import MongoDsn

from hoiam_console.accounts import create_accounts
from hoiam_console.settings import ConsoleSettings
from support.console import DEMO_ACCOUNTS, PASSWORD
from support.services import Running
from support.stack import Stack


async def console_token(services: Running, stack: Stack, username: str) -> dict[str, str]:
    """The demo accounts made in the running console's database; `username`'s bearer header."""
    await create_accounts(
        ConsoleSettings(
            mongo_url=MongoDsn(stack.mongo_url), mongo_database=services.database("console")
        ),
        DEMO_ACCOUNTS,
        skip_existing=True,
    )
    async with httpx.AsyncClient(base_url=services.urls["console"], timeout=30) as client:
        signed = await client.post(
            "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
        )
    assert signed.status_code == 200, signed.text
    return {"Authorization": f"Bearer {signed.json()['access_token']}"}


def document_text(content: bytes) -> str:
    """A .docx's words in document order: paragraphs, and each table's cells where it stands."""
    document = docx.Document(io.BytesIO(content))
    parts: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            parts.extend(cell.text for row in block.rows for cell in row.cells)
        else:
            parts.append(block.text)
    return "\n".join(parts)
