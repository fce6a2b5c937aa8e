#!/usr/bin/env python3
"""Signature benchmark (issues 3 and 8): Clearance XML-DSig against the C libxmlsec1.

Measures, in one run (release build):
  * sign and verify 2,000 CEB311 orders (one order per message, in memory, RSA-2048 / RSA-SHA256,
    inclusive C14N, one core, in-process) with Clearance (Benchmarks/SignatureBench) and with a C
    program over libxmlsec1 (Benchmarks/baseline/xmlsec_baseline.c: libxml2 DOM + xmlsec1 + OpenSSL);
    ratios Clearance / libxmlsec1 (required >= 1.5 for signing and for verifying);
  * the same on every core (Clearance), and `clearance sign --out-dir` / `clearance verify` wall times;
  * SM2 e-port profile vs RSA-SHA256 sign/verify rates;
  * streaming sign and verify of a ~300 MB CEB311 batch: MB/s and peak RSS (required <= 64 MB).

Usage: python3 Benchmarks/bench_signature.py [--count 2000] [--runs 3] [--big-mb 300] [--keep DIR]
"""
import argparse, glob, os, re, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>'
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
    '<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
    '</ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>'
    '</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data><ds:X509Certificate/></ds:X509Data></ds:KeyInfo></ds:Signature>'
)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, cwd=ROOT, **kw)


def output(cmd):
    return subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True, text=True).stdout


def rate(cmd):
    """ops/s printed by a bench program."""
    text = output(cmd)
    match = re.search(r"ops/s ([0-9.]+) ok (\d+)", text)
    if not match:
        sys.exit(f"unexpected output from {cmd[0]}: {text}")
    return float(match.group(1)), int(match.group(2))


def measure(argv):
    """Wall seconds and peak RSS (MB) of one child process."""
    with tempfile.TemporaryFile() as errors:
        start = time.monotonic()
        # Output is discarded, not piped: a full pipe nobody reads would block the child.
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            sys.exit(f"{argv[:2]} failed: {errors.read().decode()[:500]}")
    return wall, usage.ru_maxrss / 1024.0


