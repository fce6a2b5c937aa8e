#!/usr/bin/env python3
"""Releasing waiting inventories one by one (issue 15, "release the waiting ones as their documents arrive").

A platform's batch of N CEB621 inventories arrives before their payments; every inventory waits. Then
the payments come one at a time, each a single CEB411 message, and each releases one inventory of the
batch as a further part of it. In one run, on throwaway SQLite stores (under --work, /dev/shm by
default, so the disk's slow file creation is not what is measured):

  baseline: a store holding the orders and waybills only; the N payments go in (`clearance ingest
            --route`, --parallel processes at once, each with its share of the files): each is
            stored and routed, and releases nothing;
  release:  the same store plus the waiting batch; the same N payments go in the same way, each
            releasing one inventory of the batch.

Printed: both times, payments per second, the ratio (release / baseline) and how many inventories
still wait (0 expected). A release that decoded the whole batch again would grow with N (quadratic
overall: the ratio grows with N); one that reads only its own document keeps the ratio flat.

Orders and waybills are split per sender (`BaseTransfer/copCode` = the order's ebpCode, the waybill's
logisticsCode) and payments into single messages (copCode = payCode): the trust rules take a document
only from its own party.

Usage: python3 Benchmarks/bench_release.py [--count N] [--parallel P] [--binary PATH] [--work DIR]
"""
import argparse, os, re, shutil, subprocess, sys, tempfile, time, uuid, json

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_ingest import SALT, ROOT, measure, run  # noqa: E402
from bench_growth import find_binary  # noqa: E402

DOCUMENT = {"CEB311": "Order", "CEB411": "Payment", "CEB511": "Logistics", "CEB621": "Inventory"}
SENDER = {"CEB311": "ebpCode", "CEB411": "payCode", "CEB511": "logisticsCode"}


def generate(work, kind, count):
    path = os.path.join(work, f"{kind}.xml")
    run([sys.executable, os.path.join(ROOT, "scripts/generate-batch.py"), "--type", kind, "--count", str(count), "--out", path],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def split(path, kind, out_dir, single):
    """The documents of `path` as messages per sender (or one per document), each with a fresh guid
    and the sender's code in BaseTransfer. Returns the files written."""
    text = open(path, encoding="utf-8").read()
    element = DOCUMENT[kind]
    first = text.index(f"<ceb:{element}>")
    tail_at = text.index("<ceb:BaseTransfer>")
    head, body, tail = text[:first], text[first:tail_at], text[tail_at:]
    documents = re.findall(rf"<ceb:{element}>.*?</ceb:{element}>\n?", body, flags=re.S)
    groups = {}
    for i, document in enumerate(documents):
        sender = re.search(rf"<ceb:{SENDER[kind]}>([^<]+)<", document).group(1)
        groups.setdefault(i if single else sender, (sender, []))[1].append(document)
    os.makedirs(out_dir, exist_ok=True)
    files = []
    for key, (sender, docs) in groups.items():
        guid = str(uuid.uuid4()).upper()
        message = re.sub(r'guid="[^"]+"', f'guid="{guid}"', head, count=1) + "".join(docs) \
            + re.sub(r"<ceb:copCode>[^<]+</ceb:copCode>", f"<ceb:copCode>{sender}</ceb:copCode>", tail, count=1)
        name = os.path.join(out_dir, f"{kind}_{guid}.xml")
        with open(name, "w", encoding="utf-8") as f:
            f.write(message)
        files.append(name)
    return files


def ingest(binary, url, files, env):
    wall, _, out = measure([binary, "ingest", "--route", "--quiet", "--store", url] + files, env=env)
    return wall, out


def parallel_ingest(binary, url, files, env, parallel):
    """Wall time of ingesting `files` with `parallel` processes at once, each with its share."""
    shares = [files[i::parallel] for i in range(parallel)]
    start = time.monotonic()
    procs = [subprocess.Popen([binary, "ingest", "--route", "--quiet", "--store", url] + share, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for share in shares if share]
    for p in procs:
        _, err = p.communicate()
        if p.returncode not in (0, 1):
            # A crash's backtrace starts with what crashed and where, and ends with a list of images: keep both ends.
            text = err.decode(errors="replace")
            sys.exit(f"ingest failed ({p.returncode}): " + (text if len(text) <= 4000 else text[:3000] + "\n…\n" + text[-1000:]))
    return time.monotonic() - start


def waiting(binary, url, env):
    out = subprocess.run([binary, "stats", "--store", url, "--format", "json"], env=env, capture_output=True, text=True, check=True).stdout
    return sum(row["count"] for row in json.loads(out)["declarationsByKind"] if row["status"] == "awaiting documents")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2_000, help="inventories in the waiting batch (and payments)")
    parser.add_argument("--parallel", type=int, default=8, help="ingest processes at once for the payments")
    parser.add_argument("--binary", help="use this clearance executable instead of building one (release)")
    parser.add_argument("--scratch-path", default=os.path.join(ROOT, ".build"))
    parser.add_argument("--work", help="directory for batches and stores (default: a temp dir under /dev/shm, removed)")
    args = parser.parse_args()

    binary = find_binary(args.binary, args.scratch_path)
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    work = args.work or tempfile.mkdtemp(prefix="clearance-bench-release-", dir=base)
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, CLEARANCE_BUYER_ID_SALT=SALT.decode())
    try:
        batches = {kind: generate(work, kind, args.count) for kind in DOCUMENT}
        orders = split(batches["CEB311"], "CEB311", os.path.join(work, "orders"), single=False)
        waybills = split(batches["CEB511"], "CEB511", os.path.join(work, "waybills"), single=False)
        payments = split(batches["CEB411"], "CEB411", os.path.join(work, "payments"), single=True)
        size = os.path.getsize(batches["CEB621"]) / 1e6
        print(f"{args.count} inventories in one batch ({size:.1f} MB), {len(orders)} order and {len(waybills)} waybill "
              f"messages, {len(payments)} single payments, {args.parallel} ingest processes at once", flush=True)
        results = {}
        for name, with_batch in (("baseline", False), ("release", True)):
            url = "sqlite:" + os.path.join(work, f"{name}.sqlite")
            if with_batch:
                wall, _ = ingest(binary, url, [batches["CEB621"]], env)
                print(f"  {name}: the batch stored and routed in {wall:.2f} s; waiting: {waiting(binary, url, env)}", flush=True)
            ingest(binary, url, orders + waybills, env)
            wall = parallel_ingest(binary, url, payments, env, args.parallel)
            results[name] = wall
            print(f"  {name}: {len(payments)} payments in {wall:.2f} s ({len(payments) / wall:,.0f} msg/s); "
                  f"still waiting: {waiting(binary, url, env)}", flush=True)
        print(f"ratio release / baseline: {results['release'] / results['baseline']:.2f}x "
              f"({(results['release'] - results['baseline']) / len(payments) * 1000:.1f} ms more per release)")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
