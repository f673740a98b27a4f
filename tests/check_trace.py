#!/usr/bin/env python3
"""Checks every exchange the C SDK recorded ($FLYTEREMOTE_TRACE, JSON lines written by
sdk/transport.c) against the real flyteidl schema (PyPI flyteidl): each request body must
parse strictly as its request message, each response as its response message (or as a
gRPC-gateway error). Prints a closing 'N passed, M failed' line.

    check_trace.py TRACE_FILE
"""
import json
import os
import sys
from urllib.parse import urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "devserver"))
import schema  # noqa: E402  (tests/devserver/schema.py: the route -> message table)


def main():
    passed = failed = 0
    seen = set()
    with open(sys.argv[1]) as f:
        for line in f:
            rec = json.loads(line)
            path = urlsplit(rec["url"]).path
            method, status = rec["method"], rec["status"]
            if not schema.is_gateway_path(path):
                continue
            problems = []
            err = schema.check_request(method, path, rec["request"])
            if err:
                problems.append(f"request: {err}")
            if status:  # 0: no response (a dropped connection, injected by a test)
                try:
                    schema.check_response(method, path, status, rec["response"])
                except schema.SchemaError as e:
                    problems.append(f"response: {e}")
            seen.add((method, schema.route(method, path)))
            if problems:
                failed += 1
                print(f"FAIL {method} {path} -> {status}: " + "; ".join(problems))
            else:
                passed += 1
    print(f"checked {len(seen)} distinct routes")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
