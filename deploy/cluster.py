#!/usr/bin/env python3
"""The tracker beyond one machine, on loopback: a PostgreSQL primary and its
streaming replica, two gunicorn app servers reading from the replica, and
nginx caching in front of them (docs/deploy.md).

    python deploy/cluster.py start     # make cluster
    python deploy/cluster.py stop      # make cluster-stop
    python deploy/cluster.py status

and, for `make cluster-check` (bench/management/commands/cluster_check.py):
kill-app PORT, start-app PORT, stop-app PORT, stop-replica, start-replica,
stop-apps.

Everything lives under .cluster/ in the clone (git-ignored): the two data
directories, their sockets and logs, the app servers' pid files and logs,
nginx's config, cache and pid. `stop` stops exactly the processes whose pid
files are there. The machine's own PostgreSQL (5432) is never touched: this
cluster is made with the OS binaries (initdb, pg_basebackup) in its own
directories, run as the `postgres` user (initdb refuses root), on its own
ports.

Ports (environment): CLUSTER_PRIMARY_PORT (5433), CLUSTER_REPLICA_PORT
(5434), CLUSTER_APP_PORTS (8131,8132), CLUSTER_PROXY_PORT (8130).
"""

import glob
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEPLOY = PROJECT / "deploy"
STATE = PROJECT / ".cluster"
PYTHON = PROJECT / ".venv" / "bin" / "python"
GUNICORN = PROJECT / ".venv" / "bin" / "gunicorn"

PRIMARY_PORT = int(os.environ.get("CLUSTER_PRIMARY_PORT", "5433"))
REPLICA_PORT = int(os.environ.get("CLUSTER_REPLICA_PORT", "5434"))
APP_PORTS = [int(p) for p in os.environ.get("CLUSTER_APP_PORTS", "8131,8132").split(",")]
PROXY_PORT = int(os.environ.get("CLUSTER_PROXY_PORT", "8130"))
DATABASE = "tracker"
HOST = "127.0.0.1"

PRIMARY_DIR = STATE / "pg-primary"
REPLICA_DIR = STATE / "pg-replica"
PG_RUN = STATE / "pg-run"  # sockets and server logs, owned by postgres
NGINX_PREFIX = STATE / "nginx"
NGINX_CONF = NGINX_PREFIX / "nginx.conf"
NGINX_PID = NGINX_PREFIX / "nginx.pid"
NGINX_USER = "nobody nogroup"

# How long the proxy may serve a page without asking the app (s-maxage), and
# how long a failed replica is left alone: short, so the check sees both.
APP_SETTINGS = {
    "PROXY_CACHE_SECONDS": "5",
    "REPLICA_RETRY_SECONDS": "3",
    "WORKERS": "2",
    "THREADS": "4",
}


def database_url(port):
    return f"postgres://postgres@{HOST}:{port}/{DATABASE}"


PRIMARY_URL = database_url(PRIMARY_PORT)
REPLICA_URL = database_url(REPLICA_PORT)


def postgres_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"PostgreSQL's {name} was not found (Debian: apt-get install postgresql).")
    return found[-1]


def as_postgres(*command, **kwargs):
    """Run one of PostgreSQL's tools as the postgres user (initdb refuses root)."""
    if os.geteuid() == 0:
        command = ("runuser", "-u", "postgres", "--", *command)
    return subprocess.run(command, check=True, **kwargs)


