"""Schemathesis explores the whole OpenAPI document against the running app: whatever it sends, no 5xx.

Every operation is fuzzed signed in, as a professional with a confirmed address (the role that reaches the most
code). The routes that end sessions (logout, revoking a session, changing or resetting the password) run apart,
afterwards and with a second session: run with the others, one early logout would leave the rest to be fuzzed
signed out, answering 401 before any of their code runs.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
from pathlib import Path
from xml.etree import ElementTree

import httpx

from tests.support import bearer, login, signed_in

SESSION_ENDING = (
    "/api/v1/auth/logout",
    "/api/v1/auth/sessions/{session_id}",
    "/api/v1/auth/password/change",
    "/api/v1/auth/password/reset",
)
EXAMPLES_PER_OPERATION = 20
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
# localstripe has no Stripe Connect accounts: payout onboarding can only meet "the payment service did not answer"
# here, which is a 503 with Retry-After (a dependency, not a bug). Every other 5xx anywhere fails the run.
CONFIG = """
[[operations]]
include-path = "/api/v1/me/payouts/onboarding"
checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "503"]
"""


async def test_no_generated_request_gets_a_server_error(client: httpx.AsyncClient, server: str, tmp_path: Path) -> None:
    everyday = await signed_in(client, "fuzzer@example.org", role="professional")
    ending = await login(client, "fuzzer@example.org")
    document = (await client.get("/api/docs/openapi.json")).json()
    documented = {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item}
    documented = {operation for operation in documented if operation.split()[0].lower() in HTTP_METHODS}

    others = await fuzz(server, everyday["access_token"], tmp_path / "others", exclude=SESSION_ENDING)
    assert (await client.get("/api/v1/me", headers=bearer(everyday))).status_code == 200, "the token was lost"
    session_ending = await fuzz(server, ending["access_token"], tmp_path / "session-ending", include=SESSION_ENDING)

    assert others | session_ending == documented


async def fuzz(
    server: str, token: str, directory: Path, *, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()
) -> set[str]:
    """Run schemathesis on the selected operations; return those it tested (each with some case that passed)."""
    directory.mkdir()
    executable = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    selection = [*(arg for path in include for arg in ("--include-path", path))]
    selection += [arg for path in exclude for arg in ("--exclude-path", path)]
    report = directory / "junit.xml"
    config = directory / "schemathesis.toml"
    config.write_text(CONFIG)
    process = await asyncio.create_subprocess_exec(
        executable,
        "--config-file",
        str(config),
        "run",
        f"{server}/api/docs/openapi.json",
        *selection,
        "--checks",
        "not_a_server_error",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--seed",
        "2026",
        "--header",
        f"Authorization: Bearer {token}",
        "--request-timeout",
        "10",
        "--generation-database",
        "none",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=directory,
    )
    output, _ = await process.communicate()
    text = output.decode()
    assert process.returncode == 0, text
    assert re.search(r"(\d+) generated, (\d+) passed", text), text
    cases = list(ElementTree.parse(report).iter("testcase"))  # noqa: S314 - the report schemathesis just wrote
    assert not [case.get("name") for case in cases if case.find("skipped") is not None], text
    names = {str(case.get("name")) for case in cases}
    return {name for name in names if name.split()[0].lower() in HTTP_METHODS}  # not the "Stateful tests" case
