"""A real Redis server for the cache tests: Debian's `redis-server` on loopback, TLS only, ACLs.

It is set up as ElastiCache serves the function: TLS with a certificate the client verifies (a CA
made here; tests point `SSL_CERT_FILE` at it), no default user, and one user allowed on the
`tap:*` keys. The user has `nopass`, so any IAM token is accepted: what is tested is that the
function authenticates as that user, not ElastiCache's token check. redis-py comes from the pinned,
hash-checked wheel that `tapgen.pipeline.archives` vendors into function.zip, so the tests run the client
the function ships with.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from lambda_src.shared import tap_contract
from tapgen.pipeline.archives import WheelCache, parse_requirements

REDIS_SERVER = Path("/usr/bin/redis-server")
REQUIREMENTS = Path(__file__).resolve().parents[2] / "lambda_src" / "crud" / "requirements.txt"
TEST_REQUIREMENTS = Path(__file__).resolve().parent / "redis_requirements.txt"
CACHE_USER = "tap-test-cache"
# The tests' own user, to plant and inspect entries; the function's user has only its ACL rules.
ADMIN_USER = "tap-test-admin"
CACHE_NAME = "tap-test-cache-group"
MISSING_SERVER = (
    f"{REDIS_SERVER} is missing: the cache tests need Debian's redis-server; "
    "scripts/bootstrap.sh installs it (ensure_redis_server)"
)
STARTUP_SECONDS = 10


def redis_wheels() -> list[str]:
    """redis-py's pinned wheel (the function's) and what it needs on this Python (`TEST_REQUIREMENTS`):
    wheels are importable as zips, so these are `sys.path` entries."""
    (requirement,) = [r for r in parse_requirements(REQUIREMENTS) if r.name == "redis"]
    needed = [requirement, *(parse_requirements(TEST_REQUIREMENTS) if sys.version_info < (3, 11, 3) else ())]
    return [str(WheelCache.default().wheel(r)) for r in needed]


def import_redis():
    """redis-py, imported from `redis_wheels()`."""
    for wheel in redis_wheels():
        if wheel not in sys.path:
            sys.path.insert(0, wheel)
    import redis

    return redis


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    certificate: Path
    key: Path


_CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=False,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def tls_files(directory: Path) -> TlsFiles:
    """A CA and a server certificate it signed for `localhost` and `127.0.0.1`, valid for a day."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("tap test cache CA"))
        .issuer_name(_name("tap test cache CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_CA_KEY_USAGE, critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    files = TlsFiles(directory / "ca.pem", directory / "server.pem", directory / "server-key.pem")
    files.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.certificate.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(_pem(server_key))
    return files


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class CacheServer:
    """`redis-server` on `127.0.0.1:<port>` over TLS only; `stop()` and `start()` it to simulate an
    outage (it comes back on the same port, empty)."""

    def __init__(self, directory: Path) -> None:
        if not REDIS_SERVER.is_file():
            raise FileNotFoundError(MISSING_SERVER)
        self.directory = directory
        self.tls = tls_files(directory)
        self.port = free_port()
        self.config = directory / "redis.conf"
        self.config.write_text(self._config_text(), encoding="utf-8")
        self._process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"localhost:{self.port}"

    def _config_text(self) -> str:
        return "\n".join(
            (
                "bind 127.0.0.1",
                "port 0",
                f"tls-port {self.port}",
                f"tls-cert-file {self.tls.certificate}",
                f"tls-key-file {self.tls.key}",
                f"tls-ca-cert-file {self.tls.ca}",
                "tls-auth-clients no",
                "user default off",
                f"user {CACHE_USER} on nopass {tap_contract.CACHE_ACL_RULES}",
                f"user {ADMIN_USER} on nopass ~* +@all",
                'save ""',
                "appendonly no",
                f"dir {self.directory}",
                "daemonize no",
                "loglevel warning",
                "",
            )
        )

    def client(self, username: str | None = ADMIN_USER, password: str = "any-token"):
        """A plain TLS client of the server, as `username` (None: no AUTH), that never retries."""
        redis = import_redis()
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        credentials = {"username": username, "password": password} if username else {}
        return redis.Redis(
            retry=Retry(NoBackoff(), retries=0),
            host="localhost",
            port=self.port,
            ssl=True,
            ssl_ca_certs=str(self.tls.ca),
            decode_responses=True,
            **credentials,
        )

    def start(self) -> None:
        log = (self.directory / "redis.log").open("ab")
        self._process = subprocess.Popen([str(REDIS_SERVER), str(self.config)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + STARTUP_SECONDS
        admin = self.client()
        while True:
            try:
                admin.ping()
                return
            except Exception:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"redis-server did not start; see {self.directory / 'redis.log'}") from None
                time.sleep(0.05)
            finally:
                admin.close()

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None
