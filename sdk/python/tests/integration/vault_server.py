"""Starts the real Ledgix server as its users do (`npm run serve` from the repository root, on
the existing build, with no variable a user would not set), like tests/fixtures/server.ts does
for the TypeScript tests. Setup (tenants, keys, policies, SQL) goes through one long-lived Node
process, tests/fixtures/operator-sidecar.ts, which runs the CLI's own operator commands. PostgreSQL
from LEDGIX_TEST_DATABASE_URL when set (a fresh database per server, copied from the run's
migrated template), else the server's embedded database."""

from __future__ import annotations

import atexit
import json
import os
import re
import secrets
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[4]
EXAMPLE_POLICY = ROOT / "examples" / "refund-policy.yaml"
NODE = os.environ.get("NODE", "node")
# What the test runner adds and only the harness reads; a server sees what a user's shell has.
RUNNER_ONLY = re.compile(r"^(NODE_ENV|NODE_OPTIONS|PYTEST_.*|LEDGIX_TEST_.*|LEDGIX_APP_ROOT|npm_.*|INIT_CWD)$")


def user_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    own = {name: value for name, value in os.environ.items() if not RUNNER_ONLY.match(name)}
    return {**own, **(extra or {})}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Operator:
    """tests/fixtures/operator-sidecar.ts: one JSON request per line, one answer per line."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [NODE, "--import", "tsx", "tests/fixtures/operator-sidecar.ts"],
            cwd=ROOT,
            env={**os.environ, "LEDGIX_APP_ROOT": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def call(self, **request: Any) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the operator sidecar exited with {self.process.wait()}")
        reply = json.loads(line)
        if not reply["ok"]:
            raise RuntimeError(f"{request.get('name') or request['op']} failed: {reply['error']}")
        return reply["result"]

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


_operator: Operator | None = None


def operator() -> Operator:
    global _operator
    if _operator is None:
        _operator = Operator()
        atexit.register(_operator.close)
    return _operator


@dataclass
class Tenant:
    name: str
    key: str


@dataclass
class VaultServer:
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path
    database_url: str | None
    tenants: list[Tenant] = field(default_factory=list)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [NODE, str(ROOT / "bin" / "ledgix.mjs"), *args],
            cwd=ROOT,
            env=user_env(self.env),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"ledgix {' '.join(args)} exited {done.returncode}: {done.stderr}")
        return done.stdout.strip()

    @property
    def database(self) -> dict[str, str]:
        if self.database_url is not None:
            return {"url": self.database_url}
        return {"data_dir": self.env["LEDGIX_DATA_DIR"]}

    def command(self, command: str, /, **fields: Any) -> Any:
        """An operator command, as the CLI runs it (lib/admin/commands.ts), in the sidecar."""
        return operator().call(op="command", database=self.database, name=command, input=fields)

    def new_tenant(self, policy: Path | None = EXAMPLE_POLICY) -> Tenant:
        name = f"py-{secrets.token_hex(4)}"
        tenant_id = self.command("tenant.create", name=name)["id"]
        # Every scope: the suite also registers policies (the `policy` scope).
        scopes = ["clearance", "ledger", "policy"]
        key = self.command("key.create", tenant=tenant_id, name="pytest", scopes=scopes)["key"]
        if policy is not None:
            self.command("policy.apply", tenant=tenant_id, source=policy.read_text())
        tenant = Tenant(name, key)
        self.tenants.append(tenant)
        return tenant

    def sql(self, statement: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """A statement on the server's database (PostgreSQL, or the embedded server's cluster)."""
        rows: list[dict[str, Any]] = operator().call(
            op="sql", database=self.database, text=statement, params=params or []
        )
        return rows

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(extra_env: dict[str, str] | None = None) -> VaultServer:
    data_dir = Path(tempfile.mkdtemp(prefix="ledgix-pytest-"))
    data_dir.chmod(0o755)  # as root the embedded database runs as the postgres user, who must enter it
    database_url = operator().call(op="create_database") if os.environ.get("LEDGIX_TEST_DATABASE_URL") else None
    env = {
        "LEDGIX_DATA_DIR": str(data_dir),
        "LEDGIX_SEQUENCER_INTERVAL_MS": "200",
        "LEDGIX_CHECKPOINT_INTERVAL_MS": "300",
        **({"DATABASE_URL": database_url} if database_url else {}),
        **(extra_env or {}),
    }
    port = _free_port()
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["npm", "run", "--silent", "serve"],
            cwd=ROOT,
            env=user_env({**env, "PORT": str(port)}),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = VaultServer(port, env, process, log_path, database_url)
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{server.logs()}")
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"the server did not answer within 90 s:\n{server.logs()}")
        try:
            if httpx.get(f"{server.api_url}/health", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.3)
