//! Hostile files: whatever a kubeconfig or an RBAC file holds, kauth ends
//! with a one-line error and a non-zero exit (never an abort, a crash or a
//! panic), leaves the file as it was and no lock behind; where kubectl has
//! the same case, kauth refuses what kubectl refuses.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_cmd::cargo::cargo_bin;

use crate::support::kubectl;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile")
        .join(name)
}

fn run(dir: &Path, kubeconfig: &Path, args: &[&str]) -> Output {
    Command::new(cargo_bin("kauth"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.join("home"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("KUBECONFIG", kubeconfig)
        .env("KAUTH_LOCK_TIMEOUT", "5")
        .output()
        .unwrap()
}

fn kubectl_run(kubectl: &Path, dir: &Path, kubeconfig: &Path, args: &[&str]) -> Output {
    Command::new(kubectl)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir.join("home"))
        .env("KUBECONFIG", kubeconfig)
        .output()
        .unwrap()
}

/// The file names in `dir` other than the kubeconfigs the test wrote.
fn leftovers(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "home" && n != "state" && !keep.contains(&n.as_str()))
        .collect()
}

/// A refusal: exit 1 or 2 (not 101, 134 or a signal), one line on stderr
/// holding `needle`.
fn assert_refused(out: &Output, needle: &str, what: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(1 | 2)),
        "{what}: {:?}\n{err}",
        out.status
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{what}: {err}");
    assert!(err.contains(needle), "{what}: {err}");
}

#[test]
fn alias_bombs_and_deep_nesting_are_refused_without_an_abort_or_a_lock() {
    for (name, needle) in [
        ("billion-laughs.yaml", "excessive aliasing"),
        ("deep-sequence.yaml", "exceeded max depth of 10000"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let file = dir.join("config");
        std::fs::copy(fixture(name), &file).unwrap();
        let before = std::fs::read(&file).unwrap();
        for args in [
            &["config", "view"][..],
            &["config", "set-context", "x", "--cluster", "y"],
            &["config", "use-context", "x"],
        ] {
            let out = run(dir, &file, args);
            assert_refused(&out, needle, &format!("{name} {args:?}"));
            assert_eq!(std::fs::read(&file).unwrap(), before, "{name} {args:?}");
            assert!(leftovers(dir, &["config"]).is_empty(), "{name} {args:?}");
        }
        let out = run(
            dir,
            &dir.join("none"),
            &[
                "auth", "can-i", "get", "pods", "--as", "bob", "--rbac", "config",
            ],
        );
        assert_refused(&out, needle, &format!("{name} can-i --rbac"));
        if let Some(kubectl) = kubectl() {
            let out = kubectl_run(&kubectl, dir, &file, &["config", "view"]);
            assert!(!out.status.success(), "kubectl took {name}");
            assert!(String::from_utf8_lossy(&out.stderr).contains(needle));
        }
    }
}

/// A kubeconfig with `depth` nested block sequences inside an extension.
fn nested(depth: usize) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nextensions:\n- name: x\n  extension:\n    y:\n    {}x\n",
        "- ".repeat(depth)
    )
}

/// The deepest document kubectl reads is read, and written back byte for
/// byte as kubectl writes it; one level deeper both refuse.
#[test]
fn nesting_is_limited_where_kubectl_limits_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let file = dir.join("config");
    for depth in [9_995, 9_996, 9_997, 10_001] {
        std::fs::write(&file, nested(depth)).unwrap();
        let out = run(dir, &file, &["config", "view"]);
        let accepted = depth <= 9_996;
        assert_eq!(out.status.success(), accepted, "depth {depth}");
        if !accepted {
            assert_refused(&out, "exceeded max depth of 10000", "deep");
        }
        if let Some(kubectl) = kubectl() {
            let theirs = kubectl_run(&kubectl, dir, &file, &["config", "view"]);
            assert_eq!(theirs.status.success(), accepted, "kubectl, depth {depth}");
            if accepted {
                assert!(out.stdout == theirs.stdout, "depth {depth}: outputs differ");
            }
        }
    }
}

/// A document with an anchored list of `size` scalars, `padding` plain
/// scalars and `aliases` aliases of the list.
fn aliased(size: usize, padding: usize, aliases: usize) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nx: &a [{}]\npad: [{}]\ny: [{}]\n",
        vec!["v"; size].join(","),
        vec!["p"; padding].join(","),
        vec!["*a"; aliases].join(",")
    )
}

