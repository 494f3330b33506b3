"""Deployment settings: `check --deploy` is clean when HTTPS is declared, and the generated
secret key file is readable by its owner only."""

import os
import stat
import subprocess
import sys
from pathlib import Path


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    environ = {
        **os.environ,
        "URBANMINE_VAR_DIR": str(tmp_path),
        "URBANMINE_DEBUG": "false",
        "URBANMINE_ALLOWED_HOSTS": "urbanmine.example.nl",
        **env,
    }
    environ.pop("DATABASE_URL", None)
    environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests in this process
    return subprocess.run(
        [sys.executable, "-m", "urbanmine", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
    )


def test_check_deploy_is_clean_when_https_is_declared(tmp_path):
    r = _run(tmp_path, URBANMINE_HTTPS="true")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_check_deploy_warns_without_https(tmp_path):
    r = _run(tmp_path, URBANMINE_HTTPS="false")
    assert r.returncode != 0
    assert "SECURE_SSL_REDIRECT" in r.stdout + r.stderr


def test_the_generated_secret_key_is_readable_by_its_owner_only(tmp_path):
    _run(tmp_path, URBANMINE_HTTPS="true")
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600, oct(mode)


def test_check_deploy_is_clean_for_a_production_environment(tmp_path):
    """As docs/deploy.md configures a site: its own long random key, HTTPS behind the
    proxy, metrics token, JSON logs, Redis cache: zero warnings."""
    import secrets

    r = _run(
        tmp_path,
        URBANMINE_HTTPS="true",
        URBANMINE_SECRET_KEY=secrets.token_urlsafe(64),
        URBANMINE_METRICS_TOKEN=secrets.token_urlsafe(32),
        URBANMINE_LOG_FORMAT="json",
        URBANMINE_REDIS_URL="redis://127.0.0.1:6379/1",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "System check identified no issues (0 silenced)." in r.stdout
    assert not (tmp_path / "secret_key").exists()  # the given key is used, none generated
