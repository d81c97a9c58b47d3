"""Run several replicas of the app behind nginx, over one PostgreSQL database.

    DATABASE_URL=postgresql://user@dbhost/qplatform \\
        python deploy/run_replicas.py --replicas 2 --first-port 8501 --nginx 127.0.0.1:8080

    python deploy/run_replicas.py --replicas 3 --render /etc/nginx/conf.d/qplatform.conf

The first form migrates the database once (``python -m storage init``), starts
the replicas (``streamlit run app.py`` on 127.0.0.1:8501, 8502, ...; each
replica's output in ``--log-dir``), starts nginx as an ordinary process with a
configuration rendered into ``--nginx-dir`` (nothing of the machine's own nginx
is touched), restarts a replica or nginx that exits, and stops everything on
Ctrl-C or SIGTERM. It is a small supervisor for trying the set-up and for the
tests; on a server, run each replica under the machine's supervisor instead
(``deploy/qplatform-replica@.service`` for systemd) and include the rendered
site file in the machine's nginx (the second form writes it).

Every replica gets the same environment: ``DATABASE_URL``,
``QP_TRUST_FORWARDED_FOR=1`` (the client's address is the one nginx sets in
``X-Forwarded-For``; safe because the replicas listen on the loopback address
only, so nothing but nginx reaches them), and one shared
``STREAMLIT_SERVER_COOKIE_SECRET`` (generated unless set), so that a cookie
Streamlit signs on one replica is valid on the others.
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
SITE_TEMPLATE = HERE / "nginx" / "qplatform.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
RESTART_DELAY = 2.0         # seconds before a replica that exited is started again


# ---------------------------------------------------------------------------
# nginx configuration
# ---------------------------------------------------------------------------
def replica_name(i: int) -> str:
    """The cookie value naming replica ``i`` (0-based): r1, r2, ..."""
    return f"r{i + 1}"


def render_site(ports: list[int], listen: str = "80", host: str = "127.0.0.1",
                secure_cookie: bool = False) -> str:
    """The ``http { }``-context configuration for replicas on ``host:ports``,
    nginx listening on ``listen`` (``8080``, ``127.0.0.1:8080``, ``443 ssl``...)."""
    if not ports:
        raise ValueError("at least one replica port is needed")
    addresses = [f"{host}:{p}" for p in ports]
    primary = "max_fails=1 fail_timeout=10s"
    pools = []
    for i, address in enumerate(addresses):
        others = addresses[i + 1:] + addresses[:i]       # each pool fails over in its own order
        lines = [f"    server {address} {primary};"] + [f"    server {o} backup;" for o in others]
        pools.append(f"\nupstream qp_{replica_name(i)} {{\n" + "\n".join(lines) + "\n}\n")
    values = {
        "REPLICA_LIST": ", ".join(f"{replica_name(i)} = {a}" for i, a in enumerate(addresses)),
        "POOL_MAP": "\n".join(f"    {replica_name(i)} qp_{replica_name(i)};"
                              for i in range(len(addresses))),
        "ANSWERED_MAP": "\n".join(f"    \"~(^|\\s){re.escape(a)}$\" {replica_name(i)};"
                                  for i, a in enumerate(addresses)),
        "ANY_SERVERS": "\n".join(f"    server {a} {primary};" for a in addresses),
        "POOLS": "".join(pools),
        "LISTEN": listen,
        "COOKIE_SECURE": "; Secure" if secure_cookie else "",
    }
    text = SITE_TEMPLATE.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def render_main(prefix: Path, site: Path) -> str:
    """A whole ``nginx.conf`` that runs nginx as an ordinary process: its pid
    file, logs and temporary files under ``prefix``, the site included."""
    prefix = Path(prefix).resolve()
    temp = "\n".join(f"    {kind}_temp_path {prefix / 'tmp' / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""# rendered by deploy/run_replicas.py: nginx as an ordinary process
worker_processes 1;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'error.log'} warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log {prefix / 'access.log'};
{temp}
    include {Path(site).resolve()};
}}
"""


def write_nginx_config(prefix: Path, ports: list[int], listen: str, host: str = "127.0.0.1",
                       secure_cookie: bool = False) -> Path:
    """Render the site and the main configuration into ``prefix``; the main file."""
    prefix = Path(prefix)
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    site = prefix / "qplatform.conf"
    site.write_text(render_site(ports, listen, host, secure_cookie), encoding="utf-8")
    main = prefix / "nginx.conf"
    main.write_text(render_main(prefix, site), encoding="utf-8")
    return main


def nginx_command(main_conf: Path) -> list[str]:
    prefix = Path(main_conf).resolve().parent
    return [NGINX, "-p", str(prefix), "-c", str(Path(main_conf).resolve()), "-g", "daemon off;"]


# ---------------------------------------------------------------------------
# replicas
# ---------------------------------------------------------------------------
def replica_command(port: int, address: str = "127.0.0.1") -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
            "--server.port", str(port), "--server.address", address,
            "--server.headless", "true", "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false"]