def psql(port, sql, database=DATABASE):
    """One statement on the cluster over TCP; its output, unaligned."""
    result = subprocess.run(
        [postgres_bin("psql"), "-h", HOST, "-p", str(port), "-U", "postgres", "-d", database]
        + ["-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def port_open(port):
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((HOST, port)) == 0


def wait_until(check, what, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise SystemExit(f"Timed out after {seconds} s waiting for {what}.")


def alive(pid):
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_pid(path):
    try:
        return int(Path(path).read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None


def app_env():
    """The app servers' settings: production ones, over plain HTTP on loopback."""
    secret_file = STATE / "secret_key"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_urlsafe(50))
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secret_file.read_text().strip(),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "HTTPS": "0",
        "BEHIND_PROXY": "1",
        "PROXY_COUNT": "1",
        "STATIC_MANIFEST": "0",
        "DATABASE_URL": PRIMARY_URL,
        "DATABASE_REPLICA_URLS": REPLICA_URL,
        **{name: value for name, value in APP_SETTINGS.items() if name not in os.environ},
    }


# --- PostgreSQL ---------------------------------------------------------------------


def pg_ctl(data_dir, action, port=None):
    command = [postgres_bin("pg_ctl"), "-D", str(data_dir), "-w", "-t", "60"]
    if action == "start":
        log = PG_RUN / f"{data_dir.name}.log"
        command += ["-l", str(log), "-o", f"-p {port} -k {PG_RUN} -c listen_addresses={HOST}"]
    else:
        command += ["-m", "fast"]
    as_postgres(*command, action, stdout=subprocess.DEVNULL)


def pg_running(data_dir):
    pid = read_pid(data_dir / "postmaster.pid")
    return pid is not None and alive(pid)


def make_primary():
    as_postgres(
        postgres_bin("initdb"),
        "-D",
        str(PRIMARY_DIR),
        "-A",
        "trust",
        "-U",
        "postgres",
        "--no-sync",
        stdout=subprocess.DEVNULL,
    )
    with (PRIMARY_DIR / "postgresql.conf").open("a") as conf:
        conf.write(
            "\n# Written by deploy/cluster.py: a primary with one streaming replica.\n"
            "wal_level = replica\n"
            "max_wal_senders = 4\n"
            # Which server ran a page's queries: the check counts them here.
            "shared_preload_libraries = 'pg_stat_statements'\n"
            # Readers' queries on the replica are not cancelled by the
            # primary's vacuum (that would be a 503).
            "hot_standby_feedback = on\n"
            # Loopback and throwaway: never in production.
            "fsync = off\n"
        )
    pg_ctl(PRIMARY_DIR, "start", PRIMARY_PORT)
    psql(PRIMARY_PORT, f"CREATE DATABASE {DATABASE}", database="postgres")
    psql(PRIMARY_PORT, "CREATE EXTENSION pg_stat_statements")


def make_replica():
    """A copy of the primary that follows it (pg_basebackup -R writes the
    standby.signal and primary_conninfo), with a replication slot so the
    primary keeps the WAL it has not replayed yet."""
    as_postgres(
        postgres_bin("pg_basebackup"),
        "-h",
        HOST,
        "-p",
        str(PRIMARY_PORT),
        "-U",
        "postgres",
        "-D",
        str(REPLICA_DIR),
        "-R",
        "-X",
        "stream",
        "-C",
        "-S",
        "tracker_replica",
        "--no-sync",
        # Start at once: the default waits for a spread checkpoint (minutes).
        "--checkpoint=fast",
        stdout=subprocess.DEVNULL,
    )
    pg_ctl(REPLICA_DIR, "start", REPLICA_PORT)
    wait_until(
        lambda: psql(PRIMARY_PORT, "SELECT count(*) FROM pg_stat_replication") == "1",
        "the replica to stream from the primary",
    )


# --- App servers and proxy ----------------------------------------------------------


def app_pid_file(port):
    return STATE / f"app-{port}.pid"


def start_app(port):
    env = app_env()
    log = (STATE / f"app-{port}.log").open("a")
    subprocess.Popen(
        [
            str(GUNICORN),
            "tracker.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            env["WORKERS"],
            "--worker-class",
            "gthread",
            "--threads",
            env["THREADS"],
            "--no-control-socket",
            "--timeout",
            "30",
            "--graceful-timeout",
            "10",
            "--pid",
            str(app_pid_file(port)),
        ],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        # Its own process group, so a kill takes its workers with it and
        # make's own signals do not.
        start_new_session=True,
    )
    wait_until(lambda: port_open(port) and read_pid(app_pid_file(port)), f"app server :{port}")


def stop_app(port, sig=signal.SIGTERM):
    pid = read_pid(app_pid_file(port))
    if pid is None or not alive(pid):
        app_pid_file(port).unlink(missing_ok=True)
        return False
    if sig == signal.SIGKILL:
        # The master and its workers at once, requests in flight included.
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    else:
        os.kill(pid, sig)
    wait_until(lambda: not alive(pid) and not port_open(port), f"app server :{port} to stop", 30)
    app_pid_file(port).unlink(missing_ok=True)
    return True


def write_nginx_conf():
    for folder in ("logs", "temp", "cache"):
        (NGINX_PREFIX / folder).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        for folder in ("temp", "cache"):
            os.chown(NGINX_PREFIX / folder, nobody.pw_uid, nobody.pw_gid)
    upstreams = "\n".join(
        f"        server {HOST}:{port} max_fails=1 fail_timeout=5s;" for port in APP_PORTS
    )
    values = {
        "USER": NGINX_USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name,
        "WORKER_PROCESSES": "1",
        "PREFIX": str(NGINX_PREFIX),
        "UPSTREAM_SERVERS": upstreams,
        "SESSION_COOKIE": "sessionid",
        "PINNING_COOKIE": "pin_primary",
        "LISTEN": f"{HOST}:{PROXY_PORT}",
        "ERROR_PAGES": str(DEPLOY),
    }
    text = (DEPLOY / "nginx.conf.template").read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    NGINX_CONF.write_text(text)


def nginx(*args):
    subprocess.run(
        ["nginx", "-p", str(NGINX_PREFIX), "-c", str(NGINX_CONF), "-e", "stderr", *args],
        check=True,
    )


def start_proxy():
    write_nginx_conf()
    nginx("-t", "-q")
    nginx()
    wait_until(lambda: port_open(PROXY_PORT), f"nginx :{PROXY_PORT}")


def stop_proxy():
    pid = read_pid(NGINX_PID)
    if pid is None or not alive(pid):
        return False
    os.kill(pid, signal.SIGQUIT)
    wait_until(lambda: not alive(pid), "nginx to stop", 30)
    return True


# --- Commands -----------------------------------------------------------------------


def running():
    names = [f"app :{port}" for port in APP_PORTS if alive(read_pid(app_pid_file(port)))]
    if alive(read_pid(NGINX_PID)):
        names.append("nginx")
    names += [f"postgres {d.name}" for d in (PRIMARY_DIR, REPLICA_DIR) if pg_running(d)]
    return names


def start():
    if running():
        sys.exit(f"Already running: {', '.join(running())}. Stop it first: make cluster-stop")
    for port in [PRIMARY_PORT, REPLICA_PORT, PROXY_PORT, *APP_PORTS]:
        if port_open(port):
            sys.exit(f"Port {port} is taken by something else; set CLUSTER_*_PORT(S).")
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != "postgres":
        sys.exit("make cluster runs PostgreSQL's tools as the postgres user: run it as root.")
    for folder in (PRIMARY_DIR, REPLICA_DIR, PG_RUN, NGINX_PREFIX / "cache"):
        shutil.rmtree(folder, ignore_errors=True)
    STATE.mkdir(exist_ok=True)
    PG_RUN.mkdir()
    if os.geteuid() == 0:
        shutil.chown(PG_RUN, "postgres", "postgres")
        # The postgres user makes its data directories here.
        shutil.chown(STATE, "postgres")
    try:
        print(f"PostgreSQL primary on {HOST}:{PRIMARY_PORT} ({PRIMARY_DIR})")
        make_primary()
        env = {**app_env(), "DATABASE_REPLICA_URLS": ""}
        for command in (["migrate", "--noinput", "-v0"], ["load_seed", "-v0"]):
            subprocess.run([str(PYTHON), "manage.py", *command], cwd=PROJECT, env=env, check=True)
        print(f"PostgreSQL replica on {HOST}:{REPLICA_PORT} ({REPLICA_DIR}), streaming")
        make_replica()
        for port in APP_PORTS:
            print(f"App server (gunicorn) on {HOST}:{port}")
            start_app(port)
        print(f"nginx on {HOST}:{PROXY_PORT} ({NGINX_CONF})")
        start_proxy()
    except BaseException:
        print("Starting failed; stopping what was started.", file=sys.stderr)
        stop()
        raise
    print(f"The tracker: http://{HOST}:{PROXY_PORT}/  (stop it all with: make cluster-stop)")


def stop():
    stopped = []
    if stop_proxy():
        stopped.append("nginx")
    for port in APP_PORTS:
        if stop_app(port):
            stopped.append(f"app :{port}")
    for data_dir in (REPLICA_DIR, PRIMARY_DIR):
        if pg_running(data_dir):
            pg_ctl(data_dir, "stop")
            stopped.append(f"postgres {data_dir.name}")
    print(f"Stopped: {', '.join(stopped) or 'nothing was running'}.")


def main(argv):
    command, *args = argv or ["status"]
    if command == "start":
        start()
    elif command == "stop":
        stop()
    elif command == "status":
        print(f"Running: {', '.join(running()) or 'nothing'}.")
    elif command == "start-app":
        start_app(int(args[0]))
    elif command == "stop-app":
        stop_app(int(args[0]))
    elif command == "kill-app":
        stop_app(int(args[0]), signal.SIGKILL)
    elif command == "stop-replica":
        pg_ctl(REPLICA_DIR, "stop")
    elif command == "start-replica":
        pg_ctl(REPLICA_DIR, "start", REPLICA_PORT)
    else:
        sys.exit(f"Unknown command {command!r}; see {__file__}'s docstring.")


if __name__ == "__main__":
    main(sys.argv[1:])
