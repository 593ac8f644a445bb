"""Schemathesis explores the whole OpenAPI document against the running app: whatever it sends, no 5xx."""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
from pathlib import Path

import httpx

from tests.support import signed_in


async def test_no_generated_request_gets_a_server_error(client: httpx.AsyncClient, server: str, tmp_path: Path) -> None:
    tokens = await signed_in(client, "fuzzer@example.org")
    executable = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    process = await asyncio.create_subprocess_exec(
        executable,
        "run",
        f"{server}/api/docs/openapi.json",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        "40",
        "--seed",
        "2026",
        "--header",
        f"Authorization: Bearer {tokens['access_token']}",
        "--request-timeout",
        "10",
        "--generation-database",
        "none",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,
    )
    output, _ = await process.communicate()
    report = output.decode()
    assert process.returncode == 0, report
    cases = re.search(r"(\d+) generated, (\d+) passed", report)
    assert cases, report
    assert int(cases.group(2)) >= 200  # it really explored the API, it did not just load the document
