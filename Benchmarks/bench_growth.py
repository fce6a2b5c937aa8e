#!/usr/bin/env python3
"""Cost as the store grows (issue 15, "flat cost").

In one run, into ONE throwaway PostgreSQL database (and optionally one SQLite file):
  1. generates batch k of N CEB621 inventories (scripts/generate-batch.py --first k*N: keys of its own,
     so nothing is a duplicate of an earlier batch), outside the timing;
  2. `clearance ingest --route --quiet` of it: parse, validate, store, then the clearance flow for
     every document (each inventory looks for its order, payment and waybill, finds none and waits);
  3. prints the wall time and peak RSS of each batch, the rows stored so far, and the ratio of the
     last batch's time to the first's.
Target: the tenth batch within 20 % of the first (ratio <= 1.2).

The baseline is the first batch of the same run on the same machine: the ratio is what grows with
history (index depth, the awaiting lookups, dedupe keys), not the machine's speed.

Usage: python3 Benchmarks/bench_growth.py [--count N] [--batches K] [--binary PATH] [--work DIR] [--sqlite]
"""
import argparse, os, shutil, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_ingest import Postgres, SALT, ROOT, measure, run  # noqa: E402


def find_binary(explicit, scratch):
    if explicit:
        return explicit
    print("building clearance (release) ...", flush=True)
    run(["swift", "build", "-c", "release", "--scratch-path", scratch, "--product", "clearance"], cwd=ROOT,
        stdout=subprocess.DEVNULL)
    return run(["swift", "build", "-c", "release", "--scratch-path", scratch, "--show-bin-path"], cwd=ROOT,
               capture_output=True, text=True).stdout.strip() + "/clearance"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000, help="inventories per batch")
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--binary", help="use this clearance executable instead of building one (release)")
    parser.add_argument("--scratch-path", default=os.path.join(ROOT, ".build"))
    parser.add_argument("--work", help="directory for the generated batches (default: a temp dir, removed)")
    parser.add_argument("--sqlite", action="store_true", help="also grow one SQLite file the same way")
    args = parser.parse_args()

    binary = find_binary(args.binary, args.scratch_path)
    work = args.work or tempfile.mkdtemp(prefix="clearance-bench-growth-")
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, CLEARANCE_BUYER_ID_SALT=SALT.decode())
    pg = Postgres()
    stores = [("PostgreSQL", pg.url("growth"))]
    if args.sqlite:
        db = os.path.join(work, "growth.sqlite")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        stores.append(("SQLite", "sqlite:" + db))
    times = {name: [] for name, _ in stores}
    try:
        pg.createdb("growth")
        for _, url in stores:
            measure([binary, "stats", "--store", url], env=env)  # migrate outside the timing
        print(f"{'batch':>5} {'store':>10} {'wall s':>8} {'decl/s':>9} {'RSS MB':>7} {'declarations stored':>20}")
        for k in range(args.batches):
            batch = os.path.join(work, f"CEB621-{k}.xml")
            run([sys.executable, os.path.join(ROOT, "scripts/generate-batch.py"), "--type", "CEB621",
                 "--count", str(args.count), "--first", str(k * args.count), "--seed", str(20261125 + k), "--out", batch],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for name, url in stores:
                wall, rss, out = measure([binary, "ingest", "--route", "--quiet", "--store", url, batch], env=env)
                times[name].append(wall)
                stored, parts = "-", ""
                if name == "PostgreSQL":
                    stored = pg.psql("growth", "-At", "-c", "SELECT count(*) FROM declarations").strip()
                    # Lines by partition: those in the default one were not foreseen by the partitions made ahead.
                    parts = pg.psql("growth", "-At", "-F", " ", "-c",
                                    "SELECT count(*) FILTER (WHERE detached_at IS NULL), "
                                    "(SELECT count(*) FROM declaration_lines_default) FROM store_partitions "
                                    "WHERE parent_table = 'declaration_lines'").strip()
                    parts = "   line partitions %s, lines in default %s" % tuple(parts.split())
                print(f"{k + 1:>5} {name:>10} {wall:8.2f} {args.count / wall:9,.0f} {rss:7.1f} {stored:>20}{parts}", flush=True)
                if k == 0:
                    print(f"      {out.splitlines()[-1][:160] if out else ''}")
            os.remove(batch)
    finally:
        pg.stop()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)

    ok = True
    print()
    for name, series in times.items():
        ratio = series[-1] / series[0]
        best_first = min(series[:2]) if len(series) > 1 else series[0]
        print(f"{name}: batch {len(series)} / batch 1 = {ratio:.2f}× (target <= 1.2); "
              f"last / best of the first two = {series[-1] / best_first:.2f}×")
        ok = ok and ratio <= 1.2
    print("RESULT:", "PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
