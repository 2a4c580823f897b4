"""The benchmark table: query counts at two scales, in-process times, and a loopback load test.

    python -m bench.populate --scale 1                       # once: the national-scale database
    python -m bench.populate --scale 0.1 --database-url URL_small  # once: the small one
    python -m bench.run [--database-url URL] [--small-database-url URL]   (or: make bench)

Defaults: $DATABASE_URL for scale 1 and the same URL with "_small" appended to the database
name for scale 0.1. Settings are production-like (DEBUG off, a SECRET_KEY) except HTTPS
redirects and secure cookies, since the traffic is plain HTTP on 127.0.0.1. All traffic goes to
127.0.0.1 only and is bounded: --runs requests per page in process, then --clients concurrent
clients for --duration seconds on each load-tested page (wrk when installed, else threads).
"""

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from bench import national_bench
from bench.pages import FLOOR_KEY

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TARGETS = {"median_ms": 60, "p95_ms": 150, "floor_ratio": 4, "p99_ms": 300, "load_cpu_ratio": 1.3}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--database-url", default=_env_database_url())
    parser.add_argument("--small-database-url")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--duration", type=int, default=15, help="seconds per load-tested page")
    parser.add_argument("--load", default="", help="page keys to load-test (default: marked)")
    parser.add_argument("--no-load", action="store_true", help="skip the load test")
    # As docker-compose.yml runs it: 4 sync workers.
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--only", help="comma-separated page keys (default: every page)")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument(
        "--readme", action="store_true", help="paste the table into README.md's Performance section"
    )
    args = parser.parse_args(argv)
    if not args.database_url:
        sys.exit("Set DATABASE_URL (the scale-1 database) or pass --database-url.")
    small_url = args.small_database_url or _small_url(args.database_url)

    env = _production_env(args.database_url)
    if _static_outdated():
        print("collectstatic (DEBUG off needs the manifest)...", file=sys.stderr)
        _run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    # Pages added since the databases were populated need their tables.
    _run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
    migrate_small = [PYTHON, "manage.py", "migrate", "--noinput", "-v0"]
    if subprocess.run(migrate_small, cwd=ROOT, env={**env, "DATABASE_URL": small_url}).returncode:
        print(f"No scale-0.1 database at {small_url}: python -m bench.populate --scale 0.1 "
              f"--database-url {small_url}", file=sys.stderr)  # fmt: skip
    print("Scale 0.1: query counts...", file=sys.stderr)
    small = _measure(small_url, env, timed=False, args=args)
    print("Scale 1: query counts and in-process times...", file=sys.stderr)
    large = _measure(args.database_url, env, timed=True, args=args)
    loads = {}
    if not args.no_load:
        keys = (
            args.load.split(",") if args.load else [p["key"] for p in large["pages"] if p["load"]]
        )
        loads = _load_test(large, keys, env, args)
    table = render(small, large, loads, args)
    if not args.only:
        table += "\n\n" + _national(args.database_url, env)
    print(table)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(table + "\n", encoding="utf-8")
    if args.readme:
        _paste_into_readme(table)
    return 0


README_START, README_END = "<!-- bench:table -->", "<!-- /bench:table -->"


def _paste_into_readme(table: str) -> None:
    """Replace what lies between the two markers of README.md's Performance section."""
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    head, start, rest = text.partition(README_START)
    _old, end, tail = rest.partition(README_END)
    if not start or not end:
        sys.exit(f"README.md has no {README_START} ... {README_END} block")
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    readme.write_text(f"{head}{start}\nMeasured {stamp}:\n\n{table}\n{end}{tail}", encoding="utf-8")


def _env_database_url() -> str | None:
    """$DATABASE_URL, else the DATABASE_URL line of .env (as the settings read it)."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    dotenv = ROOT / ".env"
    for line in dotenv.read_text().splitlines() if dotenv.exists() else []:
        if line.startswith("DATABASE_URL="):
            return line.partition("=")[2].strip().strip("'\"")
    return None


def _small_url(url: str) -> str:
    base, _, query = url.partition("?")
    return base.rstrip("/") + "_small" + (f"?{query}" if query else "")


def _static_outdated() -> bool:
    """collectstatic (slow: it compresses every file) only when a project file is newer."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    folders = [ROOT / "static", *ROOT.glob("[a-z]*/static")]
    return any(
        p.stat().st_mtime > built for folder in folders for p in folder.rglob("*") if p.is_file()
    )


