"""Run Ralph's LRS (ralph-malph, from PyPI) for the xAPI tests: `python tests/ralph_lrs.py PORT`,
on loopback, with its file-system backend (settings from RALPH_* variables).

One setting changes: that backend writes its statements file in "create" mode, which refuses a
second write to the same file (it is meant for one-off dumps), so a second POST would fail. Here
it appends, as its "append" operation type does. Everything else (validation, authentication,
queries, the duplicate-id rules) is Ralph's own. Ralph's other backends need Elasticsearch,
MongoDB or ClickHouse servers, which the tests do not have.
"""
import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
