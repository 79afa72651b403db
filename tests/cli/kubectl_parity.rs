//! `kauth config` against the real `kubectl config`, side by side.
//!
//! Every scenario in `tests/parity/*.txt` runs twice in the same temporary
//! directory (so absolute paths agree): once with kubectl 1.32, once with
//! kauth. After each step the test compares stdout, stderr, the exit status
//! and every file in the directory with its mode. kubectl's stderr has
//! `kubectl` replaced by `kauth`, the only intended difference.
//!
//! Scenario syntax (one scenario per `## name` header):
//! ```text
//! ## name
//! file multi.yaml                 copy tests/fixtures/kubeconfig/multi.yaml
//! file certs/ca.crt = ca.crt      copy a fixture under another name
//! write a.yaml                    inline content up to a line `end`
//! mode a.yaml 644                 chmod (octal)
//! link a.yaml -> real.yaml        a symbolic link
//! dir certs                       an empty directory
//! env KUBECONFIG=a.yaml:b.yaml    environment for the steps
//! $ config view --minify          a step, compared in full
//! $? config use-context           a step whose stdout is kubectl's help
//!                                 text: everything but stdout is compared
//! $~ config get-clusters          stdout compared as sorted lines
//! $! config view                  stderr not compared: kauth's error says
//!                                 more than kubectl's, on purpose
//! $> config view -o go-template=…  stdout compared up to where kubectl
//!                                 starts its debug dump of a template
//!                                 error (which kauth leaves out)
//! ```
//! `HOME` is `./home` inside the directory, so `~/.kube/config` is compared
//! too. The reference binary is `kubectl.1.32` next to the file that
//! `kubectl` on `PATH` resolves to, or `$KAUTH_TEST_KUBECTL`.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const MIN_SCENARIOS: usize = 150;

#[derive(Debug, Clone)]
enum Setup {
    Copy { dest: String, fixture: String },
    Write { dest: String, text: String },
    Mode { dest: String, mode: u32 },
    Dir { dest: String },
    Link { dest: String, target: String },
}

/// What a step compares besides the exit status and the files.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Compare {
    /// stdout and stderr, byte for byte.
    All,
    /// stderr only: kubectl's stdout is its own help text.
    NoStdout,
    /// stdout as a set of lines: kubectl prints a Go map in random order.
    SortedStdout,
    /// stdout only: kauth's error says more than kubectl's (a line
    /// number), by design; both must still print an error.
    NoStderr,
    /// Everything, kubectl's stdout cut where its dump after a template's
    /// execution error starts: the dump holds the whole object, secrets
    /// included, and kauth does not print it.
    BeforeDump,
}

/// How kubectl's go-template printer starts the dump it writes to stdout
/// after an execution error.
const DUMP_START: &str = "Error executing template: ";

#[derive(Debug, Clone)]
struct Step {
    args: Vec<String>,
    compare: Compare,
    line: usize,
}

#[derive(Debug, Clone)]
struct Scenario {
    name: String,
    source: String,
    setup: Vec<Setup>,
    env: Vec<(String, String)>,
    steps: Vec<Step>,
}

