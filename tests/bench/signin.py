"""Benchmark: sign N users in with password + authenticator code against gunicorn on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/deadbolt_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python -m tests.bench.signin --users 40

Prints, from one run: the median time of a whole sign-in (its four requests), the median time of one password
check with the configured hasher, the difference, and the SQL queries of the code step.
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
os.environ["DJANGO_SETTINGS_MODULE"] = "tests.bench.settings"
PASSWORD = "bench sign-in passphrase 42"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def make_users(count: int):
    import pyotp

    from accounts.models import User
    from security.codes import totp_secret
    from security.methods import authenticator_add, backup_codes_create, two_step_enable
    from security.models import FailureStreak

    User.objects.filter(email__startswith="bench-").delete()
    users = []
    for number in range(count):
        user = User.objects.create_user(f"bench-{number}@example.com", PASSWORD, name=f"Bench {number}")
        secret = totp_secret()
        device = authenticator_add(user=user, secret=secret, primary=True, confirmed=False, request=None)
        backup_codes_create(user=user, confirmed=False, request=None)
        two_step_enable(user=user, device_ids=[device.persistent_id], request=None)
        FailureStreak.objects.create(user=user)  # as for anyone who has signed in before
        users.append((user.email, pyotp.TOTP(secret)))
    return users


def sign_in(base: str, email: str, app) -> float:
    import requests

    session = requests.Session()
    started = time.perf_counter()
    page = session.get(f"{base}/account/signin/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    step = session.post(
        f"{base}/account/signin/",
        data={"csrfmiddlewaretoken": token, "email": email, "password": PASSWORD},
        allow_redirects=False,
    )
    assert step.headers["Location"] == "/account/signin/code/", step.status_code
    page = session.get(f"{base}/account/signin/code/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = session.post(
        f"{base}/account/signin/code/",
        data={"csrfmiddlewaretoken": token, "do": "verify", "code": app.now()},
        allow_redirects=False,
    )
    elapsed = time.perf_counter() - started
    assert done.status_code == 302 and done.headers["Location"] == "/", (done.status_code, done.text[:300])
    return elapsed


def password_check_times(count: int) -> list[float]:
    from django.contrib.auth.hashers import check_password, make_password

    encoded = make_password(PASSWORD)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        assert check_password(PASSWORD, encoded)
        times.append(time.perf_counter() - started)
    return times


def code_step_queries(email: str, app) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.post("/account/signin/", {"email": email, "password": PASSWORD})
    client.get("/account/signin/code/")
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/account/signin/code/", {"do": "verify", "code": app.now()})
    assert response.status_code == 302, response.status_code
    statements = [q["sql"] for q in queries.captured_queries]
    return sum(1 for sql in statements if not sql.startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT")))


def bench_database_prepare(*, collectstatic: bool = True) -> dict:
    """The benchmark's PostgreSQL database (DATABASE_URL; created if missing), migrated; and the environment for
    the processes the benchmark starts."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is created if missing).")
    ensure_database(url)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    if collectstatic:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    env = bench_database_prepare(collectstatic=True)

    import django

    django.setup()
    from django.conf import settings

    warm = 4 * args.workers
    users = make_users(args.users + warm + 1)
    queries = code_step_queries(*users.pop())

    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        for email, app in users[:warm]:  # every worker compiles its templates and opens its connections first
            sign_in(base, email, app)
        signins = [sign_in(base, email, app) for email, app in users[warm:]]
    finally:
        server.terminate()
        server.wait(timeout=10)
    checks = password_check_times(max(20, args.users))

    whole, check = statistics.median(signins) * 1000, statistics.median(checks) * 1000
    print(f"users signed in:                 {len(signins)} (gunicorn, {args.workers} workers, PostgreSQL)")
    p90 = sorted(signins)[int(len(signins) * 0.9)] * 1000
    hasher = settings.PASSWORD_HASHERS[0].rsplit(".", 1)[1]
    print(f"whole sign-in (4 requests), p50: {whole:7.1f} ms   p90: {p90:7.1f} ms")
    print(f"one password check ({hasher}), p50: {check:7.1f} ms")
    print(f"sign-in minus password check:    {whole - check:7.1f} ms   (aim: at most 15 ms)")
    print(f"SQL queries in the code step:    {queries}   (aim: at most 8; includes the new-sign-in alert)")


if __name__ == "__main__":
    main()
