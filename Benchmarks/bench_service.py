#!/usr/bin/env python3
"""Speed of `clearance serve` on PostgreSQL, against a plain libpq baseline, in one run.

    python3 Benchmarks/bench_service.py [--messages 30000] [--duration 15] [--connections 16]
                                         [--batch-docs 20000] [--binary PATH] [--stored 0,1000000,5000000]
                                         [--trickle N [--trickle-gap 0.3]] [--statements 12]

1. Starts a throwaway PostgreSQL (durable: fsync and synchronous_commit on, the defaults).
2. Starts `clearance serve --store postgresql://…` with a routing table that queues every order to
   a spool destination on /dev/shm (so each accepted message is: body read, XML parsed and validated,
   signature verified against the sender's registered certificate, life-cycle check, stored with its
   declaration, event and outbox row in one committed transaction, answer stored for duplicates).
3. wrk (Debian package; installed if missing) POSTs pre-signed, distinct CEB311 orders to
   /v1/messages with --latency: accepted messages per second, p50 / p99 latency. With --stored,
   once per store size: generated CEB311 orders (100,000 per batch, keys of their own) are ingested
   until that many are stored, then wrk runs again with orders of its own (growth: the rate with
   1 and 5 million stored against the first). With --statements N, each level also prints the N
   statements PostgreSQL spent most time on (pg_stat_statements, reset before each level), and every
   level prints the partitions attached to each partitioned table.
4. The same number of plain single-row INSERT transactions through libpq (C, autocommit, one
   connection per thread, as many threads as the service's pool): inserts per second, and the ratio.
5. Uploads a generated batch (scripts/generate-batch.py) to /v1/batches, plain and gzip: MB/s.

Nothing is asserted: figures only. Uses the release binary when built
(`swift build -c release --product clearance`), else the debug one.
"""
import argparse
import glob
import json
import os
import signal
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
PLATFORM = "91350128MA8T4K2Q5P"
SEPARATOR = "\n@@CLEARANCE@@\n"


def resident_id(first17):
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def sh(args, **kw):
    result = subprocess.run(args, **kw)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(args[:6])}…")
    return result


