//! The examples in docs/*.md, run: every ```console block is a session in
//! a fresh directory (HOME and KUBECONFIG inside it, docs/examples/
//! copied in). `$ ` lines are commands (run by bash, stderr merged into
//! stdout); the lines after one are its expected output, where a line
//! `...` stands for any number of lines, `[..]` for any text within a
//! line, and a last line `[exit N]` for a non-zero exit status.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin;

struct Step {
    command: String,
    expected: Vec<String>,
    exit: i32,
    line: usize,
}

fn sessions(text: &str) -> Vec<Vec<Step>> {
    let mut out = Vec::new();
    let mut current: Option<Vec<Step>> = None;
    for (n, line) in text.lines().enumerate() {
        match (&mut current, line.trim_end()) {
            (None, "```console") => current = Some(Vec::new()),
            (Some(_), "```") => out.push(current.take().unwrap()),
            (Some(steps), l) if l.starts_with("$ ") => steps.push(Step {
                command: l[2..].to_string(),
                expected: Vec::new(),
                exit: 0,
                line: n + 1,
            }),
            (Some(steps), l) => {
                let step = steps
                    .last_mut()
                    .unwrap_or_else(|| panic!("line {}: output before any `$ ` command", n + 1));
                match l.strip_prefix("[exit ").and_then(|r| r.strip_suffix(']')) {
                    Some(code) => step.exit = code.parse().unwrap(),
                    None => step.expected.push(l.to_string()),
                }
            }
            (None, _) => {}
        }
    }
    assert!(current.is_none(), "an unclosed ```console block");
    out
}

fn line_matches(pattern: &str, line: &str) -> bool {
    let parts: Vec<&str> = pattern.split("[..]").collect();
    if parts.len() == 1 {
        return pattern == line;
    }
    let mut rest = line;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
    }
    true
}

fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => {
            actual.first().is_some_and(|a| line_matches(first, a)) && matches(rest, &actual[1..])
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn every_example_in_the_docs_runs_as_written() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bin_dir = cargo_bin("kauth").parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    let mut ran = 0;
    let mut failures = Vec::new();
    for doc in &docs {
        let text = std::fs::read_to_string(doc).unwrap();
        for session in sessions(&text) {
            let tmp = tempfile::tempdir().unwrap();
            copy_dir(&root.join("docs/examples"), tmp.path());
            for step in session {
                let out = Command::new("bash")
                    .args(["-c", &format!("exec 2>&1\n{}", step.command)])
                    .current_dir(tmp.path())
                    .env("PATH", &path)
                    .env("HOME", tmp.path())
                    .env("KUBECONFIG", tmp.path().join("config"))
                    .env_remove("COMPLETE")
                    .output()
                    .unwrap();
                ran += 1;
                let stdout = String::from_utf8_lossy(&out.stdout)
                    .replace(&tmp.path().display().to_string(), "$DIR");
                let lines: Vec<&str> = stdout.lines().map(str::trim_end).collect();
                let code = out.status.code().unwrap_or(-1);
                if code != step.exit || !matches(&step.expected, &lines) {
                    failures.push(format!(
                        "{}:{}: $ {}\n--- expected (exit {}):\n{}\n--- got (exit {code}):\n{stdout}",
                        doc.file_name().unwrap().to_string_lossy(),
                        step.line,
                        step.command,
                        step.exit,
                        step.expected.join("\n")
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} examples differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(ran >= 20, "only {ran} examples found in docs/");
}

#[test]
fn the_matcher_can_fail() {
    let e = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(matches(&e(&["a", "...", "z"]), &["a", "b", "c", "z"]));
    assert!(!matches(&e(&["a", "z"]), &["a", "b", "z"]));
    assert!(line_matches(
        "valid until [..] (in 29 days)",
        "valid until 2026-12-23T16:17:13Z (in 29 days)"
    ));
    assert!(!line_matches(
        "valid until [..] (in 29 days)",
        "valid until 2026 (in 30 days)"
    ));
}
