"""Cut the test excerpts in fixtures/ofsted/ from Ofsted's published files.

Run by hand (never by the portal or the tests), from a directory holding the
files as published:

    python scripts/ofsted_excerpts.py ../shared/data/ofsted

Each excerpt keeps the file's own bytes: its BOM, title rows, header, line
endings and trailing blank rows, with tens of data rows chosen to cover each
quirk, and URNs that recur across the files so that importing one after
another can be tested (a second inspection; the status of exactly the leavers).
"""

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "ofsted"
FILES = {
    "providers_at_31_march_2016.csv": 1,
    "providers_at_31_march_2023.csv": 3,
    "joiners_leavers_2018.csv": 0,
    "joiners_leavers_2020.csv": 0,
    "joiners_leavers_2022.csv": 3,
}


class Source:
    def __init__(self, path: Path, header_row: int):
        raw = path.read_bytes()
        self.bom = raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8-sig")
        self.lines = text.splitlines(keepends=True)
        self.header_row = header_row
        self.header = next(csv.reader([self.lines[header_row]]))
        self.rows = []  # (line, cells) of the data rows
        for line in self.lines[header_row + 1 :]:
            cells = next(csv.reader(io.StringIO(line)), [])
            if any(cell.strip() for cell in cells):
                self.rows.append((line, cells))
        self.blank_tail = [line for line in self.lines[-3:] if not line.strip(",\r\n")]

    def col(self, name: str) -> int:
        return self.header.index(name)

    def pick(self, test, limit: int) -> list[tuple[str, list[str]]]:
        return [row for row in self.rows if test(row[1])][:limit]

    def write(self, name: str, picked) -> list[str]:
        seen, chosen = set(), []
        for line, cells in picked:
            if cells[self.col("URN")] not in seen:
                seen.add(cells[self.col("URN")])
                chosen.append(line)
        body = "".join(self.lines[: self.header_row + 1] + chosen + self.blank_tail)
        data = body.encode("utf-8")
        (OUT / name).write_bytes((b"\xef\xbb\xbf" if self.bom else b"") + data)
        return sorted(seen)