def as_root_or_sudo(args):
    return args if os.geteuid() == 0 else ["sudo"] + args


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("installing wrk (Debian package)…", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # A fresh machine's package lists may be empty: refresh them when the first try finds nothing.
    install = as_root_or_sudo(["apt-get", "install", "-y", "-qq", "wrk"])
    if subprocess.run(install, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
        sh(as_root_or_sudo(["apt-get", "update", "-qq"]), env=env, stdout=subprocess.DEVNULL)
        sh(install, env=env, stdout=subprocess.DEVNULL)


def find_binary(explicit):
    if explicit:
        return explicit
    for config in ("release", "debug"):
        for scratch in (".build",):
            path = os.path.join(ROOT, scratch, config, "clearance")
            if os.access(path, os.X_OK):
                return path
    sys.exit("no clearance binary: run swift build -c release --product clearance")


class Postgres:
    def __init__(self, tmp, statements=False):
        self.dir = os.path.join(tmp, "pg")
        os.makedirs(self.dir)
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(tmp, "postgres")
            shutil.chown(self.dir, "postgres")
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip() \
            if shutil.which("pg_config") else ""
        if not os.access(os.path.join(bindir, "initdb"), os.X_OK):
            bindir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        self.bin = bindir
        self.port = 20000 + os.getpid() % 30000
        self.run("initdb", "-D", self.dir + "/data", "-A", "trust", "-U", "clearance", "-E", "UTF8")
        opts = f"-c listen_addresses='' -k {self.dir} -p {self.port} -c max_connections=100 -c shared_buffers=256MB"
        if statements:
            opts += " -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on"
        self.run("pg_ctl", "-D", self.dir + "/data", "-l", self.dir + "/log", "-w", "-o", opts, "start")
        self.url = f"postgresql://clearance@/postgres?host={self.dir}&port={self.port}"
        self.conninfo = f"host={self.dir} port={self.port} user=clearance dbname=postgres"

    def run(self, tool, *args):
        cmd = [os.path.join(self.bin, tool), *args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        sh(cmd, stdout=subprocess.DEVNULL, cwd="/tmp")

    def stop(self):
        try:
            self.run("pg_ctl", "-D", self.dir + "/data", "-m", "fast", "-w", "stop")
        except subprocess.CalledProcessError:
            pass


class ExistingPostgres:
    """A server the caller runs (socket and data directory under `directory`); left running."""
    def __init__(self, directory, port):
        self.dir = directory
        self.url = f"postgresql://clearance@/postgres?host={directory}&port={port}"
        self.conninfo = f"host={directory} port={port} user=clearance dbname=postgres"

    def stop(self):
        pass


def make_orders(n, directory, first=0):
    template = open(os.path.join(ROOT, "samples/valid/CEB311-order.xml"), encoding="utf-8").read()
    guid_re = re.compile(r'(guid="|<ceb:guid>)[0-9A-Fa-f-]{36}')
    os.makedirs(directory)
    files = []
    for i in range(first, first + n):
        text = template.replace("PT202611250001", "PB2026%08d" % i)
        text = text.replace("350128199003070024", resident_id("3501281990%07d" % (i % 10_000_000)))
        text = text.replace("HXPAY2026112509351200001", "HXPAY2026%015d" % i)
        text = guid_re.sub(lambda m: m.group(1) + str(uuid.uuid4()).upper(), text)
        path = os.path.join(directory, "o%06d.xml" % i)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        files.append(path)
    return files


def clearance(binary, *args, store):
    return subprocess.run([binary, *args, "--store", store], check=True, capture_output=True, text=True).stdout.strip()


WRK_SCRIPT = r"""
local threads = {}
-- globals (not locals): done() reads them from each thread with thread:get
counter, accepted, other = 0, 0, 0
bodies = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  local f = assert(io.open(os.getenv("BENCH_BODIES"), "rb"))
  local data = f:read("*a")
  f:close()
  local sep = os.getenv("BENCH_SEPARATOR")
  local n = tonumber(os.getenv("BENCH_THREADS"))
  local pos, index = 1, 0
  while true do
    local s, e = string.find(data, sep, pos, true)
    local chunk = s and string.sub(data, pos, s - 1) or string.sub(data, pos)
    if index % n == id and #chunk > 0 then table.insert(bodies, chunk) end
    index = index + 1
    if not s then break end
    pos = e + 1
  end
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
  wrk.headers["Content-Type"] = "application/xml"
end
function request()
  counter = counter + 1
  return wrk.format("POST", "/v1/messages", nil, bodies[((counter - 1) % #bodies) + 1])
end
function response(status, headers, body)
  if status == 202 and headers["X-Clearance-Duplicate"] == nil then accepted = accepted + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local a, o = 0, 0
  for _, t in ipairs(threads) do a = a + t:get("accepted"); o = o + t:get("other") end
  io.write(string.format("ACCEPTED %d OTHER %d\n", a, o))
end
"""


def cpu_seconds(pids):
    """User + system CPU seconds of the given processes (from /proc; gone processes count 0)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / tick


def postgres_pids(data_dir):
    """The postmaster of `data_dir` and its children (backends, WAL writer, checkpointer…)."""
    with open(os.path.join(data_dir, "postmaster.pid")) as f:
        master = int(f.readline())
    children = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    return [master] + [int(c) for c in children]


def wait_health(base, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit("the service did not become ready")


def upload(base, key, path, gzip=False):
    """Uploads a batch and waits until it is stored: the service answers 202 (status "receiving")
    after the first MiB, so the time runs until GET /v1/batches/{id} shows it completed."""
    started = time.time()
    args = ["curl", "-s", "-w", "\n%{http_code}", "-H", f"Authorization: Bearer {key}",
            "-H", "Content-Type: application/xml", "--data-binary", "@" + path, base + "/v1/batches"]
    if gzip:
        args += ["-H", "Content-Encoding: gzip"]
    body, code = subprocess.run(args, capture_output=True, text=True, check=True).stdout.rsplit("\n", 1)
    status = json.loads(body).get("status") if code == "202" else None
    batch_id = json.loads(body).get("id") if code == "202" else None
    while status == "receiving":
        time.sleep(0.05)
        request = urllib.request.Request(base + "/v1/batches/" + batch_id, headers={"Authorization": f"Bearer {key}"})
        with urllib.request.urlopen(request, timeout=10) as r:
            status = json.loads(r.read()).get("status")
    if status not in (None, "completed"):
        code = "500"
    return int(code), time.time() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=30000, help="distinct signed orders prepared for wrk")
    parser.add_argument("--duration", type=int, default=15, help="wrk seconds")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--pool", type=int, default=16, help="the service's PostgreSQL connections, and the baseline's")
    parser.add_argument("--batch-docs", type=int, default=20000)
    parser.add_argument("--binary")
    parser.add_argument("--stored", default="0",
                        help="comma-separated store sizes: before each wrk run, generated orders are ingested until this many "
                        "are stored (e.g. 0,1000000,5000000 for the growth figures)")
    parser.add_argument("--spool-parent", default="/dev/shm" if os.path.isdir("/dev/shm") else None,
                        help="where the spool destination's directory is made (default /dev/shm; the temp dir if absent)")
    parser.add_argument("--pg-dir", help="use the running PostgreSQL whose socket directory (and data_dir/data) is this "
                        "instead of a throwaway one (e.g. one started with pg_stat_statements)")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--trickle", type=int, default=0,
                        help="after the wrk runs, POST this many orders one at a time with --trickle-gap between them, "
                             "each timed from its answer to its file in the spool destination (delivery latency of "
                             "an idle service: the worker's poll or its wake-up)")
    parser.add_argument("--trickle-gap", type=float, default=0.3, help="seconds between trickled orders")
    parser.add_argument("--statements", type=int, default=0,
                        help="load pg_stat_statements in the throwaway PostgreSQL and print, for each level, this many "
                        "statements that took most of its time (with --pg-dir, the server must load it already)")
    parser.add_argument("--perf", help="record the server with `perf record -g` into this file")
    parser.add_argument("--serve-arg", action="append", default=[],
                        help="an extra argument for `clearance serve` (repeat; e.g. --serve-arg=--group-commit-max=1 "
                        "to measure without group commit)")
    args = parser.parse_args()
    ensure_wrk()
    binary = find_binary(args.binary)
    print(f"binary: {binary}", flush=True)
    tmp = tempfile.mkdtemp(prefix="clearance-bench-service-")
    os.chmod(tmp, 0o755)
    pg = ExistingPostgres(args.pg_dir, args.pg_port) if args.pg_dir else Postgres(tmp, statements=args.statements > 0)
    server = None
    spool = None
    try:
        store = pg.url
        # Accounts: the platform (signed single messages) and the batch's merchant.
        key_pem, cert_pem = os.path.join(tmp, "platform.key"), os.path.join(tmp, "platform.crt")
        sh(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=Pingtan platform", "-keyout", key_pem, "-out", cert_pem], stderr=subprocess.DEVNULL)
        clearance(binary, "enterprise", "add", PLATFORM, "--name", "Pingtan platform", "--role", "system", store=store)
        clearance(binary, "enterprise", "cert", "register", PLATFORM, cert_pem, store=store)
        platform_key = clearance(binary, "enterprise", "key", "create", PLATFORM, store=store)

        port = 18000 + os.getpid() % 1000
        base = f"http://127.0.0.1:{port}"
        # The destination is a spool directory: on tmpfs by default, since this machine's disk takes
        # ~300 µs to create a file (12 % of the service's CPU profile went to ext4_create), which is
        # the disk, not Clearance. PostgreSQL's data (the durable commits) stays where it is.
        spool = tempfile.mkdtemp(prefix="clearance-bench-spool-", dir=args.spool_parent)
        print(f"spool destination: {spool}; PostgreSQL data: {pg.dir}", flush=True)
        routes = os.path.join(tmp, "routes.yaml")
        with open(routes, "w") as f:
            f.write(f"""version: 1
senderId: DXPENT0000000001
destinations:
  customs:
    spool:
      outbox: {spool}
    profile: standard
    envelope: none
rules:
  - name: orders
    match:
      messageType: [CEB311]
    to: [customs]
""")
        prefix = ["perf", "record", "-F", "499", "-g", "-o", args.perf, "--"] if args.perf else []
        server = subprocess.Popen(prefix + [binary, "serve", "--store", store, "--port", str(port), "--rules", routes,
                                   "--rate", "1000000", "--pool", str(args.pool), "--max-batch-bytes", str(4 << 30),
                                   *args.serve_arg],
                                  stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "serve.log"), "w"))
        wait_health(base)

        levels = [int(x) for x in args.stored.split(",")]
        runs = []
        stored = 0
        for level, target in enumerate(levels):
            before = stored
            stored = prefill(binary, store, tmp, stored, target)
            if stored > before:
                settle(pg)
            bodies, message_bytes = prepare_bodies(binary, tmp, args, key_pem, cert_pem, level)
            runs.append((stored, message_bytes) + measure_wrk(args, tmp, base, pg, server, bodies, platform_key))
            print("  partitions attached: " + psql(pg, "-c", """
                SELECT string_agg(parent || ' ' || n, ', ' ORDER BY parent) FROM (
                    SELECT p.relname AS parent, count(*) AS n FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                    WHERE p.relkind = 'p' GROUP BY p.relname) t""").strip(), flush=True)
        accepted = max(r[2] for r in runs)
        with urllib.request.urlopen(base + "/metrics", timeout=10) as r:
            metrics = r.read().decode()
        trickle = measure_trickle(binary, tmp, args, key_pem, cert_pem, base, platform_key, spool, len(levels)) \
            if args.trickle else None
        grouping = {name: int(float(m.group(1))) if (m := re.search(rf"^clearance_group_commit_{name} (\S+)$", metrics, re.M)) else 0
                    for name in ("groups", "writes", "largest", "retried_alone")}

        # Batch uploads: a generated CEB311 batch from its own merchant.
        batch = os.path.join(tmp, "batch.xml")
        sh([sys.executable, os.path.join(ROOT, "scripts/generate-batch.py"), "--type", "CEB311", "--count",
            str(args.batch_docs), "--out", batch, "--seed", str(int(time.time()))], stdout=subprocess.DEVNULL)
        with open(batch, "rb") as f:
            tail = f.read()[-4000:].decode("utf-8", "replace")
        merchant = re.search(r"<ceb:copCode>([^<]+)</ceb:copCode>", tail).group(1)
        clearance(binary, "enterprise", "add", merchant, "--name", "Batch merchant", "--role", "merchant", store=store)
        merchant_key = clearance(binary, "enterprise", "key", "create", merchant, store=store)
        size = os.path.getsize(batch)
        code, seconds = upload(base, merchant_key, batch)
        sh(["gzip", "-k", "-f", batch])
        # The same documents again, compressed: they are already stored, so this measures the
        # streaming path (inflate, parse, validate, dedupe) more than inserts.
        gz_code, gz_seconds = upload(base, merchant_key, batch + ".gz", gzip=True)

        baseline = subprocess.run([compile_baseline(tmp),
                                   pg.conninfo, str(max(accepted, args.pool)), str(args.pool)],
                                  capture_output=True, text=True, check=True).stdout
        base_rate = float(re.search(r"per_second=([\d.]+)", baseline).group(1))

        print()
        for (stored, message_bytes, accepted_n, other, rps, p50, p99, server_cpu, pg_cpu, wall, load, statements) in runs:
            rate = accepted_n / args.duration
            print(f"single signed messages (CEB311, {message_bytes / 1024:.1f} KB each, durable commit on PostgreSQL), "
                  f"{stored:,} declarations stored before:")
            print(f"  accepted {accepted_n} in {args.duration} s → {rate:.0f} messages/s "
                  f"(wrk {rps:.0f} requests/s, {other} other answers); latency p50 {p50}, p99 {p99}")
            print(f"  CPU per accepted message: service {1000 * server_cpu / max(accepted_n, 1):.2f} ms, "
                  f"PostgreSQL {1000 * pg_cpu / max(accepted_n, 1):.2f} ms "
                  f"(cores busy: service {server_cpu / wall:.2f}, PostgreSQL {pg_cpu / wall:.2f}; machine load {load:.1f})")
            print(f"  ratio service / baseline: {rate / base_rate:.2f}"
                  + (f"; against the first level's rate: {rate / (runs[0][2] / args.duration):.2f}" if stored != runs[0][0] else ""))
            if statements:
                print(statements)
        print(f"  group commit over all levels: {grouping['writes']} messages in {grouping['groups']} transactions "
              f"(largest {grouping['largest']}, retried alone {grouping['retried_alone']})")
        print(f"  baseline: {max(accepted, args.pool)} plain single-row INSERT transactions through libpq "
              f"({args.pool} connections): {base_rate:.0f} inserts/s")
        if trickle:
            print(f"idle delivery ({len(trickle)} orders one at a time, {args.trickle_gap} s apart): answer to spool file "
                  f"p50 {percentile(trickle, 0.5):.1f} ms, p90 {percentile(trickle, 0.9):.1f} ms, max {max(trickle):.1f} ms")
        print(f"batch upload ({args.batch_docs} CEB311 documents, {size / 1e6:.1f} MB): HTTP {code} in {seconds:.2f} s "
              f"→ {size / 1e6 / seconds:.1f} MB/s")
        print(f"  same batch gzip ({os.path.getsize(batch + '.gz') / 1e6:.1f} MB compressed), documents already stored: "
              f"HTTP {gz_code} in {gz_seconds:.2f} s → {size / 1e6 / gz_seconds:.1f} MB/s decoded")
    finally:
        if server:
            if args.perf:
                # `perf record` ends when the service it runs ends: stop the service, not perf
                # (SIGINT to perf alone left the service running and the recording unfinished).
                for child in subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split():
                    os.kill(int(child), signal.SIGTERM)
            else:
                server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        if spool:
            shutil.rmtree(spool, ignore_errors=True)


def prefill(binary, store, tmp, stored, target, chunk=100_000):
    """Stores generated CEB311 orders (`ingest`, not routed) until `target` declarations are stored
    besides the benchmark's own; each 100,000-order batch has keys of its own (`--first`)."""
    while stored < target:
        count = min(chunk, target - stored)
        batch = os.path.join(tmp, "prefill.xml")
        started = time.time()
        sh([sys.executable, os.path.join(ROOT, "scripts/generate-batch.py"), "--type", "CEB311", "--count", str(count),
            "--first", str(10_000_000 + stored), "--seed", str(777 + stored), "--out", batch], stdout=subprocess.DEVNULL)
        sh([binary, "ingest", "--quiet", "--store", store, batch], stdout=subprocess.DEVNULL)
        os.remove(batch)
        stored += count
        print(f"  stored {stored:,} orders ({time.time() - started:.1f} s for the last {count:,})", flush=True)
    return stored


def psql(pg, *args):
    tool = shutil.which("psql") or os.path.join(getattr(pg, "bin", ""), "psql")
    return sh([tool, pg.conninfo, "-q", "-At", *args], capture_output=True, text=True).stdout


def top_statements(pg, limit, accepted):
    """The statements PostgreSQL spent most time on since the last reset (planning + execution), each
    with its calls per accepted message: where a level's time goes, and which statement grows with the store."""
    rows = psql(pg, "-F", "\t", "-c", f"""
        SELECT calls, total_plan_time + total_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 110)
        FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND query NOT LIKE '%pg_stat_statements%' ORDER BY 2 DESC""")
    parsed = [(int(c), float(t), q) for c, t, q in (line.split("\t", 2) for line in rows.splitlines() if line)]
    total = sum(t for _, t, _ in parsed)
    calls = sum(c for c, _, _ in parsed)
    lines = [f"  statements: {calls / max(accepted, 1):.2f} a message, {total / max(accepted, 1):.3f} ms of planning and "
             f"execution a message; the {limit} costliest (calls a message, ms a call, ms a message):"]
    for c, t, q in parsed[:limit]:
        lines.append(f"    {c / max(accepted, 1):5.2f} {t / max(c, 1):7.3f} {t / max(accepted, 1):7.3f}  {q}")
    return "\n".join(lines)


def settle(pg):
    """After a bulk prefill: `VACUUM (ANALYZE)` and a `CHECKPOINT`, as a store that grew over weeks has
    had, so the next level measures the service, not the load's aftermath (one 1,000,000 run fell
    to 69 msg/s with autovacuum and the checkpointer busy on the slow disk)."""
    started = time.time()
    psql(pg, "-c", "VACUUM (ANALYZE)", "-c", "CHECKPOINT")
    print(f"  settled: VACUUM (ANALYZE) and CHECKPOINT in {time.time() - started:.1f} s", flush=True)


def prepare_bodies(binary, tmp, args, key_pem, cert_pem, level, first=None):
    """`args.messages` distinct signed orders for one wrk run (level k gets numbers of its own)."""
    print(f"preparing {args.messages} signed orders…", flush=True)
    files = make_orders(args.messages, os.path.join(tmp, f"orders{level}"), first=level * args.messages if first is None else first)
    signed_dir = os.path.join(tmp, f"signed{level}")
    os.makedirs(signed_dir)
    for i in range(0, len(files), 2000):
        sh([binary, "sign", "--key", key_pem, "--cert", cert_pem, "--no-sync", "--out-dir", signed_dir, *files[i:i + 2000]],
           stdout=subprocess.DEVNULL)
    bodies = os.path.join(tmp, f"bodies{level}")
    with open(bodies, "wb") as out:
        for k, path in enumerate(sorted(glob.glob(os.path.join(signed_dir, "*.xml")))):
            if k:
                out.write(SEPARATOR.encode())
            with open(path, "rb") as f:
                out.write(f.read())
    shutil.rmtree(signed_dir)
    shutil.rmtree(os.path.join(tmp, f"orders{level}"))
    return bodies, os.path.getsize(bodies) / args.messages


def measure_wrk(args, tmp, base, pg, server, bodies, platform_key):
    """One wrk run: accepted, other answers, requests/s, p50, p99, CPU seconds of service and PostgreSQL, wall, load."""
    script = os.path.join(tmp, "post.lua")
    with open(script, "w") as f:
        f.write(WRK_SCRIPT)
    env = dict(os.environ, BENCH_BODIES=bodies, BENCH_KEY=platform_key, BENCH_THREADS=str(args.threads),
               BENCH_SEPARATOR=SEPARATOR)
    print(f"wrk: {args.threads} threads, {args.connections} connections, {args.duration} s…", flush=True)
    if args.statements:
        psql(pg, "-c", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements", "-c", "SELECT pg_stat_statements_reset()")
    pg_pids = postgres_pids(pg.dir + "/data")
    cpu_before = (cpu_seconds([server.pid]), cpu_seconds(pg_pids), os.times().elapsed)
    run = subprocess.run(["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
                          "-s", script, base + "/v1/messages"], env=env, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"wrk failed: {run.stdout[-2000:]} {run.stderr[-2000:]}")
    wrk = run.stdout
    pg_pids = postgres_pids(pg.dir + "/data")
    cpu_after = (cpu_seconds([server.pid]), cpu_seconds(pg_pids), os.times().elapsed)
    accepted = int(re.search(r"ACCEPTED (\d+)", wrk).group(1))
    other = int(re.search(r"OTHER (\d+)", wrk).group(1))
    p50 = re.search(r"\s50%\s+(\S+)", wrk).group(1)
    p99 = re.search(r"\s99%\s+(\S+)", wrk).group(1)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))
    statements = top_statements(pg, args.statements, accepted) if args.statements else None
    return (accepted, other, rps, p50, p99, cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1],
            cpu_after[2] - cpu_before[2], os.getloadavg()[0], statements)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def measure_trickle(binary, tmp, args, key_pem, cert_pem, base, key, spool, level):
    """Milliseconds from each trickled order's answer until its file is in the spool (polled every ms)."""
    def files():
        return len(os.listdir(spool))
    # Let the wrk runs' deliveries finish first.
    last, since = files(), time.time()
    while time.time() - since < 2:
        time.sleep(0.2)
        if files() != last:
            last, since = files(), time.time()
    trickle_args = argparse.Namespace(**dict(vars(args), messages=args.trickle))
    # Numbers after every wrk level's.
    bodies_path, _ = prepare_bodies(binary, tmp, trickle_args, key_pem, cert_pem, level, first=level * args.messages)
    with open(bodies_path, "rb") as f:
        bodies = f.read().split(SEPARATOR.encode())
    latencies = []
    for body in bodies:
        time.sleep(args.trickle_gap)
        before = files()
        request = urllib.request.Request(base + "/v1/messages", data=body, method="POST", headers={
            "Authorization": f"Bearer {key}", "Content-Type": "application/xml"})
        with urllib.request.urlopen(request, timeout=10) as r:
            if r.status != 202 or r.headers.get("X-Clearance-Duplicate"):
                sys.exit(f"trickled order not accepted: HTTP {r.status}")
        answered = time.monotonic()
        deadline = answered + 10
        while files() == before and time.monotonic() < deadline:
            time.sleep(0.001)
        latencies.append((time.monotonic() - answered) * 1000)
    return latencies


def compile_baseline(tmp):
    out = os.path.join(tmp, "pq_insert_baseline")
    include = subprocess.run(["pg_config", "--includedir"], capture_output=True, text=True).stdout.strip() \
        if shutil.which("pg_config") else "/usr/include/postgresql"
    sh(["cc", "-O2", "-o", out, os.path.join(ROOT, "Benchmarks/baseline/pq_insert_baseline.c"), "-I" + include, "-lpq", "-lpthread"])
    return out


if __name__ == "__main__":
    main()
