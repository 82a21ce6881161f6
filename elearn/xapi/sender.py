"""Send queued statements to the LRS: batches POSTed to `<endpoint>/statements` with HTTP Basic
credentials and the xAPI version header. Run by `elearn xapi send` (cron), never by a request:
a slow or dead LRS costs the learner nothing. A batch the LRS refuses as a conflict (409: some
statement id is stored already, say the answer to an earlier try was lost) is sent again one
statement at a time with PUT, which stores each id once."""
from __future__ import annotations

import base64
import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from sqlalchemy.orm import Session

from . import queue

VERSION = "1.0.3"
BATCH = 50


@dataclass(frozen=True)
class Lrs:
    endpoint: str  # e.g. https://lrs.example/xAPI/ (the statements resource is below it)
    username: str | None
    password: str | None
    timeout: float = 10.0


def _request(lrs: Lrs, method: str, path: str, body) -> int:
    request = urllib.request.Request(lrs.endpoint.rstrip("/") + path, method=method,
                                     data=json.dumps(body, ensure_ascii=False).encode("utf-8"))
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Experience-API-Version", VERSION)
    if lrs.username is not None:
        token = base64.b64encode(f"{lrs.username}:{lrs.password or ''}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=lrs.timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _send_batch(lrs: Lrs, rows) -> str | None:
    """None when the LRS stored every statement of the batch, else what went wrong."""
    statements = [json.loads(row.body) for row in rows]
    status = _request(lrs, "POST", "/statements", statements)
    if status == 409:
        for statement in statements:
            status = _request(lrs, "PUT", f"/statements?statementId={statement['id']}", statement)
            if status not in (204, 409):  # 409 here: stored by an earlier try
                return f"HTTP {status}"
        return None
    return None if 200 <= status < 300 else f"HTTP {status}"


def send_due(session: Session, lrs: Lrs, now: dt.datetime, limit: int = 1000) -> tuple[int, int]:
    """Send what is due, oldest first. Returns (sent, failed); failed rows wait and retry."""
    rows = queue.due(session, now, limit)
    sent = failed = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        try:
            error = _send_batch(lrs, batch)
        except (OSError, ValueError) as exc:  # refused, unreachable, timed out, bad URL
            error = f"{type(exc).__name__}: {exc}"
        if error is None:
            queue.mark_sent(session, [row.id for row in batch], now)
            sent += len(batch)
        else:
            queue.mark_failed(session, batch, error, now)
            failed += len(rows) - start
            queue.mark_failed(session, rows[start + BATCH:], "not tried: the LRS failed earlier in this run", now)
            break
    return sent, failed