/// go-yaml's alias guard (a share of aliased nodes that shrinks as the
/// document grows), case by case beside kubectl: both sides of the
/// 1,000-node floor, the 99% plateau and the sliding ratio near a million
/// nodes.
#[test]
fn aliasing_is_refused_exactly_where_kubectl_refuses_it() {
    let Some(kubectl) = kubectl() else {
        eprintln!("kubectl.1.32 not found: skipped");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let file = dir.join("config");
    let mut cases = Vec::new();
    for aliases in [5, 90, 100, 101, 105, 108, 109, 110, 111, 112, 115, 130] {
        cases.push((1_000, 0, aliases));
    }
    for (size, aliases) in [(1, 200), (9, 110), (10, 101), (11, 100), (50, 20)] {
        cases.push((size, 0, aliases));
    }
    for padding in [0, 5, 10, 20] {
        cases.push((1_000, padding, 130));
    }
    for padding in [180_000, 188_000, 190_000, 192_000, 200_000] {
        cases.push((10_000, padding, 100));
    }
    let (mut refused, mut agree) = (0, 0);
    for &(size, padding, aliases) in &cases {
        std::fs::write(&file, aliased(size, padding, aliases)).unwrap();
        let ours = run(dir, &file, &["config", "view"]);
        let theirs = kubectl_run(&kubectl, dir, &file, &["config", "view"]);
        let kubectl_refused =
            String::from_utf8_lossy(&theirs.stderr).contains("excessive aliasing");
        if kubectl_refused {
            refused += 1;
            assert_refused(
                &ours,
                "excessive aliasing",
                &format!("{size} {padding} {aliases}"),
            );
        } else {
            assert!(ours.status.success(), "{size} {padding} {aliases}");
        }
        agree += 1;
    }
    // The grid has both outcomes, or it tests nothing.
    assert!(
        refused > 0 && refused < agree,
        "{refused} of {agree} refused"
    );
}

/// A byte that is not UTF-8, or a control character, is refused before
/// anything is written: read lossily, the next edit would have rewritten
/// it as U+FFFD.
#[test]
fn bytes_kubectl_refuses_are_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let file = dir.join("config");
    std::fs::copy(fixture("latin1-and-nul.yaml"), &file).unwrap();
    let before = std::fs::read(&file).unwrap();
    for args in [
        &["config", "set-context", "x", "--cluster", "y"][..],
        &["config", "view"],
        &["config", "rename-context", "a", "b"],
    ] {
        let out = run(dir, &file, args);
        assert_refused(
            &out,
            "line 3: invalid trailing UTF-8 octet",
            &format!("{args:?}"),
        );
        assert_eq!(std::fs::read(&file).unwrap(), before);
        assert!(leftovers(dir, &["config"]).is_empty(), "{args:?}");
    }
    let out = run(
        dir,
        &dir.join("none"),
        &[
            "auth", "can-i", "get", "pods", "--as", "bob", "--rbac", "config",
        ],
    );
    assert_refused(&out, "invalid trailing UTF-8 octet", "can-i --rbac");
    let nul_only = String::from_utf8_lossy(&before).replace('\u{fffd}', "e");
    std::fs::write(&file, &nul_only).unwrap();
    let out = run(
        dir,
        &file,
        &["config", "set-context", "x", "--cluster", "y"],
    );
    assert_refused(&out, "line 7: control characters are not allowed", "nul");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), nul_only);
}

