"""Settings come from the environment; production settings pass `check --deploy`.

Each test starts a fresh interpreter, because settings are read once at start-up.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT = 120


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def base_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RATHAUS_")}
    env.pop("DATABASE_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "rathaus.config.settings"
    env["RATHAUS_DATA_DIR"] = str(data_dir)
    env.update(overrides)
    return env


def production_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    key = secrets.token_urlsafe(45)
    assert len(key) == 60
    return base_env(
        data_dir,
        RATHAUS_HTTPS="1",
        RATHAUS_SECRET_KEY=key,
        RATHAUS_ALLOWED_HOSTS="rathaus.example.org",
        RATHAUS_DEBUG="0",
        **overrides,
    )


PRINT_DATABASE = (
    "from django.conf import settings; db = settings.DATABASES['default']; "
    "print(db['ENGINE'], db['NAME'], db.get('HOST', ''), sep='|')"
)


@pytest.mark.parametrize("backend", ["database", "rq"])
def test_check_deploy_is_clean_with_production_settings(tmp_path: Path, backend: str) -> None:
    env = production_env(tmp_path, RATHAUS_TASKS_BACKEND=backend)

    proc = run(["-m", "rathaus", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)

    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "System check identified no issues" in proc.stdout


def test_check_deploy_warns_about_development_settings(tmp_path: Path) -> None:
    """The check is not silenced: without HTTPS it must complain (and so fail the build)."""
    env = base_env(tmp_path, RATHAUS_DEBUG="1")

    proc = run(["-m", "rathaus", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)

    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "security.W004" in output  # no HSTS
    assert "security.W018" in output  # DEBUG on


def test_invalid_task_backend_gives_a_clear_error(tmp_path: Path) -> None:
    env = base_env(tmp_path, RATHAUS_TASKS_BACKEND="celery")

    proc = run(["-m", "rathaus", "check"], env, tmp_path)

    assert proc.returncode != 0
    last_line = proc.stderr.strip().splitlines()[-1]
    assert last_line == (
        "django.core.exceptions.ImproperlyConfigured: RATHAUS_TASKS_BACKEND='celery' is not "
        "a task backend: choose one of database, rq, immediate."
    )


def test_database_url_selects_the_engine(tmp_path: Path) -> None:
    env = base_env(tmp_path, DATABASE_URL="postgres://rathaus@db.example.org:5433/rathaus_prod")

    proc = run(["-c", f"import django; django.setup(); {PRINT_DATABASE}"], env, tmp_path)

    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "django.db.backends.postgresql|rathaus_prod|db.example.org"


def test_without_database_url_sqlite_lives_in_the_data_folder(tmp_path: Path) -> None:
    env = base_env(tmp_path)

    proc = run(["-c", f"import django; django.setup(); {PRINT_DATABASE}"], env, tmp_path)

    assert proc.returncode == 0, proc.stderr
    engine, name, _host = proc.stdout.strip().split("|")
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == tmp_path / "rathaus.sqlite3"


def test_tasks_backend_follows_the_environment(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django_tasks import task_backends; b = task_backends['default']; "
        "print(type(b).__name__, settings.RQ_QUEUES['mail']['URL'])"
    )
    by_default = run(["-c", code], base_env(tmp_path), tmp_path)
    with_rq = run(
        ["-c", code],
        base_env(
            tmp_path, RATHAUS_TASKS_BACKEND="rq", REDIS_URL="redis://redis.example.org:6380/2"
        ),
        tmp_path,
    )

    assert by_default.returncode == 0, by_default.stderr
    assert by_default.stdout.split() == ["DatabaseBackend", "redis://127.0.0.1:6379/0"]
    assert with_rq.returncode == 0, with_rq.stderr
    assert with_rq.stdout.split() == ["RQBackend", "redis://redis.example.org:6380/2"]
