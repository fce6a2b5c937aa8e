#!/usr/bin/env python3
"""Ingest benchmark (issue 4).

In one run:
  1. generates the 100,000-declaration CEB621 batch (scripts/generate-batch.py, ~300 MB);
  2. turns the same generated data into CSV rows for `declarations` and `declaration_lines`
     (the values clearance stores: masked buyer data, salted ID hash, NUMERIC amounts);
  3. starts a throwaway PostgreSQL (initdb/pg_ctl; as root through `runuser -u postgres --`;
     unix socket in a temp dir; default settings otherwise);
  4. bare-COPY limit: `psql \\copy` of the CSV into equivalent tables (the real schema's columns,
     unique keys and indexes, created before the load like the real schema) in a fresh database;
  5. `clearance ingest` of the XML into another fresh database (release build): parse, validate,
     map, mask, COPY into staging + INSERT … ON CONFLICT, raw message stored in parts;
  6. the same ingest into a fresh SQLite file.
Prints wall times, the ratio ingest / bare COPY and peak RSS (os.wait4).
Required: ratio <= 2.0 with peak RSS <= 128 MB; goal <= 1.5.

Usage: python3 Benchmarks/bench_ingest.py [--count N] [--keep DIR] [--scratch-path PATH] [--binary PATH] [--skip-sqlite]
"""
import argparse, csv, hashlib, hmac, os, pwd, shutil, subprocess, sys, tempfile, time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NS = "{http://www.chinaport.gov.cn/ceb}"
SALT = b"clearance-bench-salt-0123456789"
SENDER_FALLBACK = "3516980E2K"


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def measure(argv, env=None):
    """Wall seconds, peak RSS (MB) and exit code of one run."""
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{argv[0]} failed with exit code {code}: {err.decode()[-1500:]}")
    return wall, usage.ru_maxrss / 1024.0, out.decode().strip()


# ---------------------------------------------------------------------------------------------
# CSV rows equivalent to what clearance stores
# ---------------------------------------------------------------------------------------------

def mask_id(value):
    n = len(value)
    keep = 4 if n >= 18 else (2 if n >= 8 else 0)
    return "*" * n if keep == 0 else value[:keep] + "*" * (n - 2 * keep) + value[-keep:]


def mask_phone(value):
    if len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * max(0, len(value) - 2) + value[-2:]


def fixed(text):
    """NUMERIC(19,5) text like FixedDecimal.description."""
    if text is None or text == "":
        return ""
    whole, _, frac = text.partition(".")
    return f"{whole}.{(frac + '00000')[:5]}"


def app_time_ms(text):
    import datetime
    t = datetime.datetime.strptime(text[:14].ljust(14, "0"), "%Y%m%d%H%M%S")
    t = t.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    return int(t.timestamp() * 1000)


def write_csv(batch, decl_path, line_path):
    """Streams the batch with iterparse and writes one CSV row per declaration and per line."""
    now = int(time.time() * 1000)
    n = lines = 0
    sender = SENDER_FALLBACK
    with open(decl_path, "w", newline="", encoding="utf-8") as df, open(line_path, "w", newline="", encoding="utf-8") as lf:
        dw, lw = csv.writer(df), csv.writer(lf)
        for _, el in ET.iterparse(batch, events=("end",)):
            if el.tag == NS + "copCode":
                sender = el.text
            if el.tag != NS + "Inventory":
                continue
            h = el.find(NS + "InventoryHead")
            g = lambda k: (h.findtext(NS + k) or "")
            n += 1
            buyer = g("buyerIdNumber")
            cop = g("copNo")
            total = 0
            rows = []
            for i, line in enumerate(el.findall(NS + "InventoryList")):
                l = lambda k: (line.findtext(NS + k) or "")
                rows.append([n, int(l("gnum") or i + 1), l("itemNo"), l("itemName") or l("gname"), l("gcode"), fixed(l("qty")),
                             l("unit"), fixed(l("price")), fixed(l("totalPrice")), l("currency"), l("country")])
                whole, _, frac = l("totalPrice").partition(".")
                total += int(whole) * 100000 + int((frac + "00000")[:5])
            dw.writerow([
                n, "inventory", 1, g("guid"), sender, cop or g("invtNo") or g("orderNo"), g("appType"), app_time_ms(g("appTime")),
                g("orderNo"), g("logisticsNo"), g("invtNo"), cop, g("preNo"), "", g("billNo"), g("ebpCode"), g("ebcCode"),
                g("logisticsCode"), g("agentCode"), "", g("customsCode"), g("portCode"), g("tradeMode"), g("ieFlag"),
                g("buyerIdType"), hmac.new(SALT, buyer.upper().encode(), hashlib.sha256).hexdigest(), mask_id(buyer),
                g("buyerName"), mask_phone(g("buyerTelephone")), f"{total // 100000}.{total % 100000:05d}", fixed(g("freight")),
                "", "", g("currency"), "received", now])
            lw.writerows(rows)
            lines += len(rows)
            el.clear()
    return n, lines


# ---------------------------------------------------------------------------------------------
# A throwaway PostgreSQL
# ---------------------------------------------------------------------------------------------

