"""Admin benchmark, run by hand with `make bench-admin` (never in the test suite).

Builds a council's volumes (10,000 providers, 30,000 settings with about two
inspections each, 50,000 contracts, 100,000 visits with an action item each;
``--scale 0.1`` for a tenth) in a fresh database, once, then measures:

- every main changelist for every role: the default page, a search, a filter,
  a sort by each sortable column and the last page, as the median of
  ``--runs`` interleaved runs, with the query count; and the default page and
  last page of a default Unfold ModelAdmin of the same model (the baseline,
  scripts/bench_baseline.py) and the portal / baseline ratio;
- the dashboard for every role;
- run_daily_jobs: its first run and a second one with nothing to do;
- a bounded load test: ``--users`` logged-in users for ``--seconds`` seconds
  against gunicorn, reporting requests, errors and p50 / p95.

    python scripts/bench_admin.py --database sqlite --scale 0.1
    python scripts/bench_admin.py --database postgres://postgres@127.0.0.1:5432/portal_bench

The volumes are built with bulk_create for speed (history rows are not
written); ratings and per-record grants are filled by the portal's own
services (setting_ratings_refresh, move_change_permission). ``--reuse`` skips
the build when the database already holds the volumes.
"""

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

VOLUMES = {
    "providers": 10_000,
    "settings": 30_000,
    "contracts": 50_000,
    "visits": 100_000,
}
ROLES = ["manager", "support", "qa1", "officer", "auditor"]
QA_OFFICERS = 10
OFFICERS = 5
# changelist -> (search term, filter query string)
CHANGELISTS = {
    "provider": ("care", "approval_status__exact=approved"),
    "setting": ("SC1", "rating=inadequate"),
    "inspection": ("1001", "overall__exact=good"),
    "contract": ("C-1", "procurement_route__exact=open_tender"),
    "visit": ("staffing", "status__exact=planned"),
    "actionitem": ("Action 1", "status__exact=open"),
}


def production_env(url: str) -> dict[str, str]:
    """Measure as production runs: DEBUG off (no query logging)."""
    return {
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x7Qp2Lm9Zr4Tn8Vb3Wc6Yd1Ke5Hf0Jg" * 2,
        "ALLOWED_HOSTS": "localhost,127.0.0.1,testserver",
        "DATABASE_URL": url,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        # Plain HTTP on the loopback: TLS is the proxy's work in production.
        "SECURE_SSL_REDIRECT": "false",
    }


def database_url(database: str) -> str:
    if database == "sqlite":
        return f"sqlite:///{ROOT / 'bench-results' / 'bench_admin.sqlite3'}"
    return database


def reset_database(url: str) -> None:
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')


def run_manage(url: str, *args: str) -> None:
    env = {**os.environ, **production_env(url)}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def setup_django(url: str) -> None:
    os.environ.update(production_env(url))
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    import django
    from django.conf import settings

    django.setup()
    settings.ROOT_URLCONF = "bench_baseline"


# --- volumes -----------------------------------------------------------------------


def built(scale: float) -> bool:
    from registers.models import Visit

    return Visit.objects.count() >= int(VOLUMES["visits"] * scale) * 0.9


