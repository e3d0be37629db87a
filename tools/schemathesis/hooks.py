"""Schemathesis hooks for chanjiao: only where a check cannot apply.

Each hook says why. Nothing else is changed about what Schemathesis sends.
"""

import re
import uuid

import schemathesis

VALID_KEY = re.compile(r"^[\x20-\x7e]{1,255}$")


@schemathesis.hook
def map_headers(ctx, headers):
    # Idempotency-Key: a valid key sent again with another body is a 422 by
    # contract, and the fuzzer cannot know which keys it has used: every valid
    # key becomes a fresh one (invalid keys are sent as generated, to be 400).
    if headers and "Idempotency-Key" in headers and VALID_KEY.match(str(headers["Idempotency-Key"])):
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return headers


@schemathesis.hook
def map_query(ctx, query):
    # cursor: opaque and signed by the service; no schema can describe the
    # cursors it would accept, and any other is a 400 by contract.
    if query and "cursor" in query:
        del query["cursor"]
    # after (GET /changes): a position the feed answered as next_after, or
    # `latest`; a position the feed has not reached yet is a 400 by design
    # (it would skip every change up to it), and the fuzzer cannot know the
    # feed's current position.
    if query and "after" in query and query["after"] != "latest":
        del query["after"]
    # A parameter the operation does not declare: ignored by design (the
    # README's Lists: "unknown query parameters are ignored", so that a
    # frontend's cache buster such as `_=1700000000` does no harm). The
    # negative phases add one (`=null`), and a 200 for it is no finding;
    # Schemathesis exempts such extras itself only when nothing else in the
    # query was generated as negative (seen in CI: the stateful phase's
    # `GET /stats/teacher-practice?below=false&=null`).
    operation = getattr(ctx, "operation", None)
    if query and operation is not None:
        declared = {parameter.name for parameter in operation.query.items}
        for name in [name for name in query if name not in declared]:
            del query[name]
    return query
