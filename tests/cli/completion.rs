//! Shell completion through real shells, and kauth as a kubectl plugin.
//! (The generated completion scripts and man pages are checked fresh by
//! the unit tests in `src/cli/generated.rs`.)

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::cargo_bin;

/// Runs bash's completion function for `line` as bash would on TAB.
fn bash_complete(dir: &Path, kubeconfig: &Path, words: &[&str]) -> Vec<String> {
    let bin = cargo_bin("kauth");
    let script = format!(
        "source <(kauth completion bash)\nCOMP_WORDS=({words})\nCOMP_CWORD={cword}\nCOMP_LINE=\"${{COMP_WORDS[*]}}\"\nCOMP_POINT=${{#COMP_LINE}}\nCOMP_TYPE=9\n_clap_complete_kauth kauth \"${{COMP_WORDS[$COMP_CWORD]}}\" \"${{COMP_WORDS[$COMP_CWORD-1]}}\"\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        words = words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(" "),
        cword = words.len() - 1,
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.parent().unwrap().display(),
                std::env::var("PATH").unwrap()
            ),
        )
        .env("KUBECONFIG", kubeconfig)
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

const KUBECONFIG: &str = "apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: east
  cluster: {server: https://10.0.0.1}
- name: west
  cluster: {server: https://10.0.0.2}
contexts:
- name: prod
  context: {cluster: east, user: admin, namespace: web}
- name: staging
  context: {cluster: west, user: ci}
users:
- name: admin
  user: {token: tok-admin}
- name: ci
  user: {token: tok-ci}
";

#[test]
fn bash_completes_names_from_the_kubeconfig_in_effect() {
    let tmp = tempfile::tempdir().unwrap();
    let kc = tmp.path().join("config");
    std::fs::write(&kc, KUBECONFIG).unwrap();
    let got = bash_complete(tmp.path(), &kc, &["kauth", "config", "use-context", "st"]);
    assert_eq!(got, ["staging"]);
    let got = bash_complete(tmp.path(), &kc, &["kauth", "config", "delete-cluster", "w"]);
    assert_eq!(got, ["west"]);
    let got = bash_complete(tmp.path(), &kc, &["kauth", "--user", "c"]);
    assert_eq!(got, ["ci"]);
    let got = bash_complete(
        tmp.path(),
        &kc,
        &["kauth", "auth", "whoami", "--context", ""],
    );
    assert_eq!(got, ["prod", "staging"]);
    // --kubeconfig on the line wins over KUBECONFIG.
    let other = tmp.path().join("other");
    std::fs::write(&other, KUBECONFIG.replace("staging", "qa")).unwrap();
    let got = bash_complete(
        tmp.path(),
        &kc,
        &[
            "kauth",
            "--kubeconfig",
            "other",
            "config",
            "use-context",
            "q",
        ],
    );
    assert_eq!(got, ["qa"]);
    // Enumerated values and subcommands.
    let got = bash_complete(
        tmp.path(),
        &kc,
        &["kauth", "key", "generate", "--algorithm", "ecdsa-"],
    );
    assert_eq!(got, ["ecdsa-p256", "ecdsa-p384"]);
    let got = bash_complete(
        tmp.path(),
        &kc,
        &["kauth", "p12", "export", "--profile", "mo"],
    );
    assert_eq!(got, ["modern"]);
    let got = bash_complete(tmp.path(), &kc, &["kauth", "completion", "p"]);
    assert_eq!(got, ["powershell"]);
    // Paths for file flags.
    std::fs::write(tmp.path().join("kfree.crt"), "x").unwrap();
    let got = bash_complete(
        tmp.path(),
        &kc,
        &["kauth", "cert", "inspect", "--ca", "kfr"],
    );
    assert_eq!(got, ["kfree.crt"]);
    // A missing or broken kubeconfig: no names, no noise.
    let got = bash_complete(
        tmp.path(),
        &tmp.path().join("missing"),
        &["kauth", "config", "use-context", ""],
    );
    assert!(got.iter().all(|c| c.starts_with('-')), "{got:?}");
    std::fs::write(tmp.path().join("broken"), "clusters: [").unwrap();
    let got = bash_complete(
        tmp.path(),
        &tmp.path().join("broken"),
        &["kauth", "config", "use-context", "p"],
    );
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn fish_completes_with_descriptions() {
    let tmp = tempfile::tempdir().unwrap();
    let kc = tmp.path().join("config");
    std::fs::write(&kc, KUBECONFIG).unwrap();
    // fish's registration calls `COMPLETE=fish kauth -- WORDS... CURRENT`;
    // that protocol is what fish runs (fish itself may be absent here).
    let out = Command::new(cargo_bin("kauth"))
        .args(["--", "kauth", "config", "use-context", ""])
        .env("COMPLETE", "fish")
        .env("KUBECONFIG", &kc)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines().any(|l| l == "prod\teast (web) [current]"),
        "{text}"
    );
    assert!(text.lines().any(|l| l == "staging\twest"), "{text}");
    if Command::new("fish").arg("--version").output().is_ok() {
        let script = format!(
            "{}\ncomplete --do-complete 'kauth config use-context st'",
            String::from_utf8(
                Command::new(cargo_bin("kauth"))
                    .args(["completion", "fish"])
                    .output()
                    .unwrap()
                    .stdout
            )
            .unwrap()
        );
        let out = Command::new("fish")
            .args(["--no-config", "-c", &script])
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    cargo_bin("kauth").parent().unwrap().display(),
                    std::env::var("PATH").unwrap()
                ),
            )
            .env("KUBECONFIG", &kc)
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&out.stdout).starts_with("staging"),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn installed_as_kubectl_kauth_it_is_a_kubectl_plugin() {
    let Some(kubectl) = crate::support::kubectl() else {
        eprintln!("kubectl.1.32 not found: plugin test skipped");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(cargo_bin("kauth"), bin.join("kubectl-kauth")).unwrap();
    let kc = tmp.path().join("config");
    std::fs::write(&kc, KUBECONFIG).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let plugin = Command::new(&kubectl)
        .args(["kauth", "config", "get-contexts", "-o", "name"])
        .env("PATH", &path)
        .env("KUBECONFIG", &kc)
        .output()
        .unwrap();
    assert!(
        plugin.status.success(),
        "{}",
        String::from_utf8_lossy(&plugin.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&plugin.stdout), "prod\nstaging\n");
    let list = Command::new(&kubectl)
        .args(["plugin", "list"])
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("kubectl-kauth"),
        "{}",
        String::from_utf8_lossy(&list.stdout)
    );
}

/// `kubectl kauth <TAB>` completes through kubectl's plugin completion:
/// kubectl runs `kubectl_complete-kauth` (the shipped script, or a link to
/// kauth under that name) and reads Cobra's answer.
#[test]
fn kubectl_kauth_tab_completes_through_kubectls_plugin_completion() {
    let Some(kubectl) = crate::support::kubectl() else {
        eprintln!("kubectl.1.32 not found: plugin completion test skipped");
        return;
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/kubectl_complete-kauth");
    for helper in ["link", "script"] {
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        for name in ["kubectl-kauth", "kauth"] {
            std::os::unix::fs::symlink(cargo_bin("kauth"), bin.join(name)).unwrap();
        }
        let target = if helper == "link" {
            cargo_bin("kauth")
        } else {
            script.clone()
        };
        std::os::unix::fs::symlink(target, bin.join("kubectl_complete-kauth")).unwrap();
        let kc = tmp.path().join("config");
        std::fs::write(&kc, KUBECONFIG).unwrap();
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
        let tab = |words: &[&str]| {
            let out = Command::new(&kubectl)
                .arg("__complete")
                .args(words)
                .env("PATH", &path)
                .env("KUBECONFIG", &kc)
                .current_dir(tmp.path())
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        let contexts = tab(&["kauth", "config", "use-context", ""]);
        let values: Vec<&str> = contexts
            .lines()
            .map(|l| l.split('\t').next().unwrap())
            .collect();
        assert_eq!(values, ["prod", "staging", ":4"], "{helper}: {contexts}");
        let commands = tab(&["kauth", "config", "imp"]);
        assert!(commands.starts_with("import\t"), "{helper}: {commands}");
        let paths = tab(&["kauth", "config", "import", "con"]);
        assert!(paths.starts_with("config\n"), "{helper}: {paths}");
    }
}

/// On a long `KUBECONFIG` list whose files take
/// both paths (scanned for names, or decoded in full because of comments
/// and flow mappings), completion offers exactly the names that
/// `config get-contexts`, `get-clusters` and `get-users` list.
#[test]
fn completion_names_are_the_names_the_config_commands_list() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for i in 0..5 {
        let mut text = String::from("apiVersion: v1\nkind: Config\n");
        if i % 2 == 1 {
            text.push_str("# written by hand\n");
        }
        text.push_str("clusters:\n");
        for j in 0..200 {
            let n = j + i * 70;
            if i % 2 == 1 {
                text.push_str(&format!(
                    "- name: c-{n}\n  cluster: {{server: https://{n}}}\n"
                ));
            } else {
                text.push_str(&format!(
                    "- cluster:\n    certificate-authority-data: {}\n    server: https://{n}\n  name: c-{n}\n",
                    "QUJD".repeat(150)
                ));
            }
        }
        text.push_str("contexts:\n");
        for j in 0..200 {
            let n = j + i * 90;
            text.push_str(&format!(
                "- context:\n    cluster: c-{n}\n    user: u-{n}\n  name: \"ctx-{n}\"\n"
            ));
        }
        text.push_str("users:\n");
        for j in 0..200 {
            text.push_str(&format!(
                "- name: u-{}\n  user:\n    token: t\n",
                j + i * 110
            ));
        }
        let file = tmp.path().join(format!("config-{i}"));
        std::fs::write(&file, text).unwrap();
        files.push(file);
    }
    let list = std::env::join_paths(&files).unwrap();
    let list = Path::new(&list);
    for (complete, get) in [
        (
            &["kauth", "config", "use-context", ""][..],
            &["config", "get-contexts", "-o", "name"][..],
        ),
        (
            &["kauth", "config", "delete-cluster", ""],
            &["config", "get-clusters"],
        ),
        (
            &["kauth", "config", "delete-user", ""],
            &["config", "get-users"],
        ),
    ] {
        // An empty word offers the flags too.
        let mut got: Vec<String> = bash_complete(tmp.path(), list, complete)
            .into_iter()
            .filter(|c| !c.starts_with('-'))
            .collect();
        let listed = crate::support::kauth(tmp.path(), list, get, None);
        assert_eq!(listed.code, 0, "{}", listed.stderr);
        let mut want: Vec<String> = listed
            .stdout
            .lines()
            .filter(|l| *l != "NAME")
            .map(String::from)
            .collect();
        got.sort();
        want.sort();
        assert!(want.len() > 400, "{}", want.len());
        assert!(
            got == want,
            "{complete:?}: {} offered, {} listed",
            got.len(),
            want.len()
        );
    }
}

/// A TAB on the first name of a `config` command is answered without
/// clap_complete's engine; a line the shortcut does not take (here with
/// `--v 1`, which changes no candidate) goes through the engine. Both
/// must print the same bytes in every shell, names with characters that
/// zsh escapes and help texts with an escape sequence included.
#[test]
fn the_names_shortcut_answers_as_the_engine_does() {
    let tmp = tempfile::tempdir().unwrap();
    let kc = tmp.path().join("config");
    let text = format!(
        "{KUBECONFIG}- name: \"a:b\\\\c\"\n  context: {{cluster: \"x\\e[31my\", namespace: \"n\\nm\"}}\n- name: é-ctx\n  context: {{cluster: east}}\n"
    )
    .replace("contexts:\n", "contexts:\n- name: zz\n  context:\n    cluster: west\n");
    std::fs::write(
        &kc,
        text.replace("users:", "x-users:")
            .replace("- name: admin", "- name: adm:in")
            + "users:\n- name: \"u\\\\1\"\n- name: u2\n",
    )
    .unwrap();
    let run = |shell: &str, words: &[&str], engine: bool| {
        let mut line: Vec<&str> = vec!["--", "kauth"];
        if engine {
            line.extend(["--v", "1"]);
        }
        line.extend(words);
        let out = Command::new(cargo_bin("kauth"))
            .args(&line)
            .env("COMPLETE", shell)
            .env("_CLAP_COMPLETE_INDEX", (line.len() - 2).to_string())
            .env("KUBECONFIG", &kc)
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let mut compared = 0;
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        for (command, word) in [
            ("use-context", ""),
            ("use-context", "st"),
            ("use-context", "a:"),
            ("delete-context", ""),
            ("rename-context", "p"),
            ("set-context", ""),
            ("get-contexts", ""),
            ("delete-cluster", ""),
            ("set-cluster", "w"),
            ("delete-user", ""),
            ("set-credentials", "u"),
            ("export", ""),
        ] {
            for prefix in [
                &[][..],
                &["--kubeconfig", "config"][..],
                &["--kubeconfig=config"][..],
            ] {
                let mut words: Vec<&str> = prefix.to_vec();
                words.extend(["config", command, word]);
                let fast = run(shell, &words, false);
                let engine = run(shell, &words, true);
                assert!(
                    fast == engine,
                    "{shell} {words:?}:\n{}\n---\n{}",
                    String::from_utf8_lossy(&fast),
                    String::from_utf8_lossy(&engine)
                );
                assert!(!fast.is_empty() || !word.is_empty(), "{shell} {words:?}");
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 180);
}

/// A TAB keeps the names it found in the state directory with each file's
/// identity; a later TAB over the same files reads them back, and any
/// change to a file (even one in place that keeps its size) is seen.
#[test]
fn completion_names_are_kept_until_a_file_changes() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let kc = tmp.path().join("config");
    std::fs::write(&kc, KUBECONFIG).unwrap();
    let tab = || {
        let out = Command::new(cargo_bin("kauth"))
            .args(["--", "kauth", "config", "use-context", ""])
            .env("COMPLETE", "fish")
            .env("KUBECONFIG", &kc)
            .env("XDG_STATE_HOME", &state)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = tab();
    assert!(
        first.starts_with("prod") && first.contains("staging"),
        "{first}"
    );
    let cache = state.join("kauth/completion-names.json");
    assert_eq!(
        std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(tab(), first, "read back from the cache");
    // The same size, written in place: a new name.
    std::fs::write(&kc, KUBECONFIG.replace("staging", "testing")).unwrap();
    let after = tab();
    assert!(
        after.contains("testing") && !after.contains("staging"),
        "{after}"
    );
    // A broken cache is ignored.
    std::fs::write(&cache, "{not json").unwrap();
    assert_eq!(tab(), after);
}
