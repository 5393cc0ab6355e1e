"""A throwaway PostgreSQL cluster on a free loopback port, for the test suite and the benchmarks.

initdb refuses to run as root, so as root the server runs as the `postgres` system user. The socket
lives in a private directory, so other servers on the machine are never touched.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class ClusterError(RuntimeError):
    pass


def _bin_dir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if not candidates:
        found = shutil.which("initdb")
        if found is None:
            raise ClusterError("PostgreSQL is not installed (no initdb): apt-get install postgresql")
        return Path(found).parent
    return Path(candidates[0]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    root: Path
    port: int
    bin_dir: Path
    user: str = "coop"

    def url(self, database: str = "coop") -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{database}"

    def createdb(self, name: str) -> str:
        subprocess.run(
            [str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return self.url(name)

    def stop(self) -> None:
        pid_file = self.root / "data" / "postmaster.pid"
        if pid_file.exists():
            _as_owner(
                self.root,
                [str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast", "-w", "stop"],
            )
        shutil.rmtree(self.root, ignore_errors=True)


def _as_owner(root: Path, argv: list[str]) -> None:
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise ClusterError(f"{' '.join(argv)} failed: {result.stderr.strip() or result.stdout.strip()}")


def start_cluster() -> Cluster:
    bin_dir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="coop-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = Cluster(root=root, port=free_port(), bin_dir=bin_dir)
    try:
        _as_owner(
            root,
            [
                str(bin_dir / "initdb"),
                "-D",
                str(root / "data"),
                "-U",
                cluster.user,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
        )
        options = (
            f"-p {cluster.port} -k {root} -c listen_addresses=127.0.0.1 -c max_connections=200 "
            "-c fsync=off -c full_page_writes=off"
        )
        _as_owner(
            root,
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(root / "data"),
                "-l",
                str(root / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        )
        cluster.createdb("coop")
    except BaseException:
        cluster.stop()
        raise
    return cluster