def _production_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="False",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY", secrets.token_urlsafe(40)),
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on loopback: no HTTPS redirect, cookies sent without TLS.
        SECURE_SSL_REDIRECT="False",
        SECURE_COOKIES="False",
        DATABASE_URL=database_url,
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def _run(command, env, **kwargs):
    return subprocess.run(command, cwd=ROOT, env=env, check=True, **kwargs)


def _measure(url, env, *, timed, args) -> dict:
    command = [PYTHON, "-m", "bench.measure", "--database-url", url]
    if timed:
        command += ["--timed", "--runs", str(args.runs), "--cookies"]
    if args.only:
        command += ["--only", args.only]
    try:
        done = _run(command, env, stdout=subprocess.PIPE, timeout=1800)
    except subprocess.CalledProcessError:
        print(f"  could not measure {url} (populated? see bench.populate)", file=sys.stderr)
        return {"pages": [], "cookies": {}}
    return json.loads(done.stdout)


def _national(url, env) -> str:
    """The figures and detailed-export ratios of bench.national_bench, as its tables."""
    print("Figures and detailed exports (bench.national_bench)...", file=sys.stderr)
    command = [PYTHON, "-m", "bench.national_bench", "--json", "--database-url", url]
    done = _run(command, env, stdout=subprocess.PIPE, timeout=1800)
    return national_bench.render(json.loads(done.stdout))


# --- load test ---------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _load_test(large, keys, env, args) -> dict:
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"), "qvt.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", str(args.workers), "--threads", str(args.threads),
            "--worker-class", "gthread" if args.threads > 1 else "sync",
            "--log-level", "warning",
        ],
        cwd=ROOT, env=env,
    )  # fmt: skip
    results = {}
    try:
        _wait_ready(port, server)
        pages = {p["key"]: p for p in large["pages"]}
        for key in keys:
            page = pages.get(key)
            if not page or page.get("status") != 200:
                continue
            cookie = large["cookies"].get(page["user"], "")
            url = f"http://127.0.0.1:{port}{page['url']}"
            status = _probe(url, cookie)
            if status != 200:
                results[key] = {"error": f"HTTP {status} before the test"}
                continue
            print(f"Load test: {key} ({args.clients} clients, {args.duration} s)", file=sys.stderr)
            # Warm every worker and thread first (first requests load templates and URLs).
            _threads(url, cookie, args.clients, 3)
            runner = _wrk if shutil.which("wrk") else _threads
            cpu_before = _workers_cpu(server.pid)
            results[key] = runner(url, cookie, args.clients, args.duration)
            spent = _workers_cpu(server.pid) - cpu_before
            if results[key].get("requests"):
                results[key]["cpu_ms"] = spent * 1000 / results[key]["requests"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return results


def _workers_cpu(master: int) -> float:
    """CPU seconds used so far by gunicorn's workers (Linux /proc): the cost of the requests
    themselves, whatever else the machine is running."""
    total = 0.0
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0
    return total


def _wait_ready(port, server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped at start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start within 60 s")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _request(url, cookie, timeout=30) -> int:
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _probe(url, cookie) -> int:
    return _request(url, cookie)


def _wrk(url, cookie, clients, duration) -> dict:
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(clients), "-d", f"{duration}s", "--latency", "--timeout",
         "10s", "-H", f"Cookie: sessionid={cookie}", url],
        capture_output=True, text=True, timeout=duration + 60, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = _wrk_ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                          output):  # fmt: skip
        errors += sum(int(g) for g in match.groups())
    return {"rps": rps, "p99_ms": p99, "errors": errors, "requests": total, "tool": "wrk"}


def _wrk_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def _threads(url, cookie, clients, duration) -> dict:
    """A small load generator for machines without wrk: `clients` threads, each in a loop."""
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.monotonic() + duration

    def worker():
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                status = _request(url, cookie, timeout=10)
            except OSError:
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000 if ordered else 0
    return {
        "rps": len(latencies) / duration,
        "p99_ms": p99,
        "errors": errors[0],
        "requests": len(latencies),
        "tool": "threads",
    }