/// Byte by byte beside kubectl: each sequence in a quoted value is
/// accepted by both or refused by both with the same reason.
#[test]
fn every_byte_is_judged_as_kubectl_judges_it() {
    let Some(kubectl) = kubectl() else {
        eprintln!("kubectl.1.32 not found: skipped");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let file = dir.join("config");
    // Line breaks are left out: they fold the quoted scalar onto a line of
    // its own, which is the parser's business, not the reader's.
    let mut cases: Vec<Vec<u8>> = (0u8..=0x20)
        .chain(0x7E..=0x86)
        .filter(|b| *b != b'\n' && *b != b'\r')
        .map(|b| vec![b])
        .collect();
    for b in [
        0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xE0, 0xF0, 0xF4, 0xF5, 0xF8, 0xFE, 0xFF,
    ] {
        cases.push(vec![b]);
    }
    for seq in [
        &b"\xc2\x85"[..],
        b"\xc2\x9b",
        b"\xc2\xa0",
        b"\xc0\xaf",
        b"\xe0\x80\xaf",
        b"\xed\xa0\x80",
        b"\xef\xbf\xbd",
        b"\xef\xbf\xbe",
        b"\xef\xbb\xbf",
        b"\xf0\x9f\x98\x80",
        b"\xf4\x90\x80\x80",
        b"\xe2\x82",
    ] {
        cases.push(seq.to_vec());
    }
    let reason = |out: &Output| {
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        out.status
            .success()
            .then(String::new)
            .unwrap_or_else(|| err.rsplit(": ").next().unwrap_or("").trim().to_string())
    };
    let (mut refused, mut agree, mut differ) = (0, 0, Vec::<String>::new());
    for bytes in &cases {
        let mut text = b"apiVersion: v1\nkind: Config\ncurrent-context: \"a".to_vec();
        text.extend_from_slice(bytes);
        text.extend_from_slice(b"b\"\n");
        std::fs::write(&file, &text).unwrap();
        let ours = run(dir, &file, &["config", "current-context"]);
        let theirs = kubectl_run(&kubectl, dir, &file, &["config", "current-context"]);
        let (a, b) = (
            (ours.status.success(), reason(&ours)),
            (theirs.status.success(), reason(&theirs)),
        );
        if a == b {
            agree += 1;
        } else {
            differ.push(format!("{bytes:02x?}: kauth {a:?}, kubectl {b:?}"));
        }
        refused += usize::from(!theirs.status.success());
    }
    assert!(
        differ.is_empty(),
        "{agree} agree, differ:\n{}",
        differ.join("\n")
    );
    assert!(
        refused > 10 && refused < agree,
        "{refused} of {agree} refused"
    );
}

/// Every duration kauth reads goes through one parser with Go's
/// `time.ParseDuration` semantics: the same nanoseconds or the same error,
/// for hostile texts and for generated ones.
#[test]
fn durations_parse_exactly_as_go_parses_them() {
    use kauth_formats::duration;
    let mut go = crate::support::go::Oracle::start("duration");
    let mut texts: Vec<String> = [
        "inf",
        "-1",
        "NaN",
        "0",
        "-0",
        "+0",
        "",
        "-",
        "+",
        ".",
        ".s",
        "1.",
        "1.s",
        "0.5h",
        "99999999999999999999h",
        "9223372036854775807ns",
        "9223372036854775808ns",
        "-9223372036854775808ns",
        "2562047h47m16.854775807s",
        "2562047h47m16.854775808s",
        "-2562047h47m16.854775808s",
        "1.00000000000000000000000000009s",
        "1e3s",
        "1 s",
        "1h-1m",
        "1µs",
        "1μs",
        "1us",
        "1d",
        "1é",
        "\"\\",
        "0x10s",
        "00012s",
        "3h2m1s0.5ms",
    ]
    .map(String::from)
    .to_vec();
    texts.extend(crate::support::go::generated(
        "[-+]?([0-9]{0,21}(\\.[0-9]{0,25})?(ns|us|µs|ms|s|m|h|d|x|)){1,4}",
        3000,
    ));
    crate::support::go::assert_agree(&texts, |text| {
        let answer = go.ask(&serde_json::json!({ "s": text }));
        let theirs = match answer.get("ns") {
            Some(ns) => Ok(ns.as_i64().unwrap()),
            None => Err(answer["error"].as_str().unwrap().to_string()),
        };
        (duration::parse(text).map_err(|e| e.to_string()), theirs)
    });
}

/// What panicked (exit 101) is refused with the flag or variable named,
/// or (a certificate asked to outlive its CA) cut at the CA's end.
#[test]
fn absurd_durations_are_refused_never_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let file = dir.join("config");
    std::fs::write(&file, "apiVersion: v1\nkind: Config\n").unwrap();
    for value in ["inf", "-1", "NaN", "99999999999999999999h"] {
        let out = Command::new(cargo_bin("kauth"))
            .args(["config", "set-context", "x", "--cluster", "y"])
            .current_dir(dir)
            .env("HOME", dir)
            .env("KUBECONFIG", &file)
            .env("KAUTH_LOCK_TIMEOUT", value)
            .output()
            .unwrap();
        assert_refused(&out, "KAUTH_LOCK_TIMEOUT", value);
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "apiVersion: v1\nkind: Config\n"
        );
    }
    let ca = dir.join("ca").to_string_lossy().into_owned();
    let kauth = |args: &[&str]| {
        Command::new(cargo_bin("kauth"))
            .args(args)
            .current_dir(dir)
            .env("HOME", dir)
            .env("KUBECONFIG", &file)
            .env("KAUTH_CAROOT", &ca)
            .output()
            .unwrap()
    };
    let out = kauth(&[
        "cert",
        "issue",
        "--cn",
        "me",
        "--ttl",
        "99999999999999999999h",
    ]);
    assert!(out.status.code() == Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--ttl"));
    let out = kauth(&[
        "auth",
        "whoami",
        "--server",
        "https://127.0.0.1:1",
        "--request-timeout",
        "99999999999999999999h",
    ]);
    assert_refused(
        &out,
        "--request-timeout: time: invalid duration",
        "--request-timeout",
    );
    assert!(kauth(&["key", "generate", "-o", "me.key"]).status.success());
    assert!(
        kauth(&[
            "csr", "create", "--key", "me.key", "--cn", "me", "-o", "me.csr"
        ])
        .status
        .success()
    );
    assert!(
        kauth(&["ca", "init", "--dir", "lab"]).status.success(),
        "ca init"
    );
    let out = kauth(&[
        "cert",
        "sign",
        "--csr",
        "me.csr",
        "--ca",
        "lab/ca.crt",
        "--ca-key",
        "lab/ca.key",
        "--days",
        "4000000",
        "-o",
        "me.crt",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kauth(&["cert", "inspect", "me.crt", "-o", "json"]);
    let ca_out = kauth(&["cert", "inspect", "lab/ca.crt", "-o", "json"]);
    let end = |o: &Output| {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["certificate"]["notAfter"].as_str().unwrap().to_string()
    };
    assert_eq!(end(&out), end(&ca_out), "cut at the CA's end");
}
