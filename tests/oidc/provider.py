"""Starts tests/oidc/provider.mjs (the npm package `oidc-provider`, a real OpenID Connect
provider) on 127.0.0.1 and points the application's ProConnect settings at it."""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID = "clusters-qvt-tests"
CLIENT_SECRET = "secret-du-client-de-test-uniquement"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen

    def configure(self, settings) -> None:
        """The PROCONNECT_* settings as qvt/settings.py derives them, for this provider."""
        settings.PROCONNECT_CLIENT_ID = settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.PROCONNECT_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.PROCONNECT_ISSUER = self.issuer
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{self.issuer}/authorize"
        settings.OIDC_OP_TOKEN_ENDPOINT = f"{self.issuer}/token"
        settings.OIDC_OP_USER_ENDPOINT = f"{self.issuer}/userinfo"
        settings.OIDC_OP_JWKS_ENDPOINT = f"{self.issuer}/jwks"
        settings.PROCONNECT_END_SESSION_ENDPOINT = f"{self.issuer}/session/end"
        backend = "accounts.proconnect.ProConnectBackend"
        if backend not in settings.AUTHENTICATION_BACKENDS:
            settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, backend]
        policy = settings.CONTENT_SECURITY_POLICY
        directives = {**policy["DIRECTIVES"]}
        directives["form-action"] = [*directives["form-action"], self.issuer]
        settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}


@contextlib.contextmanager
def oidc_provider(*, redirect_uris, post_logout_redirect_uris, accounts: dict):
    """A running provider whose one client accepts `redirect_uris`; `accounts` maps an account
    id (typed on its login page) to its claims."""
    node = shutil.which("node")
    assert node, "Node.js is needed for the OpenID Connect provider of the tests"
    port = free_port()
    env = {
        **os.environ,
        "NODE_PATH": str(ROOT / "node_modules"),
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URIS": " ".join(redirect_uris),
        "OIDC_POST_LOGOUT_REDIRECT_URIS": " ".join(post_logout_redirect_uris),
        "OIDC_ACCOUNTS": json.dumps(accounts),
    }
    errors = tempfile.TemporaryFile(mode="w+")  # its warnings; read only if it fails to start
    process = subprocess.Popen(
        [node, str(SCRIPT)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=errors, text=True
    )
    try:
        line = process.stdout.readline()  # blocks until READY (or the process dies)
        if not line.startswith("READY"):
            process.kill()
            errors.seek(0)
            raise RuntimeError(f"OpenID Connect provider did not start: {errors.read()}")
        yield RunningProvider(issuer=line.split()[1], process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        errors.close()