def replica_env(base: dict | None = None, *, behind_proxy: bool = True) -> dict:
    """The environment every replica shares (see the module's docstring)."""
    env = dict(os.environ if base is None else base)
    env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_urlsafe(32))
    if behind_proxy:
        env["QP_TRUST_FORWARDED_FOR"] = "1"
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def migrate_once(env: dict) -> None:
    """``python -m storage init``: the schema is brought up to date before any
    replica starts (each replica checks again on start, under the same
    PostgreSQL advisory lock, and finds nothing to do)."""
    done = subprocess.run([sys.executable, "-m", "storage", "init"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr.strip() or "python -m storage init failed")
    print(done.stdout.strip(), flush=True)


@dataclass
class Child:
    name: str
    command: list[str]
    env: dict
    log: Path
    proc: subprocess.Popen | None = None
    starts: list[float] = field(default_factory=list)

    def start(self) -> None:
        out = open(self.log, "ab")
        self.proc = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=out,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        self.starts.append(time.monotonic())
        print(f"started {self.name} (pid {self.proc.pid}, log {self.log})", flush=True)

    def stop(self, timeout: float = 10) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def supervise(children: list[Child]) -> None:
    """Start ``children``, start again any that exits, stop all on SIGINT/SIGTERM."""
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    for child in children:
        child.start()
    try:
        while not stopping:
            time.sleep(0.5)
            for child in children:
                if child.proc.poll() is not None and \
                        time.monotonic() - child.starts[-1] > RESTART_DELAY:
                    print(f"{child.name} exited with code {child.proc.returncode}: starting "
                          "it again", flush=True)
                    child.start()
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            child.stop()
        print("stopped", flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python deploy/run_replicas.py", description=__doc__.split("\n")[0])
    p.add_argument("--replicas", type=int, default=2, help="how many app processes (default 2)")
    p.add_argument("--first-port", type=int, default=8501,
                   help="port of the first replica; the others follow (default 8501)")
    p.add_argument("--address", default="127.0.0.1",
                   help="address the replicas listen on (default 127.0.0.1: only nginx reaches them)")
    p.add_argument("--nginx", metavar="LISTEN", default=None,
                   help="also run nginx listening on LISTEN (e.g. 127.0.0.1:8080 or 0.0.0.0:80)")
    p.add_argument("--nginx-dir", default=None,
                   help="where nginx's rendered configuration, logs and pid go (default: a new "
                        "temporary folder)")
    p.add_argument("--log-dir", default=str(ROOT / "data" / "logs"),
                   help="where each replica's output goes (default data/logs)")
    p.add_argument("--render", metavar="FILE", default=None,
                   help="only write the nginx site configuration for these replicas to FILE "
                        "(listening on --listen) and exit")
    p.add_argument("--listen", default="80", help="what the rendered site listens on (--render)")
    p.add_argument("--secure-cookie", action="store_true",
                   help="mark nginx's qp_replica cookie Secure (when nginx serves HTTPS)")
    args = p.parse_args(argv)
    if not 1 <= args.replicas <= 64:
        p.error("--replicas must be from 1 to 64")
    ports = [args.first_port + i for i in range(args.replicas)]
    if args.render:
        Path(args.render).write_text(render_site(ports, args.listen, args.address,
                                                 args.secure_cookie), encoding="utf-8")
        print(f"wrote {args.render} (replicas on {args.address}:{ports[0]}..{ports[-1]})")
        return 0
    url = os.environ.get("DATABASE_URL", "")
    if args.replicas > 1 and not url.startswith(("postgres://", "postgresql")):
        print("warning: several replicas should share one PostgreSQL database (DATABASE_URL="
              "postgresql://...); the embedded SQLite file only works while they all run on "
              "this machine", file=sys.stderr)
    env = replica_env(behind_proxy=args.nginx is not None)
    migrate_once(env)
    logs = Path(args.log_dir)
    logs.mkdir(parents=True, exist_ok=True)
    children = [Child(f"replica {replica_name(i)} on {args.address}:{port}",
                      replica_command(port, args.address), env, logs / f"replica-{port}.log")
                for i, port in enumerate(ports)]
    if args.nginx:
        prefix = Path(args.nginx_dir or tempfile.mkdtemp(prefix="qplatform-nginx-"))
        main_conf = write_nginx_config(prefix, ports, args.nginx, args.address, args.secure_cookie)
        check = subprocess.run(nginx_command(main_conf)[:-2] + ["-t", "-q"], capture_output=True,
                               text=True)
        if check.returncode != 0:
            raise SystemExit(f"nginx refuses the configuration: {check.stderr.strip()}")
        children.append(Child(f"nginx on {args.nginx}", nginx_command(main_conf), env,
                              prefix / "nginx.out"))
    supervise(children)
    return 0


if __name__ == "__main__":
    sys.exit(main())