def build(scale: float) -> dict[str, float]:
    """The volumes, with bulk_create: seconds per step."""
    from django.contrib.auth.models import Group, User

    from registers import roles
    from registers.models import (
        ActionItem,
        Concern,
        Contract,
        Inspection,
        Provider,
        Setting,
        Visit,
    )
    from registers.services.access import move_change_permission
    from registers.services.inspections import setting_ratings_refresh

    rng = random.Random(11)
    today = date.today()
    timings: dict[str, float] = {}

    def step(name):
        timings[name] = time.perf_counter()

    def done(name):
        timings[name] = round(time.perf_counter() - timings[name], 1)
        print(f"  built {name} in {timings[name]} s", flush=True)

    step("users")
    groups = {g.name: g for g in Group.objects.all()}

    def user(username, role):
        # No password (the benchmark logs in by session): hashing 18 takes seconds.
        person = User.objects.create_user(
            username, f"{username}@council.example.gov.uk", None, is_staff=True
        )
        person.groups.add(groups[role])
        return person

    user("manager", roles.MANAGER)
    user("support", roles.BUSINESS_SUPPORT)
    user("auditor", roles.AUDITOR)
    qas = [user(f"qa{n}", roles.QA_OFFICER) for n in range(1, QA_OFFICERS + 1)]
    officers = [user("officer", roles.COMMISSIONING_OFFICER)] + [
        user(f"officer{n}", roles.COMMISSIONING_OFFICER) for n in range(2, OFFICERS + 1)
    ]
    done("users")

    n_providers = int(VOLUMES["providers"] * scale)
    n_settings = int(VOLUMES["settings"] * scale)
    n_contracts = int(VOLUMES["contracts"] * scale)
    n_visits = int(VOLUMES["visits"] * scale)
    words = ["Care", "Homes", "Fostering", "Support", "Futures", "Pathways", "Haven", "Bridge"]
    towns = ["Sefton", "Wirral", "Knowsley", "St Helens", "Liverpool", "Halton", "Wigan"]

    step("providers")
    providers = Provider.objects.bulk_create(
        [
            Provider(
                name=f"{rng.choice(words)} {rng.choice(words)} {n} Ltd",
                normalised_name=f"provider {n}",
                company_number=f"{n + 1:08d}",
                sector=rng.choice(["private", "voluntary", "local_authority"]),
                approval_status=rng.choice(
                    ["approved"] * 6 + ["applicant", "approved_with_conditions", "suspended"]
                ),
                postcode="L1 1AA",
            )
            for n in range(n_providers)
        ],
        batch_size=2000,
    )
    done("providers")

    step("settings")
    settings_ = Setting.objects.bulk_create(
        [
            Setting(
                urn=f"SC{100000 + n:06d}",
                provider=providers[n % n_providers],
                name=f"{rng.choice(words)} House {n}",
                provision_type=rng.choice(
                    ["Children's home", "Independent fostering agency", "Residential school"]
                ),
                local_authority=rng.choice(towns),
                postcode="L2 2BB",
            )
            for n in range(n_settings)
        ],
        batch_size=2000,
    )
    done("settings")

    step("inspections")
    judgements = ["outstanding", "good", "good", "good", "requires_improvement", "inadequate"]
    inspections = []
    event = 1000
    for setting in settings_:
        when = today - timedelta(days=rng.randint(30, 500))
        for _ in range(rng.choice([1, 2, 2, 3])):
            event += 1
            inspections.append(
                Inspection(
                    setting=setting,
                    event_number=str(event),
                    inspection_type="full",
                    inspection_date=when,
                    overall=rng.choice(judgements),
                )
            )
            when -= timedelta(days=rng.randint(300, 700))
    Inspection.objects.bulk_create(inspections, batch_size=2000)
    del inspections
    setting_ratings_refresh(setting_ids=[s.pk for s in settings_])
    done("inspections")

    step("contracts")
    routes = ["open_tender", "framework_call_off", "spot_purchase"]
    contracts = []
    for n in range(n_contracts):
        start = today - timedelta(days=rng.randint(100, 1500))
        contracts.append(
            Contract(
                reference=f"C-{n:06d}",
                title=f"{rng.choice(words)} placement contract {n}",
                description="Residential care for looked-after children.",
                provider=providers[n % n_providers],
                setting=settings_[n % n_settings] if n % 3 == 0 else None,
                department="Children's Services",
                procurement_route=rng.choice(routes),
                tender_type="published_tender",
                start_date=start,
                end_date=start + timedelta(days=rng.randint(200, 2500)),
                review_date=today + timedelta(days=rng.randint(-100, 300)),
                annual_value=Decimal(rng.randint(5, 500) * 1000),
                total_value=Decimal(rng.randint(10, 1500) * 1000),
                vat_not_recoverable=Decimal("0.00"),
                contract_manager=rng.choice(officers),
            )
        )
    contracts = Contract.objects.bulk_create(contracts, batch_size=2000)
    move_change_permission(
        model=Contract, moves=[(c, None, c.contract_manager_id) for c in contracts]
    )
    del contracts
    done("contracts")

    step("visits")
    visits = Visit.objects.bulk_create(
        [
            Visit(
                setting=settings_[n % n_settings],
                planned_date=today + timedelta(days=rng.randint(-700, 200)),
                reason=rng.choice(["routine", "routine", "risk", "concern"]),
                status=rng.choice(["planned", "completed", "report_issued", "cancelled"]),
                lead_officer=rng.choice(qas),
                findings=rng.choice(["", "Staffing levels were low.", "Good records."]),
            )
            for n in range(n_visits)
        ],
        batch_size=2000,
    )
    move_change_permission(model=Visit, moves=[(v, None, v.lead_officer_id) for v in visits])
    done("visits")

    step("action items")
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                visit=visit,
                description=f"Action {n}: review the staffing rota",
                owner="Registered manager",
                due_date=visit.planned_date + timedelta(days=rng.randint(10, 90)),
                status=rng.choice(["open", "in_progress", "done"]),
            )
            for n, visit in enumerate(visits)
        ],
        batch_size=2000,
    )
    del visits
    done("action items")

    step("concerns")
    Concern.objects.bulk_create(
        [
            Concern(
                setting=settings_[n],
                provider=settings_[n].provider,
                raised_on=today - timedelta(days=rng.randint(0, 60)),
                stage_started_on=today - timedelta(days=rng.randint(0, 20)),
                category="quality",
                description="Concern about staffing levels.",
            )
            for n in range(int(500 * scale))
        ]
    )
    done("concerns")
    return timings


