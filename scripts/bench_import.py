"""Import benchmark, run by hand with `make bench` (never in the test suite).

For Ofsted's real 31 March 2023 provider-level file (3,546 rows: about 1,320
owners, 3,546 settings and 3,546 inspections) and, with --sizes, for files of
any size (the 2016 file repeated with new URNs, plus an owner column so
providers are made too), it measures, each in a fresh database and process:

- the portal's import (history included): rows per second and peak memory;
- raw bulk_create of the same providers, settings and inspections, no history;
- django-simple-history's own bulk_create_with_history of the same records;
- django-import-export's default row-by-row import through plain ModelResources.

With --xlsx-rows it then imports an xlsx of that many rows and reports its peak
memory.

    python scripts/bench_import.py --database sqlite
    python scripts/bench_import.py --database postgres://postgres@127.0.0.1:5432/portal_bench
"""

import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SOURCE = ROOT / "fixtures" / "samples" / "ofsted_providers_2016_full.csv"
REAL_2023 = ROOT / "fixtures" / "samples" / "ofsted_providers_2023_full.csv"
# Column names of the two layouts the plain parsers read: the 2016 one and 2023's.
PLAIN_NAMES = {
    "inspection_date": ("Inspection date", "Latest full inspection date"),
    "event_number": ("Event number", "Latest full inspection event number"),
    "overall": (
        "Overall effectiveness",
        "Overall experiences and progress of children and young people",
    ),
}
OWNER = "Organisation which owns the provider"


def database_url(database: str, workdir: Path) -> str:
    if database == "sqlite":
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    return database


def reset_database(url: str, workdir: Path) -> None:
    if url.startswith("sqlite"):
        (workdir / "bench.sqlite3").unlink(missing_ok=True)
    else:
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, **production_env(), "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def source_rows() -> tuple[list[str], list[list[str]]]:
    if not SOURCE.exists():
        raise SystemExit(
            f"{SOURCE} is missing: copy Ofsted's 2016 provider-level file there "
            "(../shared/data/ofsted/providers_at_31_march_2016.csv)."
        )
    lines = list(csv.reader(io.StringIO(SOURCE.read_text(encoding="utf-8-sig"))))
    header = lines[1]
    data = [row for row in lines[2:] if any(cell.strip() for cell in row)]
    return header, data


def make_rows(count: int) -> tuple[list[str], list[list[str]]]:
    """The 2016 rows repeated with new URNs and event numbers, and an owner each."""
    header, data = source_rows()
    urn, event = header.index("URN"), header.index("Event number")
    rows = []
    n = 0
    while len(rows) < count:
        for row in data:
            if len(rows) == count:
                break
            copy = list(row)
            copy[urn] = f"SC{100000 + n:06d}" if n < 900000 else f"{1000000 + n:07d}"
            copy[event] = str(20_000_000 + n)
            copy.append(f"Bench Care Group {n % 700} Ltd")
            rows.append(copy)
            n += 1
    return [*header, OWNER], rows


