#!/usr/bin/env python3
"""Throughput of the clearance flow and delivery latency, end to end with real processes.

    python3 Benchmarks/bench_flow.py [--shipments 250] [--store sqlite|postgresql://…] [--jobs N] [--binary PATH]
                                      [--worker-batch 64] [--http-concurrency 8] [--partitions K]

Generates N retail imports (order, payment, waybill, inventory: 4 × N messages) from the Pingtan
samples with fresh guids/numbers/buyers, starts `clearance simulate-customs --port 0` (the
receiver), a `clearance deliver` worker, then times `clearance submit --jobs N` of every message (validation,
life cycle, three-document match, quota, tax, routing, store + outbox in one transaction) and the
time until the outbox is empty. The worker reports queue-to-delivered latency percentiles (signing
with a P-256 service key and dxp wrapping included). Prints:

    flow: N messages in S s → X messages/s (submit, one process)
    delivery: … messages/s; latency p50 … ms, p99 … ms
    CPU per message: submit …, worker …, receiver …, PostgreSQL … ms; total … ms → at most … messages/s on C cores

The CPU figures say where the machine's time goes: every party runs on the same cores, so the sum per
message bounds the rate whatever the store does (PostgreSQL's: every `postgres` process on the
machine, the ones that ended during the run included, so run it with no other database work).

With `--partitions K` (PostgreSQL) the store gets K partitions made ahead before the flow, each
spanning an equal share of the flow's message (and declaration) ids, so every hot statement meets K
partitions as it would on a store keeping K periods of history; run it beside a run without, on a
fresh database each, and compare.

Nothing is asserted: figures only. Uses the release binary when built
(`swift build -c release --product clearance`), else the debug one.
"""
import argparse
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(first17):
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def find_binary(explicit):
    if explicit:
        return explicit
    for scratch in (".build",):
        for config in ("release", "debug"):
            path = os.path.join(ROOT, scratch, config, "clearance")
            if os.access(path, os.X_OK):
                return path
    sys.exit("no clearance binary: run swift build -c release --product clearance")


def cpu_seconds(pid, children=False):
    """User + system CPU seconds of a live process (with its reaped children's, if asked); 0 if gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / CLOCK_TICKS


def postgres_cpu():
    """CPU seconds of every `postgres` process, with the backends its postmasters have reaped."""
    total = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
        except OSError:
            continue
        total += cpu_seconds(pid, children=True)
    return total


def shipments(n, out):
    samples = {k: open(os.path.join(ROOT, "samples", f), encoding="utf-8").read() for k, f in (
        ("order", "valid/CEB311-order.xml"), ("payment", "valid/CEB411-payment.xml"),
        ("waybill", "valid/CEB511-logistics.xml"), ("inventory", "unsigned/CEB621-inventory.xml"))}
    guid_re = re.compile(r'(guid="|<ceb:guid>)[0-9A-Fa-f-]{36}')
    files = []
    for i in range(n):
        repl = [("PTQD202611250001", "PTQD2026%08d" % i), ("PT202611250001", "PT2026%08d" % i),
                ("LD350128000112501", "LD35012800%07d" % i), ("35162026I000012345", "35162026I%09d" % i),
                ("B20261125000012345", "B2026%013d" % i), ("HXPAY2026112509351200001", "HXPAY2026%015d" % i),
                ("350128199003070024", resident_id("3501281990%07d" % i))]
        for kind in ("order", "payment", "waybill", "inventory"):
            text = samples[kind]
            for a, b in repl:
                text = text.replace(a, b)
            text = guid_re.sub(lambda m: m.group(1) + str(uuid.uuid4()).upper(), text)
            path = os.path.join(out, "%06d-%s.xml" % (i, kind))
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            files.append(path)
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shipments", type=int, default=250)
    ap.add_argument("--store", default="sqlite")
    ap.add_argument("--binary")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--worker-batch", type=int, default=64, help="rows the delivery worker claims per round (deliver --batch)")
    ap.add_argument("--http-concurrency", type=int, default=8, help="the destination's HTTP requests in flight at once")
    ap.add_argument("--jobs", type=int, default=1,
                    help="messages `clearance submit` takes at once (group commit shares their transactions)")
    ap.add_argument("--partitions", type=int, default=0,
                    help="PostgreSQL: make this many partitions (1–24) ahead before the flow, each spanning an equal "
                         "share of its messages' ids, so the flow runs across them as it would on a store with history")
    args = ap.parse_args()
    if args.partitions and (args.store == "sqlite" or not 1 <= args.partitions <= 24):
        sys.exit("--partitions takes 1–24, on a PostgreSQL store")
    binary = find_binary(args.binary)
    work = tempfile.mkdtemp(prefix="clearance-bench-flow-")
    store = "sqlite:" + os.path.join(work, "store.sqlite") if args.store == "sqlite" else args.store
    msgs = os.path.join(work, "messages")
    os.makedirs(msgs)
    files = shipments(args.shipments, msgs)
    subprocess.run(["openssl", "ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", work + "/key.pem"], check=True)
    subprocess.run(["openssl", "req", "-x509", "-new", "-key", work + "/key.pem", "-subj", "/CN=Clearance bench",
                    "-days", "2", "-out", work + "/cert.pem"], check=True, capture_output=True)

    sim = subprocess.Popen([binary, "simulate-customs", "--port", "0", "--step-delay", "0"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = sim.stdout.readline()
    port = int(re.search(r":(\d+)/ceb", line).group(1))
    rules = os.path.join(work, "routes.yaml")
    with open(rules, "w") as f:
        f.write(f"""version: 1