def split_batch(batch, directory, count):
    """One message per order, with the batch's header and BaseTransfer."""
    text = open(batch, encoding="utf-8").read()
    head = text[: text.index("<ceb:Order>")]
    tail = text[text.rindex("</ceb:Order>") + len("</ceb:Order>"):]
    orders = re.findall(r"<ceb:Order>.*?</ceb:Order>", text, re.S)[:count]
    os.makedirs(directory, exist_ok=True)
    paths = []
    for index, order in enumerate(orders):
        path = os.path.join(directory, f"order-{index:05d}.xml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(head + order + tail)
        paths.append(path)
    return paths


def pki(work):
    ca, ca_key, key, csr, cert, ext = (os.path.join(work, n) for n in ("ca.pem", "ca.key", "signer.key", "signer.csr", "signer.pem", "ext.cnf"))
    if not os.path.exists(cert):
        quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "30", "-subj", "/CN=Bench CA"], **quiet)
        run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=Bench Enterprise"], **quiet)
        with open(ext, "w") as f:
            f.write("keyUsage=digitalSignature,nonRepudiation\n")
        run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert, "-days", "10", "-extfile", ext], **quiet)
    return ca, key, cert


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big-mb", type=int, default=300, help="size of the streaming batch (0 skips it)")
    parser.add_argument("--keep", help="directory to keep (and reuse) generated files in")
    args = parser.parse_args()
    work = args.keep or tempfile.mkdtemp(prefix="clearance-sigbench-")
    os.makedirs(work, exist_ok=True)

    batch = os.path.join(work, f"CEB311-{args.count}.xml")
    if not os.path.exists(batch):
        run([sys.executable, "scripts/generate-batch.py", "--type", "CEB311", "--count", str(args.count), "--out", batch], stderr=subprocess.DEVNULL)
    orders = split_batch(batch, os.path.join(work, "orders"), args.count)
    templates = []
    for path in orders:
        text = open(path, encoding="utf-8").read()
        tmpl = path.replace("/orders/", "/templates/")
        os.makedirs(os.path.dirname(tmpl), exist_ok=True)
        end = text.rindex("</ceb:CEB311Message>")
        with open(tmpl, "w", encoding="utf-8") as f:
            f.write(text[:end] + TEMPLATE + text[end:])
        templates.append(tmpl)
    average = sum(os.path.getsize(p) for p in orders) / len(orders)
    ca, key, cert = pki(work)

    print("building (release) ...", flush=True)
    for product in ("SignatureBench", "clearance"):
        # The package is shared with other work in progress: retry a build that fails transiently.
        for attempt in range(3):
            if subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
                break
            time.sleep(20)
        else:
            sys.exit(f"swift build -c release --product {product} failed")
    bin_dir = output(["swift", "build", "-c", "release", "--show-bin-path"]).strip()
    bench, clearance = os.path.join(bin_dir, "SignatureBench"), os.path.join(bin_dir, "clearance")
    baseline = os.path.join(work, "xmlsec_baseline")
    flags = output(["pkg-config", "--cflags", "--libs", "xmlsec1-openssl"]).split()
    run(["cc", "-O2", "-o", baseline, "Benchmarks/baseline/xmlsec_baseline.c"] + flags)

    # Signed inputs for the verifiers: signed by Clearance's CLI on all cores (timed as the multi-core CLI figure).
    signed_dir = os.path.join(work, "signed")
    os.makedirs(signed_dir, exist_ok=True)
    cli_sign_wall, _ = measure([clearance, "sign", "--key", key, "--cert", cert, "--no-sync", "--out-dir", signed_dir] + orders)
    signed = sorted(glob.glob(os.path.join(signed_dir, "*.xml")))
    cli_verify_wall, _ = measure([clearance, "verify", "--trust", ca] + signed)
    check = subprocess.run(["xmlsec1", "--verify", "--trusted-pem", ca, signed[0]], capture_output=True, text=True)
    if check.returncode != 0:
        sys.exit("xmlsec1 does not verify Clearance's output: " + check.stderr[:300])

    cores = os.cpu_count() or 1
    commands = {
        "c_sign": [baseline, "sign", key, cert] + templates,
        "s_sign": [bench, "sign", key, cert, "standard", "1"] + orders,
        "c_verify": [baseline, "verify", ca] + signed,
        "s_verify": [bench, "verify", ca, "1"] + signed,
        "m_sign": [bench, "sign", key, cert, "standard", str(cores)] + orders,
        "m_verify": [bench, "verify", ca, str(cores)] + signed,
    }
    print(f"measuring {len(orders)} orders, average {average / 1024:.1f} KB, best of {args.runs} (runs interleaved) ...", flush=True)
    results = {name: (0.0, 0) for name in commands}
    for _ in range(args.runs):
        # Interleaved, so that load from other processes hits both implementations alike.
        for name, cmd in commands.items():
            results[name] = max(results[name], rate(cmd), key=lambda r: r[0])
    (c_sign, c_sign_ok), (s_sign, s_sign_ok) = results["c_sign"], results["s_sign"]
    (c_verify, c_verify_ok), (s_verify, s_verify_ok) = results["c_verify"], results["s_verify"]
    m_sign, m_verify = results["m_sign"][0], results["m_verify"][0]
    load = os.getloadavg()[0]
    profiles = output([bench, "profiles", "500"] + orders).strip()

    print()
    print(f"{'one core, RSA-2048 / RSA-SHA256':<40}{'sign ops/s':>12}{'verify ops/s':>14}")
    print(f"{'libxmlsec1 (C, DOM)':<40}{c_sign:>12.0f}{c_verify:>14.0f}   ok {c_sign_ok}/{c_verify_ok}")
    print(f"{'Clearance (streaming)':<40}{s_sign:>12.0f}{s_verify:>14.0f}   ok {s_sign_ok}/{s_verify_ok}")
    sign_ratio, verify_ratio = s_sign / c_sign, s_verify / c_verify
    print(f"{'ratio Clearance / libxmlsec1':<40}{sign_ratio:>12.2f}{verify_ratio:>14.2f}   required >= 1.50: "
          f"sign {'PASS' if sign_ratio >= 1.5 else 'FAIL'}, verify {'PASS' if verify_ratio >= 1.5 else 'FAIL'}")
    print(f"{f'Clearance, {cores} cores (in-process)':<40}{m_sign:>12.0f}{m_verify:>14.0f}")
    print(f"{f'clearance CLI, {cores} cores (processes)':<40}{len(orders) / cli_sign_wall:>12.0f}{len(orders) / cli_verify_wall:>14.0f}   (wall, incl. start-up and file I/O; sign --no-sync)")
    print()
    print("profiles, one core, 500 orders (fresh keys):")
    for line in profiles.splitlines():
        print("  " + line)

    if args.big_mb > 0:
        big = os.path.join(work, f"CEB311-{args.big_mb}MB.xml")
        if not os.path.exists(big):
            per_order = os.path.getsize(batch) / args.count
            count = int(args.big_mb * 1e6 / per_order)
            print(f"\ngenerating a {args.big_mb} MB batch ({count} orders) ...", flush=True)
            run([sys.executable, "scripts/generate-batch.py", "--type", "CEB311", "--count", str(count), "--out", big], stderr=subprocess.DEVNULL)
        size_mb = os.path.getsize(big) / 1e6
        big_signed = big.replace(".xml", ".signed.xml")
        if os.path.exists(big_signed):
            os.remove(big_signed)
        sign_wall, sign_rss = measure([bench, "sign-file", key, cert, "standard", big, big_signed])
        verify_wall, verify_rss = measure([bench, "verify-file", ca, big_signed])
        print(f"\nstreaming, {size_mb:.0f} MB batch, one core:")
        print(f"  sign    {size_mb / sign_wall:8.1f} MB/s  {sign_wall:6.2f} s  peak RSS {sign_rss:6.1f} MB  {'PASS' if sign_rss <= 64 else 'FAIL'} (<= 64 MB)")
        print(f"  verify  {size_mb / verify_wall:8.1f} MB/s  {verify_wall:6.2f} s  peak RSS {verify_rss:6.1f} MB  {'PASS' if verify_rss <= 64 else 'FAIL'} (<= 64 MB)")
    print(f"\nload average at the end of the one-core measurements: {load:.1f} on {cores} cores; files in {work}")


if __name__ == "__main__":
    main()
