#!/usr/bin/env python3
"""Summary declaration benchmark (issue: the export half and the money).

Builds a SQLite store on tmpfs holding N cleared export inventories of one enterprise and one month (CEB603,
statisticsFlag B, spread over five destination countries, three HS codes and two transport modes, 100 per
message as customs takes them), then measures in one run:
  * baseline: `clearance validate` of the same messages (reading and decoding them once: what summarize must
    at least do, since it reads each inventory's goods back from its stored message);
  * `clearance summarize --dry-run --format json` over the store (selecting, grouping and summing).
Prints wall times, the ratio baseline/summarize and peak RSS of each.

The inventories are marked cleared (899) directly in the store: the receipts that would clear them are not
what is measured here (the ingest and receipt benchmarks measure those).

Usage: python3 Benchmarks/bench_summarize.py [--count 100000] [--config release|debug] [--dir /dev/shm/...]
"""
import argparse, os, re, shutil, sqlite3, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "samples/valid/CEB603-export-inventory.xml")


def measure(argv):
    """Wall seconds, peak RSS (MB) and the output of one run (written to a file: a pipe would fill and block)."""
    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            sys.exit(f"{argv[:3]} failed with exit code {code}: {proc.stderr.read().decode()[:800]}")
        out.seek(0)
        return wall, usage.ru_maxrss / 1024.0, out.read()


def messages(count, directory):
    """Writes the batch as messages of 100 inventories; returns their paths."""
    text = open(SAMPLE, encoding="utf-8").read()
    start, end = text.index("<ceb:Inventory>"), text.index("</ceb:Inventory>") + len("</ceb:Inventory>")
    head, document, tail = text[:start], text[start:end], text[end:]
    document = document.replace("<ceb:statisticsFlag>A</ceb:statisticsFlag>", "<ceb:statisticsFlag>B</ceb:statisticsFlag>")
    countries, codes = ["143", "344", "116", "502", "303"], ["0902301000", "6911101100", "0902109000"]
    paths = []
    for m in range(0, count, 100):
        body = []
        for i in range(m, min(m + 100, count)):
            d = document
            d = re.sub(r"<ceb:guid>[^<]*</ceb:guid>", f"<ceb:guid>{i:08X}-0000-4000-8000-{i:012X}</ceb:guid>", d, count=1)
            d = d.replace("DH202611250088", f"DH{i:012d}").replace("MWX2026112500088", f"MWX{i:013d}")
            d = d.replace("DHQD202611260088", f"DHQD{i:012d}")
            d = d.replace("<ceb:country>143</ceb:country>", f"<ceb:country>{countries[i % 5]}</ceb:country>", 1)
            d = d.replace("<ceb:trafMode>2</ceb:trafMode>", f"<ceb:trafMode>{2 + i % 2}</ceb:trafMode>")
            d = d.replace("<ceb:gcode>0902301000</ceb:gcode>", f"<ceb:gcode>{codes[i % 3]}</ceb:gcode>")
            body.append(d)
        guid = f"{m:08X}-1111-4000-8000-{m:012X}"
        message = re.sub(r'guid="[^"]*"', f'guid="{guid}"', head, count=1) + "\n".join(body) + tail
        path = os.path.join(directory, f"CEB603-{m // 100:05d}.xml")
        open(path, "w", encoding="utf-8").write(message)
        paths.append(path)
    return paths


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--config", default="release", choices=["release", "debug"])
    parser.add_argument("--dir", default=None, help="work directory (default: a fresh one on /dev/shm)")
    args = parser.parse_args()
    subprocess.run(["swift", "build", "-c", args.config, "--product", "clearance"], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    binary = os.path.join(ROOT, ".build", args.config, "clearance")
    work = args.dir or tempfile.mkdtemp(prefix="bench-summarize-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    os.makedirs(work, exist_ok=True)
    try:
        paths = messages(args.count, work)
        store = os.path.join(work, "store.db")
        subprocess.run([binary, "ingest", "--store", "sqlite://" + store, "--quiet"] + paths, check=True,
                       stdout=subprocess.DEVNULL, env=dict(os.environ, CLEARANCE_BUYER_ID_SALT="bench-summarize-salt"))
        db = sqlite3.connect(store)
        cleared = db.execute("UPDATE declarations SET status = '899' WHERE kind = 'export-inventory'").rowcount
        db.commit()
        db.close()
        if cleared != args.count:
            sys.exit(f"expected {args.count} export inventories in the store, found {cleared}")

        base_wall, base_rss, _ = measure([binary, "validate", "--format", "json"] + paths)
        wall, rss, out = measure([binary, "summarize", "--store", "sqlite://" + store, "--ebc", "91350526MA8U2F0N32",
                                  "--period", "2026-11", "--dry-run", "--format", "json"])
        text = out.decode("utf-8", "replace")
        declarations = text.count('"inventories"')
        print(f"summarize bench: {args.count} cleared inventories, {len(paths)} messages, {args.config} build, {work}")
        print(f"  baseline validate (decode once): {base_wall:.2f} s, peak {base_rss:.0f} MB")
        print(f"  summarize --dry-run:             {wall:.2f} s, peak {rss:.0f} MB, {declarations} declaration(s) formed")
        print(f"  ratio baseline/summarize: {base_wall / wall:.2f} (1.0 = summarising costs one decode of the inventories)")
    finally:
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