def analyse() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# --- measuring ---------------------------------------------------------------------


def timed(client, url: str) -> tuple[float, str]:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    return elapsed, response.content.decode()


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        client.get(url)
    return len(context.captured_queries)


def last_page(html: str) -> int:
    pages = [int(p) for p in re.findall(r"[?&;]p=(\d+)", html)]
    return max(pages) if pages else 1


def sort_params(html: str) -> list[str]:
    """The sort links in the header: the first index of each ``o=`` link."""
    seen = []
    for value in re.findall(r"[?&;]o=([-\d.]+)", html):
        first = value.split(".")[0].lstrip("-")
        if first and first not in seen:
            seen.append(first)
    return seen


def clients():
    from django.contrib.auth.models import User
    from django.test import Client

    result = {}
    for role in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=role))
        result[role] = client
    return result


def measure_changelists(runs: int) -> list[dict]:
    rows = []
    by_role = clients()
    for model, (term, filter_qs) in CHANGELISTS.items():
        portal = f"/admin/registers/{model}/"
        baseline = f"/baseline/registers/{model}/"
        for role, client in by_role.items():
            _, html = timed(client, portal)  # warm
            _, base_html = timed(client, baseline)
            cases = {
                "default": (portal, baseline),
                "search": (f"{portal}?q={term.replace(' ', '+')}", None),
                "filter": (f"{portal}?{filter_qs}", None),
                "last page": (
                    f"{portal}?p={last_page(html)}",
                    f"{baseline}?p={last_page(base_html)}",
                ),
            }
            for column in sort_params(html):
                cases[f"sort {column}"] = (f"{portal}?o={column}", None)
            for case, (url, base_url) in cases.items():
                times, base_times = [], []
                for _ in range(runs):
                    times.append(timed(client, url)[0])
                    if base_url:
                        base_times.append(timed(client, base_url)[0])
                row = {
                    "changelist": model,
                    "role": role,
                    "case": case,
                    "portal_ms": round(statistics.median(times)),
                    "queries": count_queries(client, url),
                }
                if base_times:
                    row["baseline_ms"] = round(statistics.median(base_times))
                    row["ratio"] = round(row["portal_ms"] / max(row["baseline_ms"], 1), 2)
                rows.append(row)
                print(json.dumps(row), flush=True)
    return rows


