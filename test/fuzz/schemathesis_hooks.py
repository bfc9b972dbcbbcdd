"""Schemathesis hooks of the fuzz suites (test/fuzz/): the two places where a generated request
must be changed before it is sent. Each changes only the value that would do harm, so the
request still goes out and every check still judges its answer.

- The fuzzer may revoke any API key but those it authenticates with (FUZZ_PROTECTED_KEY_IDS):
  revoking its own key would turn the rest of the run into 401s. Such a DELETE names an id that
  no key has instead, and gets its 404.
- POST /v1/tools/execute runs every built-in tool, but a tool that reaches the network
  (FUZZ_NETWORK_TOOLS) is sent an empty input, which it refuses before any request: a fuzzed
  URL could name any host, and the tests only ever talk to this machine.
"""

import os

import schemathesis

PROTECTED_KEY_IDS = frozenset(filter(None, os.environ.get("FUZZ_PROTECTED_KEY_IDS", "").split(",")))
NETWORK_TOOLS = frozenset(filter(None, os.environ.get("FUZZ_NETWORK_TOOLS", "").split(",")))
UNUSED_KEY_ID = "key_000000000000000000000000"


@schemathesis.hook
def before_call(context, case, kwargs):
    path_parameters = case.path_parameters or {}
    key_id = path_parameters.get("key_id")
    if case.method.upper() == "DELETE" and isinstance(key_id, str) and key_id in PROTECTED_KEY_IDS:
        case.path_parameters = {**path_parameters, "key_id": UNUSED_KEY_ID}
    if isinstance(case.body, dict) and isinstance(case.body.get("tool"), str) and case.body["tool"] in NETWORK_TOOLS:
        case.body = {**case.body, "input": {}}
