#!/usr/bin/env python3
"""kauth config vs kubectl config, timed in the same run.

Usage: python3 bench/config_bench.py [--runs N] [--kubectl PATH] [--kauth-only]

Builds kauth in release mode, then times `config current-context`,
`config get-contexts`,
`config view --minify`, `config use-context` and the shell completion of
context names (a TAB) with kauth and with
kubectl 1.32 on (a) one small kubeconfig and (b) 20 files holding 2,000
contexts (with clusters and users) in a KUBECONFIG list, and `config view`
of one 50 MB file. Prints the
median wall time of each, the ratio kubectl/kauth, and the peak RSS of
each tool (from wait4's rusage, taken through bench/peak_rss.rs).

Then kauth's own `config lint` and `config prune` on the 20-file set (kubectl
has neither, so kauth alone): lint as text and JSON (it reports 4,000
findings there: each user's static token, each cluster's CA data that is not
a certificate), `prune --dry-run`, `prune` with nothing to prune (the locked
pass alone), and `prune` removing one unused cluster and user from each file
(the set rewritten before each run, outside the timing).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def find_kubectl():
    kubectl = shutil.which("kubectl")
    if not kubectl:
        return None
    candidate = os.path.join(os.path.dirname(os.path.realpath(kubectl)), "kubectl.1.32")
    return candidate if os.path.isfile(candidate) else None


def small_config(path):
    with open(path, "w") as f:
        f.write(open(os.path.join(ROOT, "tests/fixtures/kubeconfig/multi.yaml")).read())


def large_set(dir_, files=20, per_file=100):
    paths = []
    for i in range(files):
        p = os.path.join(dir_, f"config-{i:02}.yaml")
        lines = ["apiVersion: v1", "kind: Config"]
        if i == 0:
            lines.append("current-context: ctx-00-000")
        lines.append("clusters:")
        for j in range(per_file):
            lines += [f"- name: cluster-{i:02}-{j:03}", "  cluster:",
                      f"    server: https://{i}.{j}.example.com:6443",
                      "    certificate-authority-data: " + "QUJD" * 200]
        lines.append("users:")
        for j in range(per_file):
            lines += [f"- name: user-{i:02}-{j:03}", "  user:",
                      f"    token: token-{i}-{j}-" + "x" * 40]
        lines.append("contexts:")
        for j in range(per_file):
            lines += [f"- name: ctx-{i:02}-{j:03}", "  context:",
                      f"    cluster: cluster-{i:02}-{j:03}",
                      f"    user: user-{i:02}-{j:03}",
                      f"    namespace: ns-{j}"]
        with open(p, "w") as f:
            f.write("\n".join(lines) + "\n")
        paths.append(p)
    return paths


PEAK_RSS = os.path.join(ROOT, "target", "peak_rss")


def run_once(argv, env, cwd, ok=(0,)):
    """Wall time of one run (spawned directly) and its peak RSS in KiB
    (from a second run under the small peak_rss helper). `ok`: the exit
    statuses that are not a failure (`config lint` exits 1 on findings)."""
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        sys.exit(f"{' '.join(argv)} failed: {proc.stderr.decode()}")
    rss = subprocess.run([PEAK_RSS] + argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    return elapsed, int(rss.stderr.decode().strip().splitlines()[-1])


def measure(argv, env, cwd, runs, ok=(0,), setup=None):
    """Median wall time and peak RSS; `setup` runs before each run (and
    before the rss run), outside the timing."""
    if setup:
        setup()
    run_once(argv, env, cwd, ok)  # warm the page cache
    times, peaks = [], []
    for _ in range(runs):
        if setup:
            setup()
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t = time.perf_counter() - start
        if proc.returncode not in ok:
            sys.exit(f"{' '.join(argv)} failed: {proc.stderr.decode()}")
        if setup:
            setup()
        rss = subprocess.run([PEAK_RSS] + argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        times.append(t)
        peaks.append(int(rss.stderr.decode().strip().splitlines()[-1]))
    return statistics.median(times), max(peaks)


def with_unused(paths):
    """The 20-file set plus one unused cluster and user in each file."""
    for i, p in enumerate(paths):
        text = open(p).read()
        text = text.replace("clusters:\n", f"clusters:\n- name: spare-{i:02}\n  cluster:\n    server: https://spare.example.com\n", 1)
        text = text.replace("users:\n", f"users:\n- name: spare-{i:02}\n  user: {{}}\n", 1)
        with open(p, "w") as f:
            f.write(text)


def kauth_only(kauth, large, tmp, runs):
    """`config lint`, `config prune` and `config import` on the 20-file
    set: kauth alone (kubectl's merge, `config view --flatten` over the
    list, is the `view --minify` row's cost without the write)."""
    env = dict(os.environ, KUBECONFIG=":".join(large), HOME=tmp)
    print()
    print(f"{'20 files, 2000 contexts':<26}{'kauth only':<26}{'time':>10}{'RSS':>11}")

    def regenerate():
        for p in large:
            if os.path.exists(p):
                os.remove(p)
        large_set(os.path.dirname(large[0]))
        with_unused(large)

    rows = [("lint", ["config", "lint"], (1,), None),
            ("lint -o json", ["config", "lint", "-o", "json"], (1,), None),
            ("prune --dry-run", ["config", "prune", "--dry-run"], (0,), None),
            ("prune (nothing to do)", ["config", "prune"], (0,), None),
            ("prune (40 entries)", ["config", "prune"], (0,), regenerate)]
    merged = os.path.join(tmp, "merged.yaml")

    def fresh_target():
        if os.path.exists(merged):
            os.remove(merged)

    rows.append(("import (20 files, new file)",
                 ["config", "import", *large, "--into", merged], (0,), fresh_target))
    rows.append(("import again (all identical)",
                 ["config", "import", *large, "--into", merged], (0,), None))
    for name, argv, ok, setup in rows:
        t, rss = measure([kauth] + argv, env, tmp, runs, ok, setup)
        print(f"{'':<26}{name:<26}{t*1000:>8.1f}ms{rss/1024:>9.1f}MB")
    # Leave the set as the other measurements found it.
    for p in large:
        if os.path.exists(p):
            os.remove(p)
    large_set(os.path.dirname(large[0]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--kubectl", default=find_kubectl())
    ap.add_argument("--kauth-only", action="store_true",
                    help="only kauth's own lint and prune timings (no kubectl)")
    args = ap.parse_args()
    if not args.kubectl and not args.kauth_only:
        sys.exit("kubectl.1.32 not found next to `kubectl` on PATH; pass --kubectl")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    subprocess.run(["rustc", "-O", "--edition", "2024", os.path.join(ROOT, "bench/peak_rss.rs"),
                    "-o", PEAK_RSS], check=True)
    kauth = os.path.join(ROOT, "target/release/kauth")

    with tempfile.TemporaryDirectory() as tmp:
        small = os.path.join(tmp, "small.yaml")
        small_config(small)
        os.mkdir(os.path.join(tmp, "large"))
        large = large_set(os.path.join(tmp, "large"))
        if args.kauth_only:
            kauth_only(kauth, large, tmp, args.runs)
            return
        sets = [("small file", small, "prod", "dev"),
                ("20 files, 2000 contexts", ":".join(large), "ctx-19-099", "ctx-00-000")]
        commands = [("current-context", lambda a, b: ["config", "current-context"]),
                    ("get-contexts", lambda a, b: ["config", "get-contexts"]),
                    ("view --minify", lambda a, b: ["config", "view", "--minify"]),
                    ("use-context", None),
                    ("TAB use-context", "complete")]
        print(f"{'set':<26}{'command':<18}{'kubectl':>10}{'kauth':>10}{'ratio':>8}{'kubectl RSS':>13}{'kauth RSS':>11}{'RSS ratio':>10}")
        for set_name, kubeconfig, ctx_a, ctx_b in sets:
            env = dict(os.environ, KUBECONFIG=kubeconfig, HOME=tmp)
            for cmd_name, make in commands:
                if make is None:
                    # Alternate between two contexts so each run writes.
                    results = {}
                    for tool, binary in (("kubectl", args.kubectl), ("kauth", kauth)):
                        times, peaks = [], []
                        for i in range(args.runs + 1):
                            target = ctx_a if i % 2 == 0 else ctx_b
                            t, rss = run_once([binary, "config", "use-context", target], env, tmp)
                            if i:
                                times.append(t)
                                peaks.append(rss)
                        results[tool] = (statistics.median(times), max(peaks))
                elif make == "complete":
                    # Shell completion of context names: kubectl's cobra
                    # protocol against kauth's (what a TAB costs; after
                    # the first, kauth reads the names it kept).
                    kenv = dict(env, COMPLETE="fish")
                    results = {"kubectl": measure([args.kubectl, "__complete", "config", "use-context", ""], env, tmp, args.runs),
                               "kauth": measure([kauth, "--", "kauth", "config", "use-context", ""], kenv, tmp, args.runs)}
                else:
                    argv = make(ctx_a, ctx_b)
                    results = {tool: measure([binary] + argv, env, tmp, args.runs)
                               for tool, binary in (("kubectl", args.kubectl), ("kauth", kauth))}
                (kt, km), (ot, om) = results["kubectl"], results["kauth"]
                print(f"{set_name:<26}{cmd_name:<18}{kt*1000:>8.1f}ms{ot*1000:>8.1f}ms{kt/ot:>7.1f}x"
                      f"{km/1024:>11.1f}MB{om/1024:>9.1f}MB{om/km:>10.2f}")

        # One 50 MB kubeconfig (44,700 contexts in one file), viewed whole.
        big = os.path.join(tmp, "big.yaml")
        large_set(os.path.join(tmp, "large"), files=1, per_file=44700)
        os.replace(os.path.join(tmp, "large", "config-00.yaml"), big)
        size = os.path.getsize(big) / 1e6
        env = dict(os.environ, KUBECONFIG=big, HOME=tmp)
        results = {tool: measure([binary, "config", "view"], env, tmp, max(3, args.runs // 5))
                   for tool, binary in (("kubectl", args.kubectl), ("kauth", kauth))}
        (kt, km), (ot, om) = results["kubectl"], results["kauth"]
        print(f"{f'one {size:.0f} MB file':<26}{'view':<18}{kt*1000:>8.1f}ms{ot*1000:>8.1f}ms{kt/ot:>7.1f}x"
              f"{km/1024:>11.1f}MB{om/1024:>9.1f}MB{om/km:>10.2f}")

        # The 50 MB file was made in the set's directory: the set again.
        large = large_set(os.path.join(tmp, "large"))
        kauth_only(kauth, large, tmp, args.runs)


if __name__ == "__main__":
    main()
