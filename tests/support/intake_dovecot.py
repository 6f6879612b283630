"""A real Dovecot IMAP server on a free loopback port, with a temp config, for intake's tests.

Plain login is allowed (loopback only, no TLS); one passwd-file user; maildir under a temp dir.
Mail is delivered with IMAP APPEND, as a mail client or an MTA's IMAP delivery would.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import aioimaplib  # type: ignore[import-untyped]

from support.stack import free_port, reachable

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "hopthu", "mat-khau-thu"

CONFIG = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class Dovecot:
    port: int
    root: Path
    user: str = USER
    password: str = PASSWORD

    async def append(self, *messages: bytes) -> None:
        client = aioimaplib.IMAP4(host="127.0.0.1", port=self.port, timeout=10)
        await client.wait_hello_from_server()
        await client.login(self.user, self.password)
        for message in messages:
            answer = await client.append(message, mailbox="INBOX")
            assert answer.result == "OK", answer
        await client.logout()


@contextmanager
def running_dovecot() -> Iterator[Dovecot]:
    """Start `dovecot -F` with a config in a fresh temp dir; stop it (by its own pid) and remove
    the dir afterwards. Not pytest's tmp_path: Dovecot's auth process reads the passwd file as
    the `dovecot` user, who cannot enter pytest's private (0700) temp root."""
    if not Path(DOVECOT).exists():
        raise RuntimeError("Dovecot is missing: run `make system-packages`")
    root = Path(tempfile.mkdtemp(prefix="hoiam-dovecot-"))
    port = free_port()
    # Mail processes must not run as root; as root, use Debian's `dovecot` user for the mailbox.
    if os.getuid() == 0:
        import pwd

        entry = pwd.getpwnam("dovecot")
        uid, gid = entry.pw_uid, entry.pw_gid
    else:
        uid, gid = os.getuid(), os.getgid()
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    if os.getuid() == 0:
        shutil.chown(root / "mail", uid, gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(root=root, uid=uid, gid=gid, port=port))
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)],
        stdout=(root / "stdout.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while not reachable("127.0.0.1", port):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (root / "stdout.log").read_text() + (root / "dovecot.log").read_text()
                raise RuntimeError(f"Dovecot did not start:\n{log[-2000:]}")
            time.sleep(0.1)
        yield Dovecot(port=port, root=root)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


def message(number: int, *, message_id: bool = True) -> bytes:
    header = f"Message-ID: <imap-{number}@dan.example.vn>\r\n" if message_id else ""
    body = f"Phản ánh số {number}: đèn đường ở tổ {number} không sáng.".encode()
    return (
        (
            f"From: Công dân {number} <cd{number}@example.vn>\r\nTo: hopthu@mttq.example.vn\r\n"
            f"Subject: Phan anh {number}\r\n{header}MIME-Version: 1.0\r\n"
            'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
        ).encode()
        + body
        + b"\r\n"
    )
