//! The files generated from the CLI definition and kept in the repository
//! (`completions/`, `docs/man/`), checked fresh, and the rule that every
//! command's `--help` ends with examples.
//!
//! `KAUTH_BLESS=1 cargo test --bin kauth generated` rewrites the files.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bless() -> bool {
    std::env::var_os("KAUTH_BLESS").is_some()
}

/// Compares `want` (file name -> contents) with the directory, or writes it.
fn check_fresh(dir: &Path, want: &[(String, Vec<u8>)], how: &str) {
    if bless() {
        std::fs::create_dir_all(dir).unwrap();
        for (name, body) in want {
            std::fs::write(dir.join(name), body).unwrap();
        }
        return;
    }
    for (name, body) in want {
        let have = std::fs::read(dir.join(name)).unwrap_or_default();
        assert!(
            have == *body,
            "{} is stale; {how}",
            dir.join(name).display()
        );
    }
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = want.iter().map(|(n, _)| n.clone()).collect();
    expected.sort();
    assert_eq!(
        names,
        expected,
        "{} holds files the CLI no longer makes; {how}",
        dir.display()
    );
}

const HOW: &str = "run `KAUTH_BLESS=1 cargo test --bin kauth generated`";

#[test]
fn completion_scripts_in_the_repository_are_fresh() {
    let files = [
        ("bash", "kauth.bash"),
        ("zsh", "_kauth"),
        ("fish", "kauth.fish"),
        ("powershell", "kauth.ps1"),
        ("elvish", "kauth.elv"),
        ("kubectl", super::complete::KUBECTL_HELPER),
    ];
    let want: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(shell, file)| {
            let script = super::complete::registration(shell).unwrap_or_default();
            assert!(!script.is_empty(), "{shell}");
            (file.to_string(), script.into_bytes())
        })
        .collect();
    check_fresh(&root().join("completions"), &want, HOW);
}

#[test]
fn man_pages_are_fresh() {
    let tmp = tempfile::tempdir().unwrap();
    clap_mangen::generate_to(super::complete::command(), tmp.path()).unwrap();
    let want: Vec<(String, Vec<u8>)> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    assert!(want.iter().any(|(n, _)| n == "kauth-config-use-context.1"));
    check_fresh(&root().join("docs/man"), &want, HOW);
}

#[test]
fn every_command_has_examples_in_its_help() {
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        let path = format!("{path} {}", cmd.get_name()).trim().to_string();
        if cmd.get_subcommands().next().is_none() {
            let help = cmd
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            if !help.contains("Examples:") {
                missing.push(path);
            }
            return;
        }
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            walk(sub, &path, missing);
        }
    }
    let mut cmd = super::complete::command();
    cmd.build();
    let mut missing = Vec::new();
    walk(&cmd, "", &mut missing);
    assert!(
        missing.is_empty(),
        "no Examples: section in --help of: {missing:?}"
    );
}