def transparency_csv_write(path: Path, header, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Provider information"])
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path: Path, header, rows) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["Children's social care data in England: providers"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


# --- measurements, each in its own process ---------------------------------------------


def production_env() -> dict[str, str]:
    """Measure as production runs: DEBUG off (no query logging)."""
    return {
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x7Qp2Lm9Zr4Tn8Vb3Wc6Yd1Ke5Hf0Jg" * 2,
        "ALLOWED_HOSTS": "localhost",
    }


def setup_django(url: str):
    os.environ.update(production_env())
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()


def measure_ours(path: Path) -> dict:
    from django.contrib.auth import get_user_model

    from registers.importing.specs.ofsted import OfstedSpec
    from registers.services.imports import import_file

    user = get_user_model().objects.create(username="bench", is_superuser=True)
    data = path.read_bytes()
    start = time.perf_counter()
    result = import_file(spec=OfstedSpec(), data=data, file_name=path.name, user=user)
    elapsed = time.perf_counter() - start
    assert result.written, [str(p) for p in result.problems[:5]]
    return {"seconds": elapsed, "counts": {k: v.as_dict() for k, v in result.counts.items()}}


def _parse_plainly(path: Path):
    """The rows under the header (the first row naming a URN), and a column
    index that answers to both layouts' names."""
    lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    at = next(i for i, row in enumerate(lines) if "URN" in row)
    header = lines[at]
    col = {name: header.index(name) for name in header if name}
    for key, names in PLAIN_NAMES.items():
        col[key] = next(col[name] for name in names if name in col)
    return col, [row for row in lines[at + 1 :] if len(row) > 1 and row[1].strip()]


def measure_raw(path: Path, *, with_history: bool = False) -> dict:
    """The same records with bulk_create and no history, checks or diffing; or,
    ``with_history``, with simple-history's bulk_create_with_history."""
    from datetime import datetime

    from django.contrib.auth import get_user_model
    from simple_history.utils import bulk_create_with_history

    from registers.models import Inspection, Provider, Setting
    from registers.validators import normalise_provider_name

    user = get_user_model().objects.create(username="bench")

    def create(model, objs):
        if with_history:
            return bulk_create_with_history(
                list(objs), model, batch_size=500, default_user=user, default_change_reason="x"
            )
        return model.objects.bulk_create(objs, batch_size=500)

    col, rows = _parse_plainly(path)

    def day(text):
        return datetime.strptime(text, "%d/%m/%Y").date() if text else None

    def text(row, name):
        return row[col[name]] if name in col else ""

    start = time.perf_counter()
    providers = {}
    for row in rows:
        name = text(row, OWNER)
        if name:
            key = normalise_provider_name(name)
            providers.setdefault(key, Provider(name=name, normalised_name=key))
    created = create(Provider, list(providers.values()))
    if with_history:
        providers = {p.normalised_name: p for p in created}
    settings = []
    inspections = []
    for row in rows:
        owner = text(row, OWNER)
        places = text(row, "Places")
        setting = Setting(
            urn=text(row, "URN"),
            provision_type=text(row, "Provision type"),
            name=text(row, "Name"),
            address_line_1=text(row, "Address 1"),
            town=text(row, "Town"),
            postcode=text(row, "Postcode")[:8],
            local_authority=text(row, "Local authority"),
            ofsted_region=text(row, "Government Office Region"),
            ofsted_sector=text(row, "Sector"),
            places=int(places) if places.isdigit() else None,
            registration_date=day(text(row, "Registration date")),
            provider=providers[normalise_provider_name(owner)] if owner else None,
        )
        settings.append(setting)
    settings = create(Setting, settings)
    for row, setting in zip(rows, settings, strict=True):
        if row[col["inspection_date"]]:
            inspections.append(
                Inspection(
                    setting=setting,
                    event_number=row[col["event_number"]],
                    inspection_date=day(row[col["inspection_date"]]),
                    overall=row[col["overall"]].lower().replace(" ", "_")[:30],
                )
            )
    create(Inspection, inspections)
    return {"seconds": time.perf_counter() - start}


def measure_simple_history(path: Path) -> dict:
    return measure_raw(path, with_history=True)


def measure_row_by_row(path: Path) -> dict:
    """django-import-export's default import: one row at a time, plain ModelResources."""
    import tablib
    from import_export import fields, resources, widgets

    from registers.models import Inspection, Provider, Setting

    col, rows = _parse_plainly(path)

    class ProviderResource(resources.ModelResource):
        class Meta:
            model = Provider
            fields = ("name",)
            import_id_fields = ("name",)

    class SettingResource(resources.ModelResource):
        provider = fields.Field(
            attribute="provider",
            column_name="provider",
            widget=widgets.ForeignKeyWidget(Provider, "name"),
        )

        class Meta:
            model = Setting
            fields = ("urn", "name", "provision_type", "local_authority", "provider")
            import_id_fields = ("urn",)

    class InspectionResource(resources.ModelResource):
        setting = fields.Field(
            attribute="setting",
            column_name="setting",
            widget=widgets.ForeignKeyWidget(Setting, "urn"),
        )
        inspection_date = fields.Field(
            attribute="inspection_date",
            column_name="inspection_date",
            widget=widgets.DateWidget("%d/%m/%Y"),
        )

        class Meta:
            model = Inspection
            fields = ("setting", "event_number", "inspection_date", "overall")
            import_id_fields = ("setting", "event_number")

    owners = sorted({row[col[OWNER]] for row in rows if row[col[OWNER]]})
    provider_data = tablib.Dataset(*[(name,) for name in owners], headers=["name"])
    setting_data = tablib.Dataset(
        *[
            (
                r[col["URN"]],
                r[col["Name"]],
                r[col["Provision type"]],
                r[col["Local authority"]],
                r[col[OWNER]] or None,
            )
            for r in rows
        ],
        headers=["urn", "name", "provision_type", "local_authority", "provider"],
    )
    inspection_data = tablib.Dataset(
        *[
            (
                r[col["URN"]],
                r[col["event_number"]],
                r[col["inspection_date"]],
                r[col["overall"]].lower().replace(" ", "_")[:30],
            )
            for r in rows
            if r[col["inspection_date"]]
        ],
        headers=["setting", "event_number", "inspection_date", "overall"],
    )
    start = time.perf_counter()
    for importer, dataset in (
        (ProviderResource(), provider_data),
        (SettingResource(), setting_data),
        (InspectionResource(), inspection_data),
    ):
        result = importer.import_data(dataset, dry_run=False, raise_errors=True)
        assert not result.has_errors()
    return {"seconds": time.perf_counter() - start}


def measure_again(path: Path) -> dict:
    """The same file imported a second time: it must change and record nothing."""
    from django.contrib.auth import get_user_model

    from registers.importing.specs.ofsted import OfstedSpec
    from registers.models import Inspection, Provider, Setting
    from registers.services.imports import import_file

    user = get_user_model().objects.create(username="bench", is_superuser=True)
    data = path.read_bytes()
    import_file(spec=OfstedSpec(), data=data, file_name=path.name, user=user)
    histories = [m.history.count() for m in (Provider, Setting, Inspection)]
    start = time.perf_counter()
    result = import_file(spec=OfstedSpec(), data=data, file_name=path.name, user=user)
    elapsed = time.perf_counter() - start
    assert result.written and result.total_written == 0, result.summary_lines()
    assert histories == [m.history.count() for m in (Provider, Setting, Inspection)]
    return {"seconds": elapsed}


MEASURES = {
    "again": measure_again,
    "ours": measure_ours,
    "raw": measure_raw,
    "history": measure_simple_history,
    "rowbyrow": measure_row_by_row,
}


def child(kind: str, url: str, path: str) -> None:
    setup_django(url)
    outcome = MEASURES[kind](Path(path))
    outcome["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(outcome))


def run_child(kind: str, url: str, path: Path, workdir: Path) -> dict:
    reset_database(url, workdir)
    completed = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--database", url, "--file", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        raise SystemExit(completed.stderr[-3000:])
    return json.loads(completed.stdout.strip().splitlines()[-1])


def measure_line(
    label: str, rows: int, path: Path, url: str, workdir: Path, repeat: int = 1
) -> str:
    ours, raw, history = ({"seconds": float("inf")} for _ in range(3))
    for _ in range(repeat):  # interleaved, so a busy spell slows all three alike
        ours = min(ours, run_child("ours", url, path, workdir), key=lambda o: o["seconds"])
        raw = min(raw, run_child("raw", url, path, workdir), key=lambda o: o["seconds"])
        history = min(history, run_child("history", url, path, workdir), key=lambda o: o["seconds"])
    slow = run_child("rowbyrow", url, path, workdir)
    again = run_child("again", url, path, workdir)
    return (
        f"| {label} | {rows:,} | {rows / ours['seconds']:,.0f} | {ours['peak_mb']:,.0f} | "
        f"{raw['seconds']:.2f} | {history['seconds']:.2f} | {ours['seconds']:.2f} | "
        f"**{ours['seconds'] / raw['seconds']:.2f}x** | "
        f"{ours['seconds'] / history['seconds']:.2f}x | {slow['seconds']:.1f} | "
        f"{slow['seconds'] / ours['seconds']:.0f}x | {again['seconds']:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--child")
    parser.add_argument("--file")
    parser.add_argument("--sizes", default="", help="also files of these many rows: 3500,35000")
    parser.add_argument("--xlsx-rows", type=int, default=0, help="also an xlsx of this many rows")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of the portal, raw and history: the best"
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.database, args.file)
        return

    workdir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    url = database_url(args.database, workdir)
    engine = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
    lines = [f"## Import benchmark on {engine}", ""]
    lines.append(
        "| file | rows | portal rows/s | portal peak MB | raw bulk_create s | "
        "simple-history bulk_create_with_history s | portal s | ratio to raw | "
        "ratio to simple-history | import-export row mode s | speed-up over row mode | "
        "re-import s (writes nothing) |"
    )
    lines.append(
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    _, real_rows = _parse_plainly(REAL_2023)
    lines.append(
        measure_line("Ofsted 31 March 2023", len(real_rows), REAL_2023, url, workdir, args.repeat)
    )
    print(lines[-1], flush=True)
    for size in [int(s) for s in args.sizes.split(",") if s]:
        header, rows = make_rows(size)
        path = workdir / f"ofsted_{size}.csv"
        transparency_csv_write(path, header, rows)
        lines.append(measure_line("2016 rows repeated", size, path, url, workdir))
        print(lines[-1], flush=True)
    if args.xlsx_rows:
        header, rows = make_rows(args.xlsx_rows)
        xlsx = workdir / f"ofsted_{args.xlsx_rows}.xlsx"
        write_xlsx(xlsx, header, rows)
        big = run_child("ours", url, xlsx, workdir)
        lines += [
            "",
            f"{args.xlsx_rows:,}-row xlsx: {big['seconds']:.1f} s, "
            f"peak memory {big['peak_mb']:,.0f} MB.",
        ]
    report = "\n".join(lines)
    print(report)
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / f"import-{engine.lower()}.md").write_text(report + "\n")


if __name__ == "__main__":
    main()
