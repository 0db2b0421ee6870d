"""Bounces by address: delivery status notifications (RFC 3464) from a Maildir or an mbox.

Newsletter mails carry the bounce address as envelope sender, so the mail server delivers
every bounce there. `process_mailbox` reads each message once:

- a DSN with `Action: failed` and a 5.x.x status is a hard bounce: the address gets no
  more mail (status bounced);
- a 4.x.x status (or `Action: delayed`) is a soft bounce: counted; the third within 30 days
  makes the address bounced as well;
- a mail whose subject is "unsubscribe <token>" is the mailto: variant of the one-click
  unsubscribe (RFC 2369) and unsubscribes that token's subscriber.

Handled messages are moved aside (Maildir: the sub-folder `.verarbeitet`; mbox: a second
mbox file beside it, `<name>.verarbeitet`). Anything else stays where it is and is reported
with its file name, so an operator can look at it; nothing received is lost.
"""

from __future__ import annotations

import datetime
import email.utils
import logging
import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from rathaus.core import errors
from rathaus.newsletter.models import Bounce, Subscriber

logger = logging.getLogger(__name__)

SOFT_LIMIT = 3
SOFT_WINDOW = datetime.timedelta(days=30)
PROCESSED = "verarbeitet"
STATUS = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})")
UNSUBSCRIBE = re.compile(r"^\s*unsubscribe\s+([A-Za-z0-9_-]{20,64})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class RecipientStatus:
    address: str
    action: str
    status: str
    diagnostic: str = ""

    @property
    def kind(self) -> str | None:
        """hard, soft, or None when the notification reports no failure."""
        action = self.action.lower()
        if action in {"delivered", "relayed", "expanded"}:
            return None
        if self.status.startswith("5"):
            return Bounce.Kind.HARD if action != "delayed" else Bounce.Kind.SOFT
        if self.status.startswith("4") or action == "delayed":
            return Bounce.Kind.SOFT
        if action == "failed":  # a failure without a usable status code
            return Bounce.Kind.HARD
        return None


@dataclass
class BounceRun:
    messages: int = 0
    hard: int = 0
    soft: int = 0
    newly_bounced: list[str] = field(default_factory=list)
    unknown_addresses: int = 0
    unsubscribed: int = 0
    # "<file name>: <reason>" for every message left in place.
    unparseable: list[str] = field(default_factory=list)


def _address(value: str) -> str:
    # "rfc822; Name@Example.org" → "name@example.org"
    _kind, _sep, rest = value.partition(";")
    return email.utils.parseaddr((rest or value).strip())[1].strip().lower()


def parse_dsn(message: Message) -> list[RecipientStatus] | None:
    """The per-recipient results of a DSN; None if `message` is not a DSN."""
    if message.get_content_type() != "multipart/report":
        return None
    if str(message.get_param("report-type") or "").lower() != "delivery-status":
        return None
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if not isinstance(blocks, list):
            return None
        found = []
        # The first block is about the message, the others about one recipient each.
        for block in blocks:
            if not isinstance(block, Message):
                continue
            recipient = block.get("Final-Recipient") or block.get("Original-Recipient")
            if not recipient:
                continue
            status_match = STATUS.match(str(block.get("Status", "")))
            found.append(
                RecipientStatus(
                    address=_address(str(recipient)),
                    action=str(block.get("Action", "")).strip(),
                    status=".".join(status_match.groups()) if status_match else "",
                    diagnostic=" ".join(str(block.get("Diagnostic-Code", "")).split())[:500],
                )
            )
        return [r for r in found if r.address] or None
    return None


def _when(message: Message, now: datetime.datetime) -> datetime.datetime:
    try:
        parsed = email.utils.parsedate_to_datetime(str(message.get("Date", "")))
    except (TypeError, ValueError):
        return now
    if parsed is None or parsed.tzinfo is None:
        return now
    return min(parsed, now)


@transaction.atomic
def record(
    status: RecipientStatus, *, received_at: datetime.datetime, source: str, run: BounceRun
) -> None:
    """Apply one recipient's result to the subscriber with that address."""
    kind = status.kind
    if kind is None:
        return
    # Stored in lower case; parse_dsn lower-cases what it reads.
    subscriber = Subscriber.objects.select_for_update().filter(email=status.address).first()
    if subscriber is None:
        run.unknown_addresses += 1
        return
    Bounce.objects.create(
        subscriber=subscriber,
        kind=kind,
        status=status.status or "-",
        diagnostic=status.diagnostic,
        received_at=received_at,
        source=source[:300],
    )
    fields = ["last_bounce_at", "modified"]
    subscriber.last_bounce_at = max(received_at, subscriber.last_bounce_at or received_at)
    if kind == Bounce.Kind.HARD:
        run.hard += 1
        subscriber.hard_bounce_count += 1
        fields.append("hard_bounce_count")
        give_up = True
    else:
        run.soft += 1
        subscriber.bounce_count += 1
        fields.append("bounce_count")
        # A mailbox is read in no particular order, so look at both sides of this bounce:
        # any SOFT_LIMIT soft bounces within one SOFT_WINDOW block the address.
        times = sorted(
            Bounce.objects.filter(
                subscriber=subscriber,
                kind=Bounce.Kind.SOFT,
                received_at__gt=received_at - SOFT_WINDOW,
                received_at__lt=received_at + SOFT_WINDOW,
            ).values_list("received_at", flat=True)
        )
        give_up = any(
            times[i + SOFT_LIMIT - 1] - times[i] < SOFT_WINDOW
            for i in range(len(times) - SOFT_LIMIT + 1)
        )
    if give_up and subscriber.status in (Subscriber.Status.ACTIVE, Subscriber.Status.PENDING):
        subscriber.status = Subscriber.Status.BOUNCED
        subscriber.bounced_at = received_at
        fields += ["status", "bounced_at"]
        run.newly_bounced.append(subscriber.email)
    subscriber.save(update_fields=fields)


def handle_message(
    message: Message, *, source: str, run: BounceRun, now: datetime.datetime
) -> bool:
    """Handle one message from the mailbox; False if it is neither a DSN nor understood."""
    statuses = parse_dsn(message)
    if statuses is not None:
        received_at = _when(message, now)
        for status in statuses:
            record(status, received_at=received_at, source=source, run=run)
        return True
    match = UNSUBSCRIBE.match(str(message.get("Subject", "")))
    if match:
        from rathaus.newsletter import services

        try:
            services.unsubscribe(token=match.group(1))
        except errors.NotFound:
            return False
        run.unsubscribed += 1
        return True
    return False


def _parse(data: bytes) -> Message:
    return BytesParser(policy=policy.compat32).parsebytes(data)


# --- mailboxes --------------------------------------------------------------------------


def _maildir_files(root: Path) -> Iterator[Path]:
    for sub in ("new", "cur"):
        folder = root / sub
        if folder.is_dir():
            yield from sorted(p for p in folder.iterdir() if p.is_file())


def _process_maildir(root: Path, run: BounceRun, now: datetime.datetime) -> None:
    done = root / f".{PROCESSED}"
    for sub in ("new", "cur", "tmp"):
        (done / sub).mkdir(parents=True, exist_ok=True)
    for path in _maildir_files(root):
        name = f"{path.parent.name}/{path.name}"
        run.messages += 1
        try:
            handled = handle_message(_parse(path.read_bytes()), source=name, run=run, now=now)
        except (ValueError, LookupError, UnicodeError) as exc:
            run.unparseable.append(f"{name}: {exc}")
            continue
        if handled:
            path.rename(done / "cur" / path.name)
        else:
            run.unparseable.append(f"{name}: kein Zustellbericht (RFC 3464)")


def _process_mbox(path: Path, run: BounceRun, now: datetime.datetime) -> None:
    box = mailbox.mbox(path, create=False)
    done = mailbox.mbox(path.with_name(f"{path.name}.{PROCESSED}"))
    box.lock()
    try:
        handled_keys = []
        for number, key in enumerate(list(box.keys()), 1):
            name = f"{path.name}#{number}"
            run.messages += 1
            raw = box.get_bytes(key)
            try:
                handled = handle_message(_parse(raw), source=name, run=run, now=now)
            except (ValueError, LookupError, UnicodeError) as exc:
                run.unparseable.append(f"{name}: {exc}")
                continue
            if handled:
                done.add(box.get_message(key))
                handled_keys.append(key)
            else:
                run.unparseable.append(f"{name}: kein Zustellbericht (RFC 3464)")
        # The copy first, then the removal: a crash in between repeats a message, loses none.
        done.flush()
        for key in handled_keys:
            box.remove(key)
        box.flush()
    finally:
        box.unlock()
        box.close()
        done.close()


def process_mailbox(path: str | Path, *, now: datetime.datetime | None = None) -> BounceRun:
    """Read every message of the Maildir or mbox at `path` (see the module docstring)."""
    now = now or timezone.now()
    root = Path(path)
    run = BounceRun()
    if root.is_dir():
        if not (root / "new").is_dir() and not (root / "cur").is_dir():
            raise errors.ValidationFailed(
                f"{root} ist kein Maildir (es fehlen die Ordner new/ und cur/)."
            )
        _process_maildir(root, run, now)
    elif root.is_file():
        _process_mbox(root, run, now)
    else:
        raise errors.NotFound(f"Postfach {root} gibt es nicht.")
    logger.info(
        "newsletter bounces processed",
        extra={
            "messages": run.messages,
            "hard": run.hard,
            "soft": run.soft,
            "bounced": len(run.newly_bounced),
            "unparseable": len(run.unparseable),
        },
    )
    return run
