#!/usr/bin/env python3
"""Validate benchmark (issue: the spine).

Generates a 100,000-declaration CEB621 batch, then measures in one run:
  * baseline: a C program that only parses it with libxml2 SAX2 (the physical limit);
  * clearance validate on the same file (release build).
Prints wall times, the ratio baseline/clearance (1.0 = as fast as bare libxml2), CPU seconds (user +
system, every thread) and their ratio, and peak RSS.
Targets: ratio >= 0.6 (goal 0.8), peak RSS <= 64 MB.

Usage: python3 Benchmarks/bench_validate.py [--count N] [--runs R] [--keep DIR]
"""
import argparse, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, **kw):
    subprocess.run(cmd, check=True, cwd=ROOT, **kw)


def measure(argv):
    """Wall seconds, peak RSS (MB), exit code and CPU seconds (user + system) of one run, output discarded."""
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{argv[0]} failed with exit code {code}: {proc.stderr.read().decode()[:500]}")
    return wall, usage.ru_maxrss / 1024.0, code, usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", help="directory to keep (and reuse) the generated batch in")
    args = parser.parse_args()

    work = args.keep or tempfile.mkdtemp(prefix="clearance-bench-")
    os.makedirs(work, exist_ok=True)
    batch = os.path.join(work, f"CEB621-{args.count}.xml")
    if not os.path.exists(batch):
        print(f"generating {args.count} CEB621 inventories ...", flush=True)
        run([sys.executable, "scripts/generate-batch.py", "--type", "CEB621", "--count", str(args.count), "--out", batch])
    size_mb = os.path.getsize(batch) / 1e6

    print("building (release) ...", flush=True)
    run(["swift", "build", "-c", "release", "--product", "clearance"], stdout=subprocess.DEVNULL)
    binary = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip() + "/clearance"
    baseline = os.path.join(work, "sax_baseline")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libxml-2.0"], check=True, capture_output=True, text=True).stdout.split()
    run(["cc", "-O2", "-o", baseline, "Benchmarks/baseline/sax_baseline.c"] + flags)

    results = {"libxml2 SAX (C)": [], "clearance validate": []}
    for _ in range(args.runs):
        results["libxml2 SAX (C)"].append(measure([baseline, batch]))
        results["clearance validate"].append(measure([binary, "validate", "--quiet", batch]))

    print(f"\nfile: {batch} ({size_mb:.0f} MB, {args.count} declarations), best of {args.runs} runs")
    best = {}
    for name, runs in results.items():
        wall = min(r[0] for r in runs)
        rss = max(r[1] for r in runs)
        cpu = min(r[3] for r in runs)
        best[name] = (wall, rss, cpu)
        print(f"  {name:22s} {wall:7.2f} s  {size_mb / wall:7.1f} MB/s  peak RSS {rss:6.1f} MB  CPU {cpu:5.2f} s")
    ratio = best["libxml2 SAX (C)"][0] / best["clearance validate"][0]
    rss = best["clearance validate"][1]
    print(f"  ratio (baseline time / clearance time): {ratio:.2f}  (required >= 0.60, goal >= 0.80)")
    print(f"  CPU (user + system, least of {args.runs}): clearance / baseline {best['clearance validate'][2] / best['libxml2 SAX (C)'][2]:.2f}×"
          " (the parse on one thread, the checks on another)")
    print(f"  clearance peak RSS: {rss:.1f} MB  (required <= 64 MB)")
    print("  verdict:", "PASS" if ratio >= 0.6 and rss <= 64 else "FAIL")


if __name__ == "__main__":
    main()
