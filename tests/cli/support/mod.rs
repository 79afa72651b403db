//! Shared test infrastructure.

#![allow(dead_code)]

pub mod apiserver;
pub mod go;
pub mod hostile_server;
pub mod proxy;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use assert_cmd::cargo::cargo_bin;

/// What a run of the binary printed and returned.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

pub fn kauth(dir: &Path, kubeconfig: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(cargo_bin("kauth"))
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("KUBECONFIG", kubeconfig)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    Run {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap(),
    }
}

/// `kubectl.1.32`, next to the `kubectl` on PATH (or `$KAUTH_TEST_KUBECTL`).
pub fn kubectl() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KAUTH_TEST_KUBECTL") {
        return Some(PathBuf::from(p));
    }
    let on_path = std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join("kubectl"))
        .find(|p| p.is_file())?;
    let versioned = std::fs::canonicalize(on_path)
        .ok()?
        .parent()?
        .join("kubectl.1.32");
    versioned.is_file().then_some(versioned)
}

/// `tests/fixtures/apiserver`: what a real kube-apiserver and kubectl said.
pub fn apiserver_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apiserver")
}

/// Runs `openssl ARGS` in `dir`: whether it succeeded, and its stdout and
/// stderr together.
pub fn openssl(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl on PATH");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// [`openssl`], failing the test with openssl's output when it fails.
pub fn openssl_ok(dir: &std::path::Path, args: &[&str]) {
    let (ok, text) = openssl(dir, args);
    assert!(ok, "openssl {args:?}: {text}");
}

/// How long a test certificate from [`openssl_self_signed`] is valid.
#[derive(Debug, Clone, Copy)]
pub enum Validity {
    /// From now, for this many days.
    Days(u32),
    /// 2020-01-01 to 2020-01-02: long expired.
    Expired,
}

/// A self-signed P-256 certificate `STEM.crt` with its key `STEM.key` in
/// `dir`, made by openssl (`req -x509`, or `ca -selfsign` for the dates
/// `req` cannot set).
pub fn openssl_self_signed(dir: &Path, stem: &str, cn: &str, validity: Validity) {
    let (crt, key) = (format!("{stem}.crt"), format!("{stem}.key"));
    let subj = format!("/CN={cn}");
    let keygen = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ];
    match validity {
        Validity::Days(days) => {
            let days = days.to_string();
            let mut args = vec!["req", "-x509"];
            args.extend(keygen);
            args.extend([
                "-keyout", &key, "-out", &crt, "-subj", &subj, "-days", &days,
            ]);
            openssl_ok(dir, &args);
        }
        Validity::Expired => {
            let work = dir.join(format!(".{stem}-ca"));
            std::fs::create_dir_all(&work).unwrap();
            std::fs::write(
                work.join("ca.cnf"),
                "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n",
            )
            .unwrap();
            std::fs::write(work.join("index.txt"), "").unwrap();
            std::fs::write(work.join("serial"), "01\n").unwrap();
            let mut args = vec!["req", "-new"];
            args.extend(keygen);
            args.extend(["-keyout", "key.pem", "-out", "req.csr", "-subj", &subj]);
            openssl_ok(&work, &args);
            openssl_ok(
                &work,
                &[
                    "ca",
                    "-batch",
                    "-config",
                    "ca.cnf",
                    "-selfsign",
                    "-keyfile",
                    "key.pem",
                    "-in",
                    "req.csr",
                    "-out",
                    "cert.pem",
                    "-notext",
                    "-startdate",
                    "20200101000000Z",
                    "-enddate",
                    "20200102000000Z",
                ],
            );
            std::fs::rename(work.join("cert.pem"), dir.join(&crt)).unwrap();
            std::fs::rename(work.join("key.pem"), dir.join(&key)).unwrap();
            std::fs::remove_dir_all(&work).unwrap();
        }
    }
}