class Postgres:
    def __init__(self):
        self.bindir = self.find_bindir()
        self.root = os.geteuid() == 0
        self.dir = tempfile.mkdtemp(prefix="clearance-bench-pg-")
        self.port = 5432 + os.getpid() % 20000 + 1000
        if self.root:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.pg(["initdb", "-D", self.dir + "/data", "-A", "trust", "-U", "bench", "-E", "UTF8", "--no-sync"])
        opts = f"-c listen_addresses='' -k {self.dir} -p {self.port}"
        self.pg(["pg_ctl", "-D", self.dir + "/data", "-l", self.dir + "/server.log", "-w", "-o", opts, "start"])

    @staticmethod
    def find_bindir():
        try:
            return subprocess.run(["pg_config", "--bindir"], check=True, capture_output=True, text=True).stdout.strip()
        except Exception:
            versions = sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: -int(v))
            return f"/usr/lib/postgresql/{versions[0]}/bin"

    def pg(self, argv):
        cmd = [self.bindir + "/" + argv[0]] + argv[1:]
        if self.root:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        run(cmd, cwd="/tmp", stdout=subprocess.DEVNULL)

    def url(self, db):
        return f"postgresql://bench@/{db}?host={self.dir}&port={self.port}"

    def psql(self, db, *args, stdin=None):
        return run([self.bindir + "/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.url(db)] + list(args),
                   capture_output=True, text=True, input=stdin).stdout

    def createdb(self, name):
        self.psql("postgres", "-c", f"CREATE DATABASE {name}")

    def stop(self):
        try:
            self.pg(["pg_ctl", "-D", self.dir + "/data", "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# The store's declarations and lines as migrations 1–6 leave them: the same keys and indexes.
BARE_SCHEMA = """
CREATE TABLE declarations (
    id BIGINT PRIMARY KEY, kind TEXT NOT NULL, message_id BIGINT NOT NULL, declaration_guid TEXT NOT NULL,
    sender_code TEXT NOT NULL, dedup_key TEXT NOT NULL, app_type TEXT, app_time BIGINT, order_no TEXT,
    logistics_no TEXT, invt_no TEXT, cop_no TEXT, pre_no TEXT, pay_transaction_id TEXT, bill_no TEXT, ebp_code TEXT,
    ebc_code TEXT, logistics_code TEXT, agent_code TEXT, pay_code TEXT, customs_code TEXT, port_code TEXT,
    trade_mode TEXT, ie_flag TEXT, buyer_id_type TEXT, buyer_id_hash TEXT, buyer_id_masked TEXT, buyer_name TEXT,
    buyer_phone_masked TEXT, goods_value NUMERIC(19,5), freight NUMERIC(19,5), tax_total NUMERIC(19,5),
    actural_paid NUMERIC(19,5), currency TEXT, status TEXT NOT NULL, created_at BIGINT NOT NULL,
    UNIQUE (kind, sender_code, dedup_key)
);
CREATE INDEX declarations_order_no_idx ON declarations (order_no);
CREATE INDEX declarations_logistics_no_idx ON declarations (logistics_no);
CREATE INDEX declarations_invt_no_idx ON declarations (invt_no);
CREATE INDEX declarations_cop_no_idx ON declarations (cop_no);
CREATE INDEX declarations_guid_idx ON declarations (declaration_guid);
CREATE INDEX declarations_message_idx ON declarations (message_id);
CREATE INDEX declarations_buyer_idx ON declarations (buyer_id_hash);
CREATE INDEX declarations_pay_transaction_idx ON declarations (pay_transaction_id);
CREATE INDEX declarations_bill_no_idx ON declarations (bill_no);
CREATE INDEX declarations_awaiting_idx ON declarations (kind) WHERE status = 'awaiting documents';
CREATE TABLE declaration_lines (
    declaration_id BIGINT NOT NULL REFERENCES declarations (id), gnum INTEGER NOT NULL, item_no TEXT, item_name TEXT,
    gcode TEXT, qty NUMERIC(19,5), unit TEXT, price NUMERIC(19,5), total_price NUMERIC(19,5), currency TEXT,
    country TEXT, PRIMARY KEY (declaration_id, gnum)
);
"""

# The target baseline: the same two tables with only their keys (primary and unique keys; no
# secondary index, no foreign key), what any loader of these heads and lines must at least pay.
KEYS_SCHEMA = "\n".join(line for line in BARE_SCHEMA.splitlines() if not line.startswith("CREATE INDEX")) \
    .replace(" REFERENCES declarations (id)", "")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--keep", help="directory to keep (and reuse) the batch and CSV in")
    parser.add_argument("--scratch-path", default=os.path.join(ROOT, ".build"), help="swift build scratch path")
    parser.add_argument("--chunk-size", type=int, default=2000)
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--binary", help="use this clearance executable instead of building one")
    args = parser.parse_args()

    work = args.keep or tempfile.mkdtemp(prefix="clearance-bench-ingest-")
    os.makedirs(work, exist_ok=True)
    batch = os.path.join(work, f"CEB621-{args.count}.xml")
    if not os.path.exists(batch):
        print(f"generating {args.count} CEB621 inventories ...", flush=True)
        run([sys.executable, os.path.join(ROOT, "scripts/generate-batch.py"), "--type", "CEB621", "--count", str(args.count),
             "--out", batch])
    size_mb = os.path.getsize(batch) / 1e6
    with open(batch, "rb") as f:
        xml_lines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    decl_csv, line_csv = os.path.join(work, "declarations.csv"), os.path.join(work, "lines.csv")
    if not (os.path.exists(decl_csv) and os.path.exists(line_csv)):
        print("writing the same rows as CSV ...", flush=True)
        write_csv(batch, decl_csv, line_csv)
    with open(decl_csv, encoding="utf-8") as f:
        n_decl = sum(1 for _ in f)
    with open(line_csv, encoding="utf-8") as f:
        n_lines = sum(1 for _ in f)

    binary = args.binary
    if not binary:
        print("building clearance (release) ...", flush=True)
        run(["swift", "build", "-c", "release", "--scratch-path", args.scratch_path, "--product", "clearance"], cwd=ROOT,
            stdout=subprocess.DEVNULL)
        binary = run(["swift", "build", "-c", "release", "--scratch-path", args.scratch_path, "--show-bin-path"], cwd=ROOT,
                     capture_output=True, text=True).stdout.strip() + "/clearance"

    env = dict(os.environ, CLEARANCE_BUYER_ID_SALT=SALT.decode())
    pg = Postgres()
    try:
        def bare_copy(db, schema):
            """Seconds for `psql \\copy` of both CSVs into a fresh database with `schema`."""
            pg.createdb(db)
            pg.psql(db, "-c", schema)
            start = time.monotonic()
            pg.psql(db, "-c", f"\\copy declarations FROM '{decl_csv}' WITH (FORMAT csv)",
                    "-c", f"\\copy declaration_lines FROM '{line_csv}' WITH (FORMAT csv)")
            return time.monotonic() - start

        # Bare COPY limits: into the store's own schema, and into the two tables with only their keys.
        bare = bare_copy("bare", BARE_SCHEMA)
        bare_counts = pg.psql("bare", "-At", "-c", "SELECT (SELECT count(*) FROM declarations) || ' ' || (SELECT count(*) FROM declaration_lines)")
        keys = bare_copy("keys", KEYS_SCHEMA)

        # clearance ingest (the schema is migrated by a first `stats`, outside the timing).
        pg.createdb("ingest")
        measure([binary, "stats", "--store", pg.url("ingest")], env=env)
        pg_wall, pg_rss, pg_out = measure(
            [binary, "ingest", "--quiet", "--chunk-size", str(args.chunk_size), "--store", pg.url("ingest"), batch], env=env)
        ingest_counts = pg.psql("ingest", "-At", "-c",
                                "SELECT (SELECT count(*) FROM declarations) || ' ' || (SELECT count(*) FROM declaration_lines)")
        raw = pg.psql("ingest", "-At", "-c", "SELECT (SELECT sum(length(bytes)) FROM message_parts) || ' ' || "
                                             "(SELECT complete FROM messages LIMIT 1)")
    finally:
        pg.stop()

    sqlite = None
    if not args.skip_sqlite:
        db = os.path.join(work, "bench.sqlite")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        measure([binary, "stats", "--store", "sqlite:" + db], env=env)
        sqlite = measure([binary, "ingest", "--quiet", "--chunk-size", str(args.chunk_size), "--store", "sqlite:" + db, batch], env=env)

    ratio = pg_wall / bare
    print()
    print(f"batch: {args.count} CEB621 declarations, {size_mb:.0f} MB, {xml_lines:,} lines; "
          f"CSV rows: {n_decl:,} declarations + {n_lines:,} goods lines")
    print(f"bare psql \\copy (PostgreSQL):      {bare:7.2f} s   rows stored: {bare_counts.strip()}   (the store's keys and indexes)")
    print(f"bare psql \\copy, keys only:        {keys:7.2f} s   (two tables with only their primary and unique keys)")
    print(f"clearance ingest (PostgreSQL):     {pg_wall:7.2f} s   peak RSS {pg_rss:6.1f} MB   rows stored: {ingest_counts.strip()}"
          f"   raw bytes stored/complete: {raw.strip()}")
    print(f"ratio ingest / bare COPY:          {ratio:7.2f}×  (required <= 2.0, goal <= 1.5)  "
          f"{args.count / pg_wall:,.0f} declarations/s")
    print(f"ratio ingest / keys-only COPY:     {pg_wall / keys:7.2f}×  (issue 15's target: <= 1.5)")
    if sqlite:
        print(f"clearance ingest (SQLite):         {sqlite[0]:7.2f} s   peak RSS {sqlite[1]:6.1f} MB   "
              f"{args.count / sqlite[0]:,.0f} declarations/s")
    print(f"summary (PostgreSQL): {pg_out.splitlines()[-1] if pg_out else ''}")
    ok = ratio <= 2.0 and pg_rss <= 128
    print("RESULT:", "PASS" if ok else "FAIL", f"(ratio {ratio:.2f}, RSS {pg_rss:.0f} MB)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
