"""Start the loopback OpenID Connect provider in its own process, and its process entry point.

`running_provider(...)` (used by the tests) writes an RSA key and the users and client as
environment variables, starts `python -m tests.idp.oidc.server` on a free loopback port and
stops it afterwards. The child migrates its own SQLite file, creates the users and the
registered client, and serves django-oauth-toolkit with a threaded wsgiref server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class IdpUser:
    username: str
    password: str
    first_name: str
    last_name: str
    email: str
    acr: str = ""


@dataclass(frozen=True)
class Provider:
    base_url: str
    client_id: str
    client_secret: str

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/o"

    def endpoint(self, name: str) -> str:
        paths = {
            "authorization": "/o/authorize/",
            "token": "/o/token/",
            "userinfo": "/o/userinfo/",
            "jwks": "/o/.well-known/jwks.json",
        }
        return self.base_url + paths[name]


def _write_key(path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


@contextmanager
def running_provider(
    work_dir: Path,
    *,
    users: list[IdpUser],
    client_id: str,
    client_secret: str,
    redirect_uris: list[str],
) -> Iterator[Provider]:
    work_dir.mkdir(parents=True, exist_ok=True)
    _write_key(work_dir / "idp-key.pem")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.idp.oidc.settings",
        "IDP_WORK_DIR": str(work_dir),
        "IDP_USERS": json.dumps([user.__dict__ for user in users]),
        "IDP_ACR_BY_USER": json.dumps({user.username: user.acr for user in users if user.acr}),
        "IDP_CLIENT": json.dumps(
            {"client_id": client_id, "client_secret": client_secret, "redirect_uris": redirect_uris}
        ),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.idp.oidc.server"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        port = _wait_for_port(process)
        yield Provider(f"http://127.0.0.1:{port}", client_id, client_secret)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_port(process: subprocess.Popen[str]) -> int:
    """Read the child's output until it names its port; its other lines explain a failure."""
    assert process.stdout is not None
    lines: list[str] = []
    found: list[int] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("PORT ") and not found:
                found.append(int(line.split()[1]))
                return
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    if not found:
        process.kill()
        raise RuntimeError("the OpenID Connect test provider did not start:\n" + "".join(lines))
    # Keep draining the pipe so a chatty child never blocks on a full buffer.
    threading.Thread(target=lambda: [None for _ in process.stdout or []], daemon=True).start()
    return found[0]


# --- the child process -------------------------------------------------------------------


def _prepare() -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for data in json.loads(os.environ["IDP_USERS"]):
        user = User(
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
        )
        user.set_password(data["password"])
        user.save()
    client: dict[str, Any] = json.loads(os.environ["IDP_CLIENT"])
    Application.objects.create(
        name="Rathaus",
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(client["redirect_uris"]),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=False,  # the user sees and confirms the consent page
    )


def main() -> None:
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    import django

    django.setup()
    _prepare()

    from django.core.wsgi import get_wsgi_application

    class ThreadingServer(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = make_server(
        "127.0.0.1",
        0,
        get_wsgi_application(),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    print(f"PORT {server.server_port}", flush=True)  # noqa: T201
    server.serve_forever()


if __name__ == "__main__":
    main()
