"""Starts the real Ledgix server (`node --import tsx server.ts` from the repository root, on
the existing `next build`) and drives its CLI, like tests/fixtures/server.ts does for the
TypeScript tests. PostgreSQL from LEDGIX_TEST_DATABASE_URL when set (a fresh database per
server), else the server's embedded database."""

from __future__ import annotations

import json
import os
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def node_sql(connection: dict[str, Any], sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Runs one statement with the repository's own `pg` driver (no Python driver needed);
    `connection` is a node-postgres client config."""
    script = (
        "const pg=require('pg');(async()=>{const c=new pg.Client(JSON.parse(process.argv[1]));"
        "await c.connect();const r=await c.query(process.argv[2],JSON.parse(process.argv[3]));"
        "await c.end();process.stdout.write(JSON.stringify(r.rows??[]));})()"
        ".catch(e=>{console.error(e.message);process.exit(1)})"
    )
    done = subprocess.run(
        [NODE, "-e", script, json.dumps(connection), sql, json.dumps(params or [])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"SQL failed: {done.stderr.strip()}")
    rows: list[dict[str, Any]] = json.loads(done.stdout or "[]")
    return rows


def _fresh_database() -> str | None:
    admin = os.environ.get("LEDGIX_TEST_DATABASE_URL")
    if not admin:
        return None
    name = f"ledgix_pytest_{secrets.token_hex(5)}"
    node_sql({"connectionString": admin}, f"CREATE DATABASE {name}")
    scheme, rest = admin.split("://", 1)
    authority, _, query = rest.partition("/")
    query = query.partition("?")[2]
    return f"{scheme}://{authority}/{name}" + (f"?{query}" if query else "")


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
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"ledgix {' '.join(args)} exited {done.returncode}: {done.stderr}")
        return done.stdout.strip()

    def new_tenant(self, policy: Path | None = EXAMPLE_POLICY) -> Tenant:
        name = f"py-{secrets.token_hex(4)}"
        self.cli("tenant", "create", name)
        # Every scope: the suite also registers policies (the `policy` scope).
        scopes = [flag for scope in ("clearance", "ledger", "policy") for flag in ("--scope", scope)]
        key = self.cli("key", "create", "--tenant", name, "--name", "pytest", *scopes)
        if policy is not None:
            self.cli("policy", "apply", "--tenant", name, str(policy))
        tenant = Tenant(name, key)
        self.tenants.append(tenant)
        return tenant

    def sql(self, statement: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """A statement on the server's database: the PostgreSQL database, or the embedded
        server's cluster (Unix socket and generated password in the data directory)."""
        if self.database_url is not None:
            return node_sql({"connectionString": self.database_url}, statement, params)
        cluster = Path(self.env["LEDGIX_DATA_DIR"]) / "pg"
        password = (cluster / "ledgix-password").read_text().strip()
        embedded = {
            "host": str(cluster),
            "port": 5432,
            "user": "postgres",
            "password": password,
            "database": "postgres",
        }
        return node_sql(embedded, statement, params)

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
    database_url = _fresh_database()
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
            [NODE, "--import", "tsx", "server.ts"],
            cwd=ROOT,
            env={**os.environ, **env, "PORT": str(port), "NODE_ENV": "production"},
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
