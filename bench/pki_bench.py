#!/usr/bin/env python3
"""kauth against the openssl CLI, timed in the same run.

Usage: python3 bench/pki_bench.py [--runs N] [--count N]

Cases: RSA-2048 and P-256 key generation; a full issue (key, CSR, CA
signature: three openssl commands, one kauth command); and issuing --count
(default 1,000) ECDSA client certificates. Prints each median or total
time and the ratio openssl/kauth (above 1 means kauth is faster).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(argv, cwd, env=None):
    subprocess.run(argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def timed(fn, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--count", type=int, default=1000)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    kauth = os.path.join(ROOT, "target/release/kauth")
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, KAUTH_CAROOT=os.path.join(tmp, "kauth-ca"))
        run([kauth, "ca", "init"], tmp, env)
        run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"], tmp)
        run(["openssl", "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=bench-ca", "-days", "30", "-out", "ca.crt"], tmp)

        def clean():
            for f in os.listdir(tmp):
                if f.startswith("u"):
                    os.remove(os.path.join(tmp, f))

        cases = []

        def o_rsa():
            run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "u.key"], tmp)
            clean()

        def k_rsa():
            run([kauth, "key", "generate", "--algorithm", "rsa", "-o", "u.key"], tmp, env)
            clean()

        cases.append(("RSA-2048 key", o_rsa, k_rsa))

        def o_ec():
            run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "u.key"], tmp)
            clean()

        def k_ec():
            run([kauth, "key", "generate", "--algorithm", "ecdsa-p256", "-o", "u.key"], tmp, env)
            clean()

        cases.append(("P-256 key", o_ec, k_ec))

        def o_issue(name="u"):
            run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f"{name}.key"], tmp)
            run(["openssl", "req", "-new", "-key", f"{name}.key", "-subj", "/O=dev/CN=kfree", "-out", f"{name}.csr"], tmp)
            run(["openssl", "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-days", "30", "-out", f"{name}.crt"], tmp)

        def k_issue(name="u"):
            run([kauth, "cert", "issue", "--cn", "kfree", "--group", "dev", "--ca", "ca.crt", "--ca-key", "ca.key", "--days", "30", "--name", name], tmp, env)

        cases.append(("key+CSR+sign issue", lambda: (o_issue(), clean()), lambda: (k_issue(), clean())))

        print(f"{'case':<30}{'openssl':>12}{'kauth':>12}{'ratio':>8}")
        for name, o, k in cases:
            to, tk = timed(o, args.runs), timed(k, args.runs)
            print(f"{name:<30}{to*1000:>10.1f}ms{tk*1000:>10.1f}ms{to/tk:>7.1f}x")

        start = time.perf_counter()
        for i in range(args.count):
            o_issue(f"u{i}")
        to = time.perf_counter() - start
        clean()
        start = time.perf_counter()
        for i in range(args.count):
            k_issue(f"u{i}")
        tk = time.perf_counter() - start
        clean()
        label = f"{args.count} ECDSA certificates"
        print(f"{label:<30}{to:>11.2f}s{tk:>11.2f}s{to/tk:>7.1f}x")


if __name__ == "__main__":
    main()
