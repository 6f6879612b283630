"""Accounts from the command line: the first admin of a deployment (no account exists until one
is made), and the local demo's accounts.

    python -m hoiam_console.accounts create --username admin --role admin   # asks the password
    python -m hoiam_console.accounts list

The password is read from the terminal (or one line of stdin with --password-stdin), never from
an argument, which other users of the machine could read in the process list.
"""

import argparse
import asyncio
import getpass
import sys
from collections.abc import Sequence

from hoiam_console.actions import Actions
from hoiam_console.domain.accounts import Account, AccountError, Binding, NewAccount
from hoiam_console.passwords import Passwords
from hoiam_console.settings import ConsoleSettings
from hoiam_console.store import MongoAccounts, MongoReadModel
from hoiam_console.upstream import HttpUpstream
from hoiam_shared.clock import system_clock
from hoiam_shared.identity import Role
from hoiam_shared.mongo import make_mongo

CLI_ACTOR = "admin:cli"


async def create_accounts(
    settings: ConsoleSettings, requests: Sequence[NewAccount], *, skip_existing: bool = False
) -> list[Account]:
    """Store each account (checked as the admin page checks it, bar the directory look-up)."""
    mongo, db = make_mongo(settings)
    accounts = MongoAccounts(db)
    upstream = HttpUpstream(
        intake_url=str(settings.intake_url),
        router_url=str(settings.router_url),
        secret=settings.person_token_secret,
        clock=system_clock,
        timeout=settings.upstream_timeout_seconds,
    )
    actions = Actions(
        read_model=MongoReadModel(db),
        accounts=accounts,
        upstream=upstream,
        passwords=Passwords(),
        clock=system_clock,
    )
    made = []
    try:
        for request in requests:
            if skip_existing and await accounts.get(request.username) is not None:
                continue
            made.append(await actions.add_account(request, created_by=CLI_ACTOR))
    finally:
        await upstream.close()
        await mongo.close()
    return made


async def list_accounts(settings: ConsoleSettings) -> list[Account]:
    mongo, db = make_mongo(settings)
    try:
        return await MongoAccounts(db).all()
    finally:
        await mongo.close()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m hoiam_console.accounts")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create one account")
    create.add_argument("--username", required=True)
    create.add_argument("--display-name", default="")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--province-code")
    create.add_argument("--commune-code")
    create.add_argument("--body-id")
    create.add_argument("--body-name")
    create.add_argument("--delegate-id")
    create.add_argument("--constituency", help="commune codes, comma-separated (delegates)")
    create.add_argument("--password-stdin", action="store_true")
    commands.add_parser("list", help="list the accounts")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = ConsoleSettings()
    if args.command == "list":
        for account in asyncio.run(list_accounts(settings)):
            print(f"{account.username}\t{account.role.value}\t{account.display_name}")
        return 0
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            print("the two passwords differ", file=sys.stderr)
            return 2
    request = NewAccount(
        username=args.username,
        display_name=args.display_name,
        role=Role(args.role),
        password=password,
        binding=Binding(
            province_code=args.province_code,
            commune_code=args.commune_code,
            body_id=args.body_id,
            body_name=args.body_name,
            delegate_id=args.delegate_id,
            constituency=tuple(c for c in (args.constituency or "").split(",") if c),
        ),
    )
    try:
        made = asyncio.run(create_accounts(settings, [request]))
    except AccountError as error:
        print(f"not created: {error}", file=sys.stderr)
        return 2
    print(f"created {made[0].username} ({made[0].role.value})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
