"""A throwaway local MariaDB (or MySQL) server: `mariadb-install-db` + `mariadbd` on a free loopback port.

The test harness spawns one per session exactly as it spawns PostgreSQL (live/postgres/cluster.py),
and `make demo` uses it for its MariaDB scene when the server binaries are installed (Debian:
`apt-get install mariadb-server mariadb-client`). Run as root, the server is started with
`--user=mysql` when that account exists (else `--user=root`), and its data directory is handed to
that account. Nothing listens outside 127.0.0.1; no networking besides the chosen port.
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


class ServerError(RuntimeError):
    """The local MariaDB could not be created or started; the message says what to install or fix."""


_SEARCH = ("/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin", "/usr/local/mysql/bin")


def _which(*names: str) -> Path | None:
    dirs = [os.environ.get("DBARCHITECT_MYSQL_BINDIR", "")]
    for name in names:
        for d in dirs:
            if d and (Path(d) / name).exists():
                return Path(d) / name
        if found := shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), *_SEARCH])):
            return Path(found)
    return None


def find_binaries() -> tuple[Path, Path]:
    """(install_db, server) — mariadb-install-db and mariadbd, or their mysql_* names."""
    install_db = _which("mariadb-install-db", "mysql_install_db")
    server = _which("mariadbd", "mysqld")
    if install_db is None or server is None:
        raise ServerError(
            "No MariaDB server binaries (mariadb-install-db, mariadbd) were found. Install them "
            "(Debian/Ubuntu: apt-get install mariadb-server mariadb-client, or run "
            "scripts/install-system-deps.sh) or set DBARCHITECT_MYSQL_BINDIR to the directory that holds them."
        )
    return install_db, server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _os_user() -> pwd.struct_passwd | None:
    """The account mariadbd runs as when we are root (mysql, else root itself); None when not root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(os.environ.get("DBARCHITECT_MYSQL_OSUSER", "mysql"))
    except KeyError:
        return pwd.getpwuid(0)


@dataclass
class LocalMariaDB:
    base_dir: Path
    port: int = 0
    remove_on_stop: bool = False
    extra_args: list[str] = field(default_factory=list)
    _proc: subprocess.Popen | None = field(default=None, repr=False)

    @classmethod
    def temporary(cls, **kw) -> LocalMariaDB:
        return cls(base_dir=Path(tempfile.mkdtemp(prefix="dbarchitect-mariadb-")), remove_on_stop=True, **kw)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def socket_path(self) -> Path:
        return self.base_dir / "mysqld.sock"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "server.log"

    def _chown_tree(self) -> None:
        user = _os_user()
        if user is None or user.pw_uid == 0:
            return
        os.chmod(self.base_dir, 0o755)
        for root, dirs, files in os.walk(self.base_dir):
            os.chown(root, user.pw_uid, user.pw_gid)
            for f in files:
                os.chown(os.path.join(root, f), user.pw_uid, user.pw_gid)

    def _user_args(self) -> list[str]:
        user = _os_user()
        return [f"--user={user.pw_name}"] if user is not None else []

    def init(self) -> None:
        install_db, _ = find_binaries()
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self._chown_tree()
        proc = subprocess.run(
            [str(install_db), "--no-defaults", f"--datadir={self.data_dir}", *self._user_args(),
             "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip
        if proc.returncode != 0:
            raise ServerError(f"mariadb-install-db failed: {(proc.stderr or proc.stdout).strip()[-2000:]}")
        self._chown_tree()

    def initialized(self) -> bool:
        return (self.data_dir / "mysql").is_dir()

    def start(self, timeout: float = 60) -> LocalMariaDB:
        _, server = find_binaries()
        if not self.initialized():
            self.init()
        last = ""
        for _attempt in range(5):
            self.port = self.port or free_port()
            args = [
                str(server), "--no-defaults", f"--datadir={self.data_dir}", f"--port={self.port}",
                f"--socket={self.socket_path}", "--bind-address=127.0.0.1", f"--pid-file={self.base_dir / 'mysqld.pid'}",
                f"--log-error={self.log_file}", "--skip-name-resolve", "--innodb-buffer-pool-size=64M",
                "--innodb-log-file-size=16M", "--innodb-flush-log-at-trx-commit=0", "--skip-log-bin",
                "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
                "--max-connections=100", "--performance-schema=OFF", *self._user_args(), *self.extra_args,
            ]  # fmt: skip
            self._proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self._proc.poll() is not None:
                    break
                if self._accepting():
                    return self
                time.sleep(0.1)
            last = self.log_tail()
            self.stop_process()
            if "Address already in use" in last or "Can't start server: Bind" in last:
                self.port = 0
                continue
            break
        raise ServerError(f"The local MariaDB did not start: {last.strip()[-1500:]}")

    def _accepting(self) -> bool:
        import pymysql

        try:
            pymysql.connect(host="127.0.0.1", port=self.port, user="root", connect_timeout=1).close()
            return True
        except pymysql.err.OperationalError:
            return False

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop_process(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
        self._proc = None

    def stop(self) -> None:
        self.stop_process()
        if self.remove_on_stop:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def url(self, database: str = "", user: str = "root", password: str | None = None) -> str:
        auth = user if password is None else f"{user}:{password}"
        return f"mysql://{auth}@127.0.0.1:{self.port}/{database}"

    def __enter__(self) -> LocalMariaDB:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