def measure_dashboard(runs: int) -> list[dict]:
    rows = []
    for role, client in clients().items():
        timed(client, "/admin/")
        times = [timed(client, "/admin/")[0] for _ in range(runs)]
        row = {
            "role": role,
            "dashboard_ms": round(statistics.median(times)),
            "queries": count_queries(client, "/admin/"),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def measure_daily() -> dict:
    from registers.services.daily import daily_jobs_run

    start = time.perf_counter()
    first_report = daily_jobs_run()
    first = time.perf_counter() - start
    start = time.perf_counter()
    daily_jobs_run()
    again = time.perf_counter() - start
    result = {
        "first_run_s": round(first, 2),
        "nothing_to_do_s": round(again, 2),
        "first_report": first_report,
    }
    print(json.dumps(result), flush=True)
    return result


# --- load test ---------------------------------------------------------------------


def session_cookie(username: str) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    person = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(person.pk)
    session[BACKEND_SESSION_KEY] = "registers.auth_backends.RolePermissionBackend"
    session[HASH_SESSION_KEY] = person.get_session_auth_hash()
    session.create()
    return session.session_key


def load_test(url: str, *, users: int, seconds: int, port: int, workers: int) -> dict:
    """``users`` threads, each a logged-in user browsing the lists, against gunicorn."""
    from django.db import connections

    usernames = ["manager", "support", "auditor", "officer"] + [
        f"qa{n}" for n in range(1, QA_OFFICERS + 1)
    ]
    cookies = [session_cookie(usernames[n % len(usernames)]) for n in range(users)]
    connections.close_all()
    pages = [f"/admin/registers/{model}/" for model in CHANGELISTS] + [
        "/admin/",
        "/admin/registers/visit/?status__exact=planned",
        "/admin/registers/setting/?q=SC1",
        "/admin/registers/actionitem/?o=3",
    ]
    env = {**os.environ, **production_env(url)}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            "2",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                probe.request("GET", "/admin/login/")
                probe.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop = time.monotonic() + seconds

        def browse(n: int) -> None:
            rng = random.Random(n)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            headers = {"Cookie": f"sessionid={cookies[n]}", "Host": "localhost"}
            while time.monotonic() < stop:
                page = rng.choice(pages)
                start = time.perf_counter()
                try:
                    connection.request("GET", page, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    ok = response.status == 200
                    problem = f"{page}: HTTP {response.status}"
                except (OSError, http.client.HTTPException) as exc:
                    ok, problem = False, f"{page}: {exc.__class__.__name__}"
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors.append(problem)

        threads = [threading.Thread(target=browse, args=(n,)) for n in range(users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    result = {
        "users": users,
        "seconds": seconds,
        "gunicorn_workers": workers,
        "requests": len(latencies),
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:5],
        "p50_ms": round(latencies[len(latencies) // 2]) if latencies else None,
        "p95_ms": round(latencies[int(len(latencies) * 0.95)]) if latencies else None,
    }
    print(json.dumps(result), flush=True)
    return result


def markdown(results: dict) -> str:
    """The README's tables, from a results file."""
    lines = [
        "| changelist | role | default ms | Unfold ms | ratio | search ms | filter ms "
        "| slowest sort ms | last page ms | Unfold last ms | worst / default | queries |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows: dict[tuple, dict] = {}
    for row in results.get("changelists", []):
        rows.setdefault((row["changelist"], row["role"]), {})[row["case"]] = row
    for (model, role), cases in rows.items():
        default, last = cases["default"], cases["last page"]
        sorts = [c for name, c in cases.items() if name.startswith("sort")]
        slowest = max(sorts, key=lambda c: c["portal_ms"]) if sorts else default
        worst = max(slowest["portal_ms"], last["portal_ms"])
        queries = sorted({c["queries"] for c in cases.values()})
        lines.append(
            f"| {model} | {role} | {default['portal_ms']} | {default['baseline_ms']} "
            f"| {default['ratio']} | {cases['search']['portal_ms']} "
            f"| {cases['filter']['portal_ms']} | {slowest['portal_ms']} ({slowest['case']}) "
            f"| {last['portal_ms']} | {last['baseline_ms']} "
            f"| {worst / max(default['portal_ms'], 1):.2f} "
            f"| {queries[0]}{'-' + str(queries[-1]) if len(queries) > 1 else ''} |"
        )
    if results.get("dashboard"):
        lines += ["", "| dashboard, role | ms | queries |", "| --- | ---: | ---: |"]
        for row in results["dashboard"]:
            lines.append(f"| {row['role']} | {row['dashboard_ms']} | {row['queries']} |")
    if results.get("daily"):
        daily = results["daily"]
        lines += [
            "",
            f"run_daily_jobs: first run {daily['first_run_s']} s, "
            f"nothing to do {daily['nothing_to_do_s']} s.",
        ]
    if results.get("load"):
        load = results["load"]
        lines += [
            "",
            f"Load test: {load['users']} users for {load['seconds']} s against gunicorn "
            f"({load['gunicorn_workers']} workers x 2 threads): {load['requests']} requests, "
            f"{load['errors']} errors, p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms.",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--scale", type=float, default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep a database already built")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8021)))
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma-separated: lists,daily,load")
    parser.add_argument("--table", help="print the markdown tables of a results file and stop")
    args = parser.parse_args()
    if args.table:
        print(markdown(json.loads(Path(args.table).read_text())))
        return
    scale = args.scale if args.scale is not None else (0.1 if args.database == "sqlite" else 1.0)
    skip = set(filter(None, args.skip.split(",")))
    url = database_url(args.database)
    (ROOT / "bench-results").mkdir(exist_ok=True)
    vendor = "sqlite" if url.startswith("sqlite") else "postgresql"
    out = ROOT / "bench-results" / f"admin-{vendor}.json"

    if not args.reuse:
        reset_database(url)
    run_manage(url, "migrate", "--noinput", "-v0")
    run_manage(url, "collectstatic", "--noinput", "-v0")
    setup_django(url)
    results: dict = {"database": vendor, "scale": scale}
    if args.reuse and built(scale):
        print("Reusing the volumes already built.", flush=True)
    else:
        print(f"Building volumes at scale {scale} ...", flush=True)
        results["build_s"] = build(scale)
    analyse()
    if "daily" not in skip:
        # First, as a council's first night would: it flags and plans risk visits.
        results["daily"] = measure_daily()
    if "lists" not in skip:
        results["changelists"] = measure_changelists(args.runs)
        results["dashboard"] = measure_dashboard(args.runs)
    if "load" not in skip:
        results["load"] = load_test(
            url, users=args.users, seconds=args.seconds, port=args.port, workers=args.workers
        )
    out.write_text(json.dumps(results, indent=1, default=str))
    out.with_suffix(".md").write_text(markdown(results) + "\n")
    print(markdown(results))
    print(f"Results in {out} and {out.with_suffix('.md')}")


if __name__ == "__main__":
    main()
