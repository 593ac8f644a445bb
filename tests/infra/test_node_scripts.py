"""The scripts media pods run (infra/helm/confer/files, media/entrypoint.sh): the preStop drain against a stand-in
`confer` answering in the real command's format, and the public-address lookup against a local HTTPS API server."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from confer.core.media.commands import _node_line
from confer.core.media.registry import MediaNode
from tests.infra.tools import CHART, REPO, run

STAND_IN = """#!/bin/sh
echo "$*" >> "$FAKE/calls"
[ "$2" = nodes ] || exit 0
cat "$FAKE/nodes.$(grep -c '^media nodes' "$FAKE/calls")"
"""
TOKEN = "node-reader-token"


@pytest.mark.parametrize("script", [REPO / "media" / "entrypoint.sh", CHART / "files" / "drain.sh"])
def test_shell_scripts_parse(script: Path) -> None:
    result = run(["sh", "-n", script])
    assert result.returncode == 0, result.stderr


def test_drain_waits_for_the_nodes_last_session(tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    for call, sessions in enumerate((2, 1, 0), start=1):
        lines = [_node("confer-media-1", sessions, now), _node("confer-media-10", 7, now)]
        (tmp_path / f"nodes.{call}").write_text("NODE STATE REGION SESSIONS ROOMS CPU SEEN URL\n" + "\n".join(lines))

    result = _drain(tmp_path, "confer-media-1")

    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls == ["media drain confer-media-1", "media nodes", "media nodes", "media nodes"]


def test_drain_ends_when_the_node_is_not_listed(tmp_path: Path) -> None:
    (tmp_path / "nodes.1").write_text("no media node is reporting\n")
    result = _drain(tmp_path, "confer-media-1")
    assert result.returncode == 0, result.stderr


def test_public_ip_is_read_from_the_node_object(api_server: tuple[int, Path], tmp_path: Path) -> None:
    port, token_dir = api_server
    result = _public_ip(port, token_dir, "node-a", tmp_path / "public-ip")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "public-ip").read_text() == "203.0.113.7"


def test_public_ip_refuses_a_node_without_one(api_server: tuple[int, Path], tmp_path: Path) -> None:
    port, token_dir = api_server
    result = _public_ip(port, token_dir, "private-node", tmp_path / "public-ip")
    assert result.returncode != 0
    assert "has no ExternalIP" in result.stderr
    assert not (tmp_path / "public-ip").exists()


# --- helpers ----------------------------------------------------------------------------------------------------------


NODES = {
    "node-a": [{"type": "InternalIP", "address": "10.20.3.4"}, {"type": "ExternalIP", "address": "203.0.113.7"}],
    "private-node": [{"type": "InternalIP", "address": "10.20.3.5"}],
}


class _KubernetesApi(BaseHTTPRequestHandler):
    """GET /api/v1/nodes/<name>, for the pod's bearer token only."""

    def do_GET(self) -> None:
        name = self.path.removeprefix("/api/v1/nodes/")
        if self.headers.get("Authorization") != f"Bearer {TOKEN}" or name not in NODES:
            self.send_error(403 if name in NODES else 404)
            return
        body = json.dumps({"kind": "Node", "status": {"addresses": NODES[name]}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet: the test reads the script's own output
        pass


@pytest.fixture
def api_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A local HTTPS stand-in for the Kubernetes API, and a token folder (token, ca.crt) as the pod would have."""
    token_dir = tmp_path / "serviceaccount"
    token_dir.mkdir()
    (token_dir / "token").write_text(TOKEN + "\n")
    certificate, key = _self_signed(tmp_path)
    (token_dir / "ca.crt").write_bytes(certificate.read_bytes())
    server = HTTPServer(("127.0.0.1", 0), _KubernetesApi)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], token_dir
    finally:
        server.shutdown()
        server.server_close()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path, key_path = folder / "api.crt", folder / "api.key"
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return certificate_path, key_path


def _public_ip(port: int, token_dir: Path, node: str, out: Path) -> subprocess.CompletedProcess[str]:
    return run(
        [sys.executable, CHART / "files" / "public-ip.py", token_dir, out],
        env={"NODE_NAME": node, "KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(port)},
    )


def _drain(fake: Path, node: str) -> subprocess.CompletedProcess[str]:
    (fake / "confer").write_text(STAND_IN)
    (fake / "confer").chmod(0o755)
    return run(
        ["sh", CHART / "files" / "drain.sh", node],
        env={"PATH": f"{fake}:/usr/bin:/bin", "FAKE": str(fake), "DRAIN_POLL_SECONDS": "0"},
    )


def _node(node_id: str, sessions: int, now: dt.datetime) -> str:
    """A line of `confer media nodes`, made by the command's own formatter."""
    node = MediaNode(
        id=node_id,
        ws_url=f"wss://confer.example.org/media/{node_id}",
        control_url="ws://10.0.0.5:8188",
        region="eu-west-1",
        capacity=200,
        sessions=sessions,
        reported_at=now,
    )
    return _node_line(node, now, ordered_to_drain=True)