senderId: DXPENT0000000001
destinations:
  customs:
    http: {{url: "http://127.0.0.1:{port}/ceb", timeoutSeconds: 10, concurrency: {args.http_concurrency}}}
    profile: standard
    envelope: dxp
    receiverId: DXPEDCCEB0000001
rules:
  - name: all
    match: {{messageType: [CEB311, CEB411, CEB511, CEB621]}}
    to: customs
""")
    common = ["--store", store, "--rules", rules]
    file_list = os.path.join(work, "files.txt")
    with open(file_list, "w") as f:
        f.write("\n".join(files) + "\n")
    # Create and migrate the store before the worker starts polling it.
    subprocess.run([binary, "outbox", "list", "--store", store, "--limit", "1"], check=True, capture_output=True)
    if args.partitions:
        span = -(-len(files) // args.partitions)
        subprocess.run([binary, "partitions", "--store", store, "--partition-minimum-span", str(span),
                        "--partitions-ahead", str(args.partitions)], check=True, capture_output=True)
    worker = subprocess.Popen([binary, "deliver", *common, "--key", work + "/key.pem", "--cert", work + "/cert.pem",
                               "--idle", "0.01", "--batch", str(args.worker_batch)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        cpu_start = (cpu_seconds(worker.pid), cpu_seconds(sim.pid), postgres_cpu())
        reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        # A list, not thousands of arguments: the argument parser's cost grows with their square.
        submit = subprocess.Popen([binary, "submit", *common, "--timing", "--jobs", str(args.jobs), "--files-from", file_list],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        submit_out, submit_err = submit.communicate()
        flow_s = time.monotonic() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # The only child reaped meanwhile is the submitter.
        submit_cpu = (after.ru_utime + after.ru_stime) - (reaped.ru_utime + reaped.ru_stime)
        if submit.returncode != 0:
            print(submit_out[-2000:], submit_err[-2000:])
            sys.exit("submit failed")
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            pending = subprocess.run([binary, "outbox", "list", "--store", store, "--status", "pending", "--limit", "1"],
                                     capture_output=True, text=True).stdout
            inflight = subprocess.run([binary, "outbox", "list", "--store", store, "--status", "in-flight", "--limit", "1"],
                                      capture_output=True, text=True).stdout
            if "(none)" in pending and "(none)" in inflight:
                break
            time.sleep(0.1)
        total_s = time.monotonic() - start
        cpu_end = (cpu_seconds(worker.pid), cpu_seconds(sim.pid), postgres_cpu())
    finally:
        worker.send_signal(signal.SIGTERM)
        out, _ = worker.communicate(timeout=60)
        sim.send_signal(signal.SIGTERM)
        sim_out, _ = sim.communicate(timeout=60)
    n = len(files)
    print(f"binary: {binary}")
    print(f"store: {args.store}, {args.shipments} shipments = {n} messages"
          + (f", across {args.partitions} partitions made ahead ({-(-n // args.partitions)} ids each)" if args.partitions else ""))
    print(f"flow: {n} messages in {flow_s:.2f} s → {n / flow_s:.0f} messages/s (submit, one process, {args.jobs} at once, "
          f"worker running beside it)")
    print(f"delivery: all {n} delivered {total_s:.2f} s after the first submit → {n / total_s:.0f} messages/s end to end")
    print("worker: " + out.strip().splitlines()[-1] if out.strip() else "worker: (no summary)")
    print("receiver: " + (sim_out.strip().splitlines()[-1] if sim_out.strip() else "?"))
    # The `outbox list` polls while the queue drains are not counted (a few ms each, every 0.1 s).
    parts = [("submit", submit_cpu), ("worker", cpu_end[0] - cpu_start[0]), ("receiver", cpu_end[1] - cpu_start[1])]
    if args.store != "sqlite":
        parts.append(("PostgreSQL", cpu_end[2] - cpu_start[2]))
    total = sum(c for _, c in parts)
    cores = os.cpu_count() or 1
    print("CPU per message: " + ", ".join(f"{name} {1000 * c / n:.2f} ms" for name, c in parts)
          + f"; total {1000 * total / n:.2f} ms → at most {cores * n / total:.0f} messages/s on {cores} cores "
          f"(used {total / total_s:.2f} of them over the run)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
