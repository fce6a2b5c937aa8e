#!/usr/bin/env python3
"""Throughput of the clearance flow and delivery latency, end to end with real processes.

    python3 Benchmarks/bench_flow.py [--shipments 250] [--store sqlite|postgresql://…] [--jobs N] [--binary PATH]
                                      [--worker-batch 64] [--http-concurrency 8]

Generates N retail imports (order, payment, waybill, inventory: 4 × N messages) from the Pingtan
samples with fresh guids/numbers/buyers, starts `clearance simulate-customs --port 0` (the
receiver), a `clearance deliver` worker, then times `clearance submit --jobs N` of every message (validation,
life cycle, three-document match, quota, tax, routing, store + outbox in one transaction) and the
time until the outbox is empty. The worker reports queue-to-delivered latency percentiles (signing
with a P-256 service key and dxp wrapping included). Prints:

    flow: N messages in S s → X messages/s (submit, one process)
    delivery: … messages/s; latency p50 … ms, p99 … ms

Nothing is asserted: figures only. Uses the release binary when built
(`swift build -c release --product clearance`), else the debug one.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

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
    args = ap.parse_args()
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
    worker = subprocess.Popen([binary, "deliver", *common, "--key", work + "/key.pem", "--cert", work + "/cert.pem",
                               "--idle", "0.01", "--batch", str(args.worker_batch)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        start = time.monotonic()
        # A list, not thousands of arguments: the argument parser's cost grows with their square.
        submit = subprocess.run([binary, "submit", *common, "--timing", "--jobs", str(args.jobs), "--files-from", file_list],
                                capture_output=True, text=True)
        flow_s = time.monotonic() - start
        if submit.returncode != 0:
            print(submit.stdout[-2000:], submit.stderr[-2000:])
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
    finally:
        worker.send_signal(signal.SIGTERM)
        out, _ = worker.communicate(timeout=60)
        sim.send_signal(signal.SIGTERM)
        sim_out, _ = sim.communicate(timeout=60)
    n = len(files)
    print(f"binary: {binary}")
    print(f"store: {args.store}, {args.shipments} shipments = {n} messages")
    print(f"flow: {n} messages in {flow_s:.2f} s → {n / flow_s:.0f} messages/s (submit, one process, {args.jobs} at once, "
          f"worker running beside it)")
    print(f"delivery: all {n} delivered {total_s:.2f} s after the first submit → {n / total_s:.0f} messages/s end to end")
    print("worker: " + out.strip().splitlines()[-1] if out.strip() else "worker: (no summary)")
    print("receiver: " + (sim_out.strip().splitlines()[-1] if sim_out.strip() else "?"))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