#[derive(Debug, PartialEq)]
struct Outcome {
    stdout: String,
    stderr: String,
    status: Option<i32>,
    files: Files,
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

use crate::support::kubectl as find_kubectl;

fn parse_scenarios(source: &str, text: &str) -> Vec<Scenario> {
    let mut out: Vec<Scenario> = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let line_no = n + 1;
        let trimmed = line.trim_end();
        if let Some(name) = trimmed.strip_prefix("## ") {
            out.push(Scenario {
                name: name.trim().to_string(),
                source: source.to_string(),
                setup: Vec::new(),
                env: Vec::new(),
                steps: Vec::new(),
            });
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let scenario = out
            .last_mut()
            .unwrap_or_else(|| panic!("{source}:{line_no}: text before the first `## name`"));
        let (word, rest) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
        let rest = rest.trim();
        match word {
            "file" => {
                let (dest, fixture) = match rest.split_once(" = ") {
                    Some((d, f)) => (d.trim(), f.trim()),
                    None => (rest, rest.rsplit('/').next().unwrap_or(rest)),
                };
                scenario.setup.push(Setup::Copy {
                    dest: dest.to_string(),
                    fixture: fixture.to_string(),
                });
            }
            "write" => {
                let mut body = String::new();
                for (_, l) in lines.by_ref() {
                    if l.trim_end() == "end" {
                        break;
                    }
                    body.push_str(l);
                    body.push('\n');
                }
                scenario.setup.push(Setup::Write {
                    dest: rest.to_string(),
                    text: body,
                });
            }
            "mode" => {
                let (dest, mode) = rest.split_once(' ').expect("mode FILE OCTAL");
                scenario.setup.push(Setup::Mode {
                    dest: dest.to_string(),
                    mode: u32::from_str_radix(mode.trim(), 8).expect("octal mode"),
                });
            }
            "dir" => scenario.setup.push(Setup::Dir {
                dest: rest.to_string(),
            }),
            "link" => {
                let (dest, target) = rest.split_once(" -> ").expect("link NAME -> TARGET");
                scenario.setup.push(Setup::Link {
                    dest: dest.to_string(),
                    target: target.to_string(),
                });
            }
            "env" => {
                let (k, v) = rest.split_once('=').expect("env K=V");
                scenario.env.push((k.to_string(), v.to_string()));
            }
            "$" | "$?" | "$~" | "$!" | "$>" => {
                let args = shell_words::split(rest)
                    .unwrap_or_else(|e| panic!("{source}:{line_no}: cannot split arguments: {e}"));
                let compare = match word {
                    "$" => Compare::All,
                    "$?" => Compare::NoStdout,
                    "$~" => Compare::SortedStdout,
                    "$>" => Compare::BeforeDump,
                    _ => Compare::NoStderr,
                };
                scenario.steps.push(Step {
                    args,
                    compare,
                    line: line_no,
                });
            }
            other => panic!("{source}:{line_no}: unknown directive `{other}`"),
        }
    }
    out
}

fn prepare(dir: &Path, scenario: &Scenario) {
    if dir.exists() {
        std::fs::remove_dir_all(dir).unwrap();
    }
    std::fs::create_dir_all(dir.join("home")).unwrap();
    let fixtures = manifest_dir().join("tests/fixtures/kubeconfig");
    for s in &scenario.setup {
        match s {
            Setup::Copy { dest, fixture } => {
                let target = dir.join(dest);
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::copy(fixtures.join(fixture), &target)
                    .unwrap_or_else(|e| panic!("{}: fixture {fixture}: {e}", scenario.name));
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
            }
            Setup::Write { dest, text } => {
                let target = dir.join(dest);
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::write(&target, text).unwrap();
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
            }
            Setup::Mode { dest, mode } => {
                std::fs::set_permissions(dir.join(dest), std::fs::Permissions::from_mode(*mode))
                    .unwrap();
            }
            Setup::Dir { dest } => std::fs::create_dir_all(dir.join(dest)).unwrap(),
            Setup::Link { dest, target } => {
                std::os::unix::fs::symlink(target, dir.join(dest)).unwrap()
            }
        }
    }
}

fn snapshot(dir: &Path) -> BTreeMap<String, (u32, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, (u32, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                out.insert(rel, (0, format!("-> {}", target.display())));
            } else if meta.is_dir() {
                out.insert(format!("{rel}/"), (mode, String::new()));
                walk(root, &path, out);
            } else {
                let bytes = std::fs::read(&path).unwrap_or_default();
                out.insert(rel, (mode, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn run_all(
    bin: &Path,
    dir: &Path,
    state: &Path,
    scenario: &Scenario,
    is_kubectl: bool,
) -> Vec<Outcome> {
    prepare(dir, scenario);
    let mut outcomes = vec![Outcome {
        stdout: String::new(),
        stderr: String::new(),
        status: None,
        files: snapshot(dir),
    }];
    for step in &scenario.steps {
        let mut cmd = Command::new(bin);
        cmd.args(&step.args)
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.join("home"))
            .env("XDG_STATE_HOME", state)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        for (k, v) in &scenario.env {
            cmd.env(k, v);
        }
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", bin.display()));
        let mut stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if is_kubectl {
            stderr = stderr.replace("kubectl", "kauth");
        }
        let mut stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        match step.compare {
            Compare::All | Compare::NoStderr => {}
            Compare::NoStdout => stdout.clear(),
            Compare::BeforeDump if is_kubectl => {
                let at = stdout.find(DUMP_START).unwrap_or_else(|| {
                    panic!(
                        "{}: kubectl printed no template error dump:\n{stdout}",
                        scenario.name
                    )
                });
                stdout.truncate(at);
            }
            Compare::BeforeDump => {}
            Compare::SortedStdout => {
                let mut lines: Vec<&str> = stdout.lines().collect();
                lines.sort_unstable();
                stdout = lines.join("\n");
            }
        }
        if step.compare == Compare::NoStderr {
            assert!(
                !stderr.is_empty(),
                "{}: {} printed no error",
                scenario.name,
                bin.display()
            );
            stderr = "(an error)".to_string();
        }
        outcomes.push(Outcome {
            stdout,
            stderr,
            status: out.status.code(),
            files: snapshot(dir),
        });
    }
    outcomes
}

/// A unified diff of kubectl's text against kauth's.
fn diff(a: &str, b: &str) -> String {
    similar::TextDiff::from_lines(a, b)
        .unified_diff()
        .context_radius(2)
        .header("kubectl", "kauth")
        .to_string()
}

/// Whether kauth's step agrees with kubectl's: the same output and status,
/// and the same files, except that a kubeconfig kubectl did not write
/// (kubectl's `config view --raw` of it is not its own text) may differ in
/// bytes where kauth kept its comments and layout (`lossless` edits): it
/// must then hold the same document, and keep every comment line.
fn agrees(kubectl: &Path, before: &Files, want: &Outcome, got: &Outcome) -> bool {
    want.stdout == got.stdout
        && want.stderr == got.stderr
        && want.status == got.status
        && want.files.len() == got.files.len()
        && want.files.iter().all(|(name, w)| {
            got.files
                .get(name)
                .is_some_and(|g| same_file(kubectl, before.get(name), w, g))
        })
}

type Files = BTreeMap<String, (u32, String)>;

fn same_file(
    kubectl: &Path,
    before: Option<&(u32, String)>,
    want: &(u32, String),
    got: &(u32, String),
) -> bool {
    if want == got {
        return true;
    }
    let Some((_, before)) = before else {
        return false;
    };
    if want.0 != got.0 || before.trim().is_empty() || before.starts_with('{') {
        return false;
    }
    let tmp = tempfile::tempdir().unwrap();
    let view = |text: &str, name: &str, json: bool| {
        let file = tmp.path().join(name);
        std::fs::write(&file, text).unwrap();
        let mut args = vec!["config", "view", "--raw"];
        if json {
            args.extend(["-o", "json"]);
        }
        let out = Command::new(kubectl)
            .args(&args)
            .env_clear()
            .env("KUBECONFIG", &file)
            .env("HOME", tmp.path())
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let kubectl_wrote_it = view(before, "before", false).as_deref() == Some(before.as_str());
    let comments_kept = before
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
        .all(|l| got.1.contains(l));
    !kubectl_wrote_it
        && comments_kept
        && view(&want.1, "kubectl", true).is_some()
        && view(&want.1, "kubectl", true) == view(&got.1, "kauth", true)
}

fn describe(kubectl: &Path, before: &Files, want: &Outcome, got: &Outcome) -> String {
    let mut s = String::new();
    if want.status != got.status {
        s += &format!(
            "  exit status: kubectl {:?}, kauth {:?}\n",
            want.status, got.status
        );
    }
    for (what, a, b) in [
        ("stdout", &want.stdout, &got.stdout),
        ("stderr", &want.stderr, &got.stderr),
    ] {
        if a != b {
            s += &format!("  {what} differs:\n{}", diff(a, b));
        }
    }
    let names: std::collections::BTreeSet<&String> =
        want.files.keys().chain(got.files.keys()).collect();
    for name in names {
        match (want.files.get(name), got.files.get(name)) {
            (Some(a), Some(b)) if same_file(kubectl, before.get(name), a, b) => {}
            (Some((ma, ta)), Some((mb, tb))) => {
                if ma != mb {
                    s += &format!("  {name}: mode kubectl {ma:o}, kauth {mb:o}\n");
                }
                if ta != tb {
                    s += &format!("  {name} differs:\n{}", diff(ta, tb));
                }
            }
            (Some(_), None) => s += &format!("  {name}: written by kubectl only\n"),
            (None, Some(_)) => s += &format!("  {name}: written by kauth only\n"),
            (None, None) => {}
        }
    }
    s
}

fn load_all() -> Vec<Scenario> {
    let dir = manifest_dir().join("tests/parity");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    let mut all = Vec::new();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        all.extend(parse_scenarios(
            &name,
            &std::fs::read_to_string(&f).unwrap(),
        ));
    }
    all
}

#[test]
fn scenario_files_are_well_formed() {
    let all = load_all();
    assert!(
        all.len() >= MIN_SCENARIOS,
        "{} scenarios, at least {MIN_SCENARIOS} expected",
        all.len()
    );
    let mut seen = std::collections::BTreeSet::new();
    for s in &all {
        assert!(
            !s.steps.is_empty(),
            "{}: scenario {} has no step",
            s.source,
            s.name
        );
        assert!(
            seen.insert(s.name.clone()),
            "scenario name {} used twice",
            s.name
        );
    }
}

#[test]
fn kauth_config_matches_kubectl_config() {
    let Some(kubectl) = find_kubectl() else {
        eprintln!(
            "skipping kubectl parity: kubectl.1.32 not found next to `kubectl` on PATH (set KAUTH_TEST_KUBECTL)"
        );
        return;
    };
    let kauth = PathBuf::from(env!("CARGO_BIN_EXE_kauth"));
    let filter = std::env::var("KAUTH_PARITY_FILTER").unwrap_or_default();
    let scenarios: Vec<Scenario> = load_all()
        .into_iter()
        .filter(|s| filter.is_empty() || s.name.contains(&filter))
        .collect();
    let workers = 2;
    let chunks: Vec<Vec<Scenario>> = (0..workers)
        .map(|w| scenarios.iter().skip(w).step_by(workers).cloned().collect())
        .collect();
    let failures: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                let (kubectl, kauth) = (kubectl.clone(), kauth.clone());
                scope.spawn(move || {
                    let tmp = tempfile::tempdir().unwrap();
                    let mut failures = Vec::new();
                    for s in chunk {
                        let dir = tmp.path().join("w");
                        let want =
                            run_all(&kubectl, &dir, &tmp.path().join("state-kubectl"), s, true);
                        let got = run_all(&kauth, &dir, &tmp.path().join("state-kauth"), s, false);
                        let steps = s.steps.iter().zip(&want[1..]).zip(&got[1..]);
                        for (n, ((step, w), g)) in steps.enumerate() {
                            let before = &got[n].files;
                            if !agrees(&kubectl, before, w, g) {
                                failures.push(format!(
                                    "{}:{} [{}] `{}`\n{}",
                                    s.source,
                                    step.line,
                                    s.name,
                                    step.args.join(" "),
                                    describe(&kubectl, before, w, g)
                                ));
                                break;
                            }
                        }
                    }
                    failures
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let steps: usize = scenarios.iter().map(|s| s.steps.len()).sum();
    eprintln!(
        "kubectl parity: {} scenarios, {steps} steps",
        scenarios.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} scenarios differ from kubectl:\n\n{}",
        failures.len(),
        scenarios.len(),
        failures.join("\n")
    );
}

/// A long `KUBECONFIG` list (six files, hundreds of overlapping names)
/// merges as kubectl merges it: the first file that names an entry wins,
/// `current-context` comes from the first file that sets one, and the
/// order of the list decides, not the size or order of reading.
#[test]
fn a_long_kubeconfig_list_merges_as_kubectl_merges_it() {
    let Some(kubectl) = crate::support::kubectl() else {
        panic!("kubectl.1.32 is needed: it is the reference");
    };
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for i in 0..6 {
        // Later files repeat names of earlier ones with other values; file
        // 0 is the smallest, so it is not the first to be read.
        let per_file = if i == 0 { 20 } else { 300 };
        let mut text = String::from("apiVersion: v1\nkind: Config\n");
        if i >= 2 {
            text.push_str(&format!("current-context: ctx-{}\n", i * 100 + 7));
        }
        text.push_str("clusters:\n");
        for j in 0..per_file {
            text.push_str(&format!(
                "- name: cluster-{}\n  cluster:\n    server: https://{i}.{j}.example:6443\n    certificate-authority-data: {}\n",
                j + i * 100,
                "QUJD".repeat(100)
            ));
        }
        text.push_str("users:\n");
        for j in 0..per_file {
            text.push_str(&format!(
                "- name: user-{}\n  user:\n    token: t-{i}-{j}\n",
                j + i * 100
            ));
        }
        text.push_str("contexts:\n");
        for j in 0..per_file {
            text.push_str(&format!(
                "- name: ctx-{}\n  context:\n    cluster: cluster-{}\n    user: user-{}\n",
                j + i * 100,
                j + i * 50,
                j + i * 150
            ));
        }
        let file = dir.path().join(format!("config-{i}"));
        std::fs::write(&file, text).unwrap();
        files.push(file);
    }
    let list = std::env::join_paths(&files).unwrap();
    for args in [
        &["config", "view"][..],
        &["config", "view", "--raw", "--minify"],
        &["config", "get-contexts"],
        &["config", "current-context"],
    ] {
        let theirs = std::process::Command::new(&kubectl)
            .args(args)
            .env("KUBECONFIG", &list)
            .env("HOME", dir.path())
            .output()
            .unwrap();
        let ours = crate::support::kauth(dir.path(), Path::new(&list), args, None);
        assert_eq!(theirs.status.code(), Some(0), "{args:?}");
        assert_eq!(ours.code, 0, "{args:?}: {}", ours.stderr);
        assert!(
            ours.stdout == String::from_utf8_lossy(&theirs.stdout),
            "{args:?}:\n{}",
            diff(&String::from_utf8_lossy(&theirs.stdout), &ours.stdout)
        );
    }
}