def main(source_dir: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    src = {name: Source(source_dir / name, row) for name, row in FILES.items()}
    p16, p23 = src["providers_at_31_march_2016.csv"], src["providers_at_31_march_2023.csv"]
    j18, j20, j22 = (src[f"joiners_leavers_{y}.csv"] for y in (2018, 2020, 2022))
    urn = lambda s: s.col("URN")  # noqa: E731

    # 2023: the quirks, and settings the 2016 excerpt also has (with a changed rating).
    u16 = {cells[urn(p16)] for _, cells in p16.rows}
    ev, ov = (
        p23.col("Latest full inspection event type"),
        p23.col("Overall experiences and progress of children and young people"),
    )
    events = {}
    for _, cells in p23.rows:
        events.setdefault(cells[p23.col("Latest full inspection event number")], []).append(cells)
    shared_event = {n for n, group in events.items() if len(group) > 1}
    ov16 = {cells[urn(p16)]: cells[p16.col("Overall effectiveness")] for _, cells in p16.rows}
    picked23 = (
        p23.pick(lambda c: c[ev] != "Full inspection", 5)
        + p23.pick(lambda c: c[p23.col("Registration status")] == "Suspended", 3)
        + p23.pick(lambda c: c[p23.col("Multi-building children's home")], 3)
        + p23.pick(lambda c: c[p23.col("Short-break-only children's home")], 3)
        + p23.pick(lambda c: c[p23.col("Provision type")] == "Children's Home", 2)
        + p23.pick(lambda c: c[p23.col("Provision type")] == "Secure Training Centre", 1)
        + p23.pick(lambda c: c[p23.col("Latest full inspection event number")] in shared_event, 3)
        + p23.pick(lambda c: c[ov] == "Inadequate", 2)
        + p23.pick(
            lambda c: (
                c[urn(p23)] in u16
                and ov16[c[urn(p23)]] == "Outstanding"
                and c[ov] in ("Inadequate", "Requires improvement to be good")
            ),
            4,
        )  # fmt: skip
        + p23.pick(
            lambda c: (
                c[urn(p23)] in u16
                and ov16[c[urn(p23)]] == "Requires improvement"
                and c[ov] in ("Good", "Outstanding")
            ),
            4,
        )  # fmt: skip
    )
    u23 = set(p23.write("providers_2023_excerpt.csv", picked23))

    # Leavers of each year that the 2016 excerpt has, and joiners the 2023 excerpt has.
    leavers = {}
    for year, jl in ((2018, j18), (2020, j20), (2022, j22)):
        leaver = jl.col("Leaver status")
        leavers[year] = [
            cells[urn(jl)] for _, cells in jl.rows if cells[leaver] and cells[urn(jl)] in u16
        ][:3]

    o16 = p16.col("Overall effectiveness")
    picked16 = (
        p16.pick(lambda c: c[urn(p16)] in u23, 12)
        + p16.pick(lambda c: c[urn(p16)] in sum(leavers.values(), []), 9)
        + p16.pick(lambda c: c[o16] == "Adequate", 2)
        + p16.pick(lambda c: c[o16] == "Satisfactory", 1)
        + p16.pick(lambda c: c[o16] == "Requires Improvement", 2)
        + p16.pick(lambda c: c[p16.col("Provision type")] == "Children's Home", 2)
        + p16.pick(lambda c: "Not judged" in c, 1)
        + p16.pick(lambda c: c[p16.col("Short breaks only children's home")] == "Yes", 2)
    )
    p16.write("providers_2016_excerpt.csv", picked16)

    status18 = j18.col("Registration status (as at @enddate)")
    picked18 = (
        j18.pick(lambda c: c[urn(j18)] in leavers[2018], 3)
        + j18.pick(lambda c: c[status18] == "Cancelled", 2)
        + j18.pick(lambda c: c[status18] == "Closed", 1)
        + j18.pick(lambda c: c[j18.col("Joiner status")] and c[j18.col("Leaver status")], 2)
        + j18.pick(lambda c: c[j18.col("Joiner status")], 5)
        + j18.pick(lambda c: not c[j18.col("Ofsted Region")], 1)
    )
    j18.write("joiners_leavers_2018_excerpt.csv", picked18)

    status20 = j20.col("Registration status at 31 March 2020")
    picked20 = (
        j20.pick(lambda c: c[urn(j20)] in leavers[2020], 3)
        + j20.pick(lambda c: c[status20] == "Suspended", 2)
        + j20.pick(lambda c: c[status20] == "Cancelled", 2)
        + j20.pick(lambda c: c[j20.col("Provision type")] == "Secure Training Centre", 1)
        + j20.pick(lambda c: c[j20.col("Joiner status")] and c[urn(j20)] in u23, 3)
        + j20.pick(lambda c: c[j20.col("Joiner status")], 4)
    )
    j20.write("joiners_leavers_2020_excerpt.csv", picked20)

    status22 = j22.col("Registration status (as at 31 March 2022)")
    picked22 = (
        j22.pick(lambda c: c[urn(j22)] in leavers[2022], 3)
        + j22.pick(lambda c: c[j22.col("Short-break-only children's home")], 1)
        + j22.pick(lambda c: c[status22] == "Suspended", 1)
        + j22.pick(lambda c: c[j22.col("Leaver status")] and c[status22] == "Active", 1)
        + j22.pick(lambda c: c[status22] == "Cancelled", 2)
        + j22.pick(lambda c: c[j22.col("Joiner status")] and c[urn(j22)] in u23, 3)
        + j22.pick(lambda c: c[j22.col("Joiner status")], 4)
    )
    j22.write("joiners_leavers_2022_excerpt.csv", picked22)
    print({year: urns for year, urns in leavers.items()})


if __name__ == "__main__":
    main(Path(sys.argv[1]))