# --- the table ---------------------------------------------------------------------------------
def render(small, large, loads, args) -> str:
    small_pages = {p["key"]: p for p in small["pages"]}
    header = [
        "page", "user", "q@0.1", "q@1", "median ms", "p95 ms", "SQL ms", "CPU ms", "CPU/floor",
        "req/s", "p99 ms", "errors", "CPU ms/req", "load/in-process",
    ]  # fmt: skip
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    misses, references = [], []
    for page in large["pages"]:
        key = page["key"]
        label = page["label"]
        status = page.get("status")
        if status == "absent":
            lines.append(f"| {label} | {page['user']} | absent |" + " |" * (len(header) - 3))
            continue
        if status != 200:
            note = f"HTTP {status}" + (f": {page['error'][:60]}" if page.get("error") else "")
            lines.append(f"| {label} | {page['user']} | {note} |" + " |" * (len(header) - 3))
            misses.append(f"{key}: {note}")
            continue
        small_q = small_pages.get(key, {}).get("queries")
        queries = page["queries"]
        cpu = page["cpu_median_ms"]
        floor_ratio = cpu / page["floor_cpu_median_ms"]
        load = loads.get(key, {})
        load_ratio = load["cpu_ms"] / cpu if "cpu_ms" in load and cpu else None
        cells = [
            label,
            page["user"],
            "-" if small_q is None else str(small_q),
            str(queries) + ("" if small_q in (None, queries) else " ≠"),
            f"{page['median_ms']:.0f}",
            f"{page['p95_ms']:.0f}",
            f"{page['sql_median_ms']:.1f}",
            f"{cpu:.1f}",
            f"{floor_ratio:.1f}",
            f"{load['rps']:.0f}" if "rps" in load else load.get("error", ""),
            f"{load['p99_ms']:.0f}" if "p99_ms" in load else "",
            str(load["errors"]) if "errors" in load else "",
            f"{load['cpu_ms']:.1f}" if "cpu_ms" in load else "",
            f"{load_ratio:.2f}" if load_ratio else "",
        ]
        if page.get("reference"):
            cells[0] += f" ({len(references) + 1})"
            references.append(page["reference"])
        lines.append("| " + " | ".join(cells) + " |")
        if small_q is not None and small_q != queries:
            misses.append(f"{key}: {small_q} queries at 0.1, {queries} at 1")
        if page.get("reference") or page.get("export"):
            continue  # references are for comparison; exports are held to COPY (below)
        if page["median_ms"] > TARGETS["median_ms"]:
            misses.append(f"{key}: median {page['median_ms']:.0f} ms > {TARGETS['median_ms']}")
        if page["p95_ms"] > TARGETS["p95_ms"]:
            misses.append(f"{key}: p95 {page['p95_ms']:.0f} ms > {TARGETS['p95_ms']}")
        if floor_ratio > TARGETS["floor_ratio"]:
            misses.append(f"{key}: CPU {floor_ratio:.1f}x the floor > {TARGETS['floor_ratio']}")
        if load.get("errors"):
            misses.append(f"{key}: {load['errors']} errors under load")
        if load.get("p99_ms", 0) > TARGETS["p99_ms"]:
            misses.append(f"{key}: p99 {load['p99_ms']:.0f} ms under load > {TARGETS['p99_ms']}")
        if load_ratio and load_ratio > TARGETS["load_cpu_ratio"]:
            misses.append(
                f"{key}: CPU per request under load {load_ratio:.2f}x in process "
                f"> {TARGETS['load_cpu_ratio']}"
            )
    tool = next((v["tool"] for v in loads.values() if "tool" in v), "-")
    lines += [
        "",
        f"Load average (1 min) at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
        "(other processes inflate wall times; CPU ms is the request's own CPU time in process, "
        "CPU ms/req that of gunicorn's workers per request under load).",
        f"In process: {args.runs} requests per page at most (8 s budget), after 3 warm-ups; "
        f"load: {args.clients} clients x {args.duration} s per page ({tool}) against gunicorn "
        f"({args.workers} workers x {args.threads} threads) on 127.0.0.1.",
        f"Targets: median <= {TARGETS['median_ms']} ms, p95 <= {TARGETS['p95_ms']} ms, CPU <= "
        f"{TARGETS['floor_ratio']}x the floor (the CPU of row '{FLOOR_KEY}', each of its requests "
        "measured right before one of the page's), equal "
        f"query counts; under load: 0 errors, p99 <= {TARGETS['p99_ms']} ms and CPU per request "
        f"<= {TARGETS['load_cpu_ratio']}x in process. Exports are held to the COPY ratio below.",
        "Rows with a number are references, not held to the targets: "
        + "; ".join(f"({number}) {text}" for number, text in enumerate(references, 1))
        + ".",
        "",
        f"Missed ({len(misses)}):" if misses else "Missed: none.",
        *(f"- {miss}" for miss in misses),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
