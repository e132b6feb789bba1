"""The README's Admin and Roles commands work as written in a fresh clone:
no DEBUG, no SECRET_KEY, nothing put in front, only the `.env` that
`make run` writes. Each runs in a subprocess against a throwaway SQLite
database, so nothing here touches the developer's data."""

import os
import pty
import re
import select
import shlex
import subprocess
import time

import pytest
from django.conf import settings

from tests.test_settings import write_dev_env_file

PASSWORD = "a long passphrase nobody guesses 2026"


def readme_commands(*section_titles):
    """The `.venv/bin/python manage.py ...` commands in the README sections
    with these titles (code blocks and inline code alike), in order, with
    the variables set in front of them (`BENCH=1 .venv/bin/python ...`)."""
    readme = (settings.BASE_DIR / "README.md").read_text()
    sections = re.split(r"^(#{2,3} .+)$", readme, flags=re.M)
    commands = []
    for title, body in zip(sections[1::2], sections[2::2], strict=True):
        if title.lstrip("#").strip() in section_titles:
            for match in re.finditer(
                r"((?:[A-Z][A-Z0-9_]*=\S* )*\.venv/bin/python manage\.py [^`#\n]+)", body
            ):
                commands.append(match.group(1).strip())
    return commands


@pytest.fixture
def fresh_clone_env(tmp_path):
    """The environment of a newcomer's shell: no DEBUG or SECRET_KEY; the
    clone's `.env` as make writes it; a throwaway database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "HTTPS", "STATIC_MANIFEST", "BENCH"}
    }
    env["TRACKER_ENV_FILE"] = str(write_dev_env_file(tmp_path))
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'throwaway.sqlite3'}"
    return env


def run(command, env, answers=None):
    """Run a README command as typed, with the variables set in front of it;
    `answers` are typed at its prompts, in a pseudo-terminal, as a person
    would (createsuperuser asks)."""
    argv = shlex.split(command)
    while re.fullmatch(r"[A-Z][A-Z0-9_]*=\S*", argv[0]):
        name, _, value = argv.pop(0).partition("=")
        env = {**env, name: value}
    if answers is None:
        return subprocess.run(
            argv, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
        )
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        argv,
        cwd=settings.BASE_DIR,
        env=env,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        start_new_session=True,
    )
    os.close(terminal)
    output, pending, deadline = b"", list(answers), time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            if pending and output.rstrip().endswith(b":"):
                os.write(controller, pending.pop(0).encode() + b"\n")
        elif process.poll() is not None:
            break
    try:
        # Hashing the password takes a while on a busy machine.
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    os.close(controller)
    return subprocess.CompletedProcess(argv, process.returncode, output.decode(), "")


def test_the_readme_lists_the_admin_and_roles_commands():
    commands = readme_commands("Admin", "Roles")
    assert ".venv/bin/python manage.py createsuperuser" in commands
    # Ordinary accounts for everyone else: a "journalist" made with
    # createsuperuser would hold every permission.
    assert sum("create_account" in command for command in commands) == 3
    assert any("assign_role" in command for command in commands)


def test_every_admin_and_roles_command_in_the_readme_runs_as_written(fresh_clone_env):
    python = str(settings.BASE_DIR / ".venv" / "bin" / "python")
    if not os.access(python, os.X_OK):
        pytest.skip("needs the clone's .venv, as the README's commands do")
    migrate = run(".venv/bin/python manage.py migrate --noinput", fresh_clone_env)
    assert migrate.returncode == 0, migrate.stderr

    commands = readme_commands("Admin", "Roles")
    for command in commands:
        if command.endswith("createsuperuser"):
            # The command as written, answered through Django's documented
            # variables rather than typed at its prompts: typing into a
            # pseudo-terminal hung under load (the prompts are the command's
            # own; what is tested here is that it runs in a fresh clone).
            answers = {
                "DJANGO_SUPERUSER_USERNAME": "chief",
                "DJANGO_SUPERUSER_EMAIL": "chief@example.org",
                "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
            }
            result = run(f"{command} --noinput", {**fresh_clone_env, **answers})
            assert "Superuser created successfully" in result.stdout, result.stdout
        else:
            # create_account reads the password from the environment when
            # it is not typed at its prompt, as the README says.
            result = run(command, {**fresh_clone_env, "ACCOUNT_PASSWORD": PASSWORD})
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stdout + result.stderr

    accounts = run(
        ".venv/bin/python manage.py shell -c "
        '"from django.contrib.auth.models import User; '
        "[print(u.username, u.is_superuser, u.is_staff, *u.groups.values_list('name', flat=True)) "
        "for u in User.objects.order_by('username')]\"",
        fresh_clone_env,
    )
    lines = [line for line in accounts.stdout.splitlines() if line and "imported" not in line]
    assert lines == [
        "chief True True",
        "lee False True Admins",
        "maria False False Editors",
        "sam False False Editors",
    ], accounts.stdout


def test_the_synthetic_data_commands_in_the_readme_run_as_written(fresh_clone_env):
    # They are the tooling app's (bench/), which only BENCH=1 installs: as
    # written, in a fresh clone, they must say so and run.
    python = str(settings.BASE_DIR / ".venv" / "bin" / "python")
    if not os.access(python, os.X_OK):
        pytest.skip("needs the clone's .venv, as the README's commands do")
    commands = [
        command
        for command in readme_commands("Speed")
        if re.search(r"manage\.py (synthesize|remove_synthetic)\b", command)
    ]
    assert len(commands) == 2
    assert all(command.startswith("BENCH=1 ") for command in commands)
    migrate = run(".venv/bin/python manage.py migrate --noinput", fresh_clone_env)
    assert migrate.returncode == 0, migrate.stderr
    for command in commands:
        # As written, but a smaller load: the README's takes minutes.
        command = re.sub(r"--transfers \d+", "--transfers 20", command)
        result = run(command, fresh_clone_env)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        assert "Traceback" not in result.stdout + result.stderr
    assert "synthetic rows" in result.stdout  # remove_synthetic removed what synthesize made.
