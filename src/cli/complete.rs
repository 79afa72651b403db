//! Shell completion: the scripts a shell sources (`kauth completion SHELL`),
//! and the candidates kauth computes when the shell asks
//! (`COMPLETE=bash kauth -- kauth config use-context <TAB>`): context,
//! cluster and user names from the kubeconfig in effect, paths for file
//! arguments, and the values of enumerated flags.
//!
//! Completion never fails and never prints anything but candidates: a
//! missing or broken kubeconfig gives no names.

use std::ffi::OsString;

use clap::{Arg, CommandFactory, ValueHint};
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use clap_complete::env::{CompleteEnv, EnvCompleter, Shells};

use kauth_store::kubeconfig::PathOptions;

/// The shells kauth writes completion for, and `kubectl` (the helper
/// kubectl runs for `kubectl kauth <TAB>`).
pub const SHELLS: [&str; 6] = ["bash", "zsh", "fish", "powershell", "elvish", "kubectl"];

/// The name kubectl looks for on `PATH` to complete `kubectl kauth ...`.
pub const KUBECTL_HELPER: &str = "kubectl_complete-kauth";

/// Answers the shell when `COMPLETE` is set; returns otherwise.
pub fn complete_env() {
    // Every run passes here: leave before clap_complete collects the
    // arguments and the working directory.
    let invoked_as = std::env::args_os().next().unwrap_or_default();
    if std::path::Path::new(&invoked_as).file_name() == Some(KUBECTL_HELPER.as_ref()) {
        let words: Vec<String> = std::env::args().skip(1).collect();
        std::process::exit(kubectl_plugin(&words));
    }
    match std::env::var_os("COMPLETE") {
        None => return,
        Some(v) if v.is_empty() => return,
        Some(v) if v == "kubectl" => {
            let words: Vec<String> = std::env::args().skip_while(|a| a != "--").skip(2).collect();
            std::process::exit(kubectl_plugin(&words));
        }
        Some(shell) => {
            let args: Vec<OsString> = std::env::args_os().collect();
            if let Some(answer) = shell.to_str().and_then(|shell| names_alone(shell, &args)) {
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                if let Err(e) = out.write_all(&answer).and_then(|()| out.flush()) {
                    clap::Error::from(e).exit();
                }
                std::process::exit(0);
            }
        }
    }
    // Only the subcommands on the line being completed need their path
    // hints: the shell never asks about the others.
    let words: Vec<String> = std::env::args().skip_while(|a| a != "--").skip(2).collect();
    CompleteEnv::with_factory(move || command_along(&words))
        .completer("kauth")
        .complete();
}

/// kubectl's plugin completion (kubectl 1.26 and later): for
/// `kubectl kauth WORDS<TAB>` kubectl runs `kubectl_complete-kauth WORDS`
/// (the last word the one being completed, maybe empty) and reads Cobra's
/// `__complete` answer: one candidate per line, `value<TAB>help`, then
/// `:DIRECTIVE` (4: no file completion by the shell, as kauth lists paths
/// itself; 6 adds no space after a directory).
fn kubectl_plugin(words: &[String]) -> i32 {
    let mut words = words.to_vec();
    if words.is_empty() {
        words.push(String::new());
    }
    let mut cmd = command_along(&words);
    let mut args: Vec<std::ffi::OsString> = vec!["kauth".into()];
    args.extend(words.iter().map(Into::into));
    let index = args.len() - 1;
    let cwd = std::env::current_dir().ok();
    let found =
        clap_complete::engine::complete(&mut cmd, args, index, cwd.as_deref()).unwrap_or_default();
    let mut out = String::new();
    let mut directory = false;
    // As Cobra does, flags are offered once the word starts with `-`.
    let flags = words.last().is_some_and(|w| w.starts_with('-'));
    for c in &found {
        let value = c.get_value().to_string_lossy();
        if value.starts_with('-') && !flags {
            continue;
        }
        directory |= value.ends_with('/');
        out.push_str(&value);
        if let Some(help) = c.get_help() {
            let help = help.to_string();
            if let Some(line) = help.lines().next().filter(|l| !l.is_empty()) {
                out.push('\t');
                out.push_str(line);
            }
        }
        out.push('\n');
    }
    out.push_str(if directory { ":6\n" } else { ":4\n" });
    print!("{out}");
    0
}

/// The helper script kubectl runs for `kubectl kauth <TAB>`.
const KUBECTL_SCRIPT: &str = "#!/bin/sh
# kubectl runs this for `kubectl kauth <TAB>` (kubectl 1.26 and later).
# Install it on PATH as kubectl_complete-kauth, next to kubectl-kauth
# (a link to kauth), and make it executable.
COMPLETE=kubectl exec kauth -- kauth \"$@\"
";

/// The script that registers kauth's completion with `shell`.
pub fn registration(shell: &str) -> Option<String> {
    if shell == "kubectl" {
        return Some(KUBECTL_SCRIPT.to_string());
    }
    let shells = Shells::builtins();
    let completer: &dyn EnvCompleter = shells.completer(shell)?;
    let mut out = Vec::new();
    completer
        .write_registration("COMPLETE", "kauth", "kauth", "kauth", &mut out)
        .ok()?;
    String::from_utf8(out).ok()
}

#[derive(Clone, Copy)]
enum Names {
    Contexts,
    Clusters,
    Users,
}

/// The `config` commands whose positional arguments are names.
const NAMED: [(&str, Names); 10] = [
    ("use-context", Names::Contexts),
    ("delete-context", Names::Contexts),
    ("rename-context", Names::Contexts),
    ("set-context", Names::Contexts),
    ("get-contexts", Names::Contexts),
    ("export", Names::Contexts),
    ("delete-cluster", Names::Clusters),
    ("set-cluster", Names::Clusters),
    ("delete-user", Names::Users),
    ("set-credentials", Names::Users),
];

/// The answer to a TAB on the first name of a `config` command (`kauth
/// [--kubeconfig FILE] config use-context <TAB>`), the most common TAB,
/// written as clap_complete writes it for `shell` but without its engine:
/// the engine builds the whole command tree and formats each of thousands
/// of names several times. `None` for any other line, which the engine
/// answers. (An empty word also offers the command's flags: those come
/// from the engine, run on the root, `config` and that command alone.)
fn names_alone(shell: &str, args: &[OsString]) -> Option<Vec<u8>> {
    let dash = args.iter().position(|a| a == "--")?;
    let mut words: Vec<&str> = args[dash + 1..]
        .iter()
        .map(|a| a.to_str())
        .collect::<Option<_>>()?;
    // Which word is completed, as each of clap_complete's shells reads it.
    let index = match shell {
        "fish" | "powershell" => words.len().checked_sub(1)?,
        "bash" | "zsh" | "elvish" => std::env::var("_CLAP_COMPLETE_INDEX")
            .ok()
            .and_then(|i| i.parse().ok())
            .unwrap_or_default(),
        _ => return None,
    };
    if shell == "zsh" && words.len() == index {
        words.push("");
    }
    let current = *words.get(index).filter(|_| index > 0)?;
    if current.starts_with('-') {
        return None;
    }
    let mut path = Vec::new();
    let mut i = 1;
    while i < index {
        let word = words[i];
        if word == "--kubeconfig" {
            let value = *words.get(i + 1).filter(|_| i + 1 < index)?;
            // The engine takes a command's name as that command even where
            // a flag's value is due.
            let root = super::tree::command();
            let config = super::tree::config_command_alone("use-context")?;
            let named = |c: &clap::Command| {
                value == "help"
                    || c.get_subcommands().any(|s| {
                        s.get_all_aliases()
                            .chain([s.get_name()])
                            .any(|n| n == value)
                    })
            };
            if named(&root)
                || named(config.find_subcommand("config")?)
                || NAMED.iter().any(|(n, _)| *n == value)
            {
                return None;
            }
            i += 2;
        } else if word.starts_with("--kubeconfig=") {
            i += 1;
        } else if word.starts_with('-') {
            return None;
        } else {
            path.push(word);
            i += 1;
        }
    }
    let ["config", command] = path[..] else {
        return None;
    };
    let names = NAMED.iter().find(|(n, _)| *n == command)?.1;
    let mut items: Vec<(String, Option<String>)> = name_items(names)
        .into_iter()
        .filter(|(name, _)| name.starts_with(current))
        .map(|(name, help)| (name, help.map(|h| help_text(&h))))
        .collect();
    if current.is_empty() {
        let mut cmd = super::tree::config_command_alone(command)?;
        let line: Vec<OsString> = words[..=index].iter().map(OsString::from).collect();
        let flags = clap_complete::engine::complete(&mut cmd, line, index, None).ok()?;
        items.extend(flags.into_iter().map(|c| {
            let value = c.get_value().to_string_lossy().into_owned();
            (value, c.get_help().map(|h| h.to_string()))
        }));
    }
    Some(write_answer(shell, &items))
}

/// A help text as clap_complete prints it (`StyledStr`'s `Display`, which
/// drops escape sequences: only text with no control character passes
/// through unchanged without it).
fn help_text(help: &str) -> String {
    if help.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        help.to_string()
    } else {
        clap::builder::StyledStr::from(help.to_string()).to_string()
    }
}

/// Candidates as clap_complete's `write_complete` of each shell writes
/// them.
fn write_answer(shell: &str, items: &[(String, Option<String>)]) -> Vec<u8> {
    let ifs = std::env::var("_CLAP_IFS").ok();
    let ifs = ifs.as_deref().unwrap_or("\n");
    let first_line = |help: &str| help.lines().next().unwrap_or_default().to_string();
    let mut out = String::new();
    for (i, (value, help)) in items.iter().enumerate() {
        match shell {
            "fish" | "powershell" => {
                out.push_str(value);
                if let Some(help) = help {
                    out.push('\t');
                    out.push_str(&first_line(help));
                }
                out.push('\n');
            }
            _ => {
                if i != 0 {
                    out.push_str(ifs);
                }
                if shell == "zsh" {
                    out.push_str(&value.replace('\\', "\\\\").replace(':', "\\:"));
                    if let Some(help) = help {
                        out.push(':');
                        out.push_str(&first_line(help).replace('\\', "\\\\"));
                    }
                } else {
                    out.push_str(value);
                }
            }
        }
    }
    out.into_bytes()
}

/// The CLI with what completion needs: name candidates and path hints
/// everywhere (for the man pages; a TAB builds [`command_along`]).
#[cfg(test)]
pub fn command() -> clap::Command {
    with_path_hints(with_candidates(crate::cli::Cli::command()))
}

/// [`command`] with path hints only on the subcommands that `words` (the
/// command line after the program name) name, level by level.
fn command_along(words: &[String]) -> clap::Command {
    let cmd = with_candidates(crate::cli::Cli::command());
    let mut path: Vec<String> = Vec::new();
    let mut level = &cmd;
    for word in words.iter().filter(|w| !w.starts_with('-')) {
        if let Some(sub) = level.find_subcommand(word) {
            path.push(sub.get_name().to_string());
            level = sub;
        }
    }
    hints_along(cmd, &path)
}

fn hints_along(cmd: clap::Command, path: &[String]) -> clap::Command {
    let cmd = own_path_hints(cmd);
    match path.split_first() {
        Some((first, rest)) => cmd.mut_subcommand(first, |s| hints_along(s, rest)),
        None => cmd,
    }
}

/// Name candidates for every argument that takes a context, cluster or
/// user name.
fn with_candidates(cmd: clap::Command) -> clap::Command {
    let mut cmd = cmd;
    for (id, names) in [
        ("context", Names::Contexts),
        ("cluster", Names::Clusters),
        ("user", Names::Users),
    ] {
        cmd = cmd.mut_arg(id, |a| a.add(candidates(names)));
    }
    cmd = cmd.mut_subcommand("config", |config| {
        let mut config = config;
        for (sub, names) in NAMED {
            config = config.mut_subcommand(sub, |s| {
                let positional: Vec<String> = s
                    .get_positionals()
                    .map(|a| a.get_id().to_string())
                    .collect();
                positional
                    .iter()
                    .fold(s, |s, id| s.mut_arg(id, |a| a.add(candidates(names))))
            });
        }
        config
    });
    cmd
}

/// Fixed values to complete for a flag whose parser takes free text.
pub fn values(list: &'static [&'static str]) -> ArgValueCandidates {
    ArgValueCandidates::new(move || list.iter().map(|v| CompletionCandidate::new(*v)).collect())
}

/// Names accepted by `--algorithm`.
pub const ALGORITHMS: &[&str] = &["ecdsa-p256", "ecdsa-p384", "ed25519", "rsa"];

fn candidates(names: Names) -> ArgValueCandidates {
    ArgValueCandidates::new(move || kubeconfig_names(names))
}

/// File and directory arguments complete paths (by their value name), in
/// this command and every subcommand.
#[cfg(test)]
fn with_path_hints(cmd: clap::Command) -> clap::Command {
    let mut cmd = own_path_hints(cmd);
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        cmd = cmd.mut_subcommand(name, with_path_hints);
    }
    cmd
}

/// Path hints for this command's own arguments.
fn own_path_hints(cmd: clap::Command) -> clap::Command {
    let hint = |a: &Arg| -> Option<ValueHint> {
        if a.get_value_hint() != ValueHint::Unknown {
            return None;
        }
        let name = a.get_value_names()?.first()?.to_string();
        match name.as_str() {
            "FILE" | "CSV" => Some(ValueHint::FilePath),
            "PATH" => Some(ValueHint::AnyPath),
            "DIR" => Some(ValueHint::DirPath),
            _ => None,
        }
    };
    let ids: Vec<(String, ValueHint)> = cmd
        .get_arguments()
        .filter_map(|a| hint(a).map(|h| (a.get_id().to_string(), h)))
        .collect();
    let mut cmd = ids
        .into_iter()
        .fold(cmd, |c, (id, h)| c.mut_arg(id, |a| a.value_hint(h)));
    if cmd.get_arguments().any(|a| a.get_id() == "algorithm") {
        cmd = cmd.mut_arg("algorithm", |a| a.add(values(ALGORITHMS)));
    }
    cmd
}

/// `--kubeconfig` from the command line being completed (the completer
/// runs as `kauth -- kauth ARGS...`).
fn kubeconfig_flag(args: &[String]) -> Option<String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(v) = a.strip_prefix("--kubeconfig=") {
            return Some(v.to_string());
        }
        if a == "--kubeconfig" {
            return it.next().cloned();
        }
    }
    None
}

fn kubeconfig_names(names: Names) -> Vec<CompletionCandidate> {
    name_items(names)
        .into_iter()
        .map(|(name, help)| CompletionCandidate::new(name).help(help.map(Into::into)))
        .collect()
}

/// The names in the kubeconfig in effect (`--kubeconfig` on the line
/// being completed, else the environment's), each with its help text.
fn name_items(names: Names) -> Vec<(String, Option<String>)> {
    let args: Vec<String> = std::env::args().collect();
    let opts = PathOptions::from_env(kubeconfig_flag(&args).as_deref());
    match kauth_store::kubeconfig::names(&opts) {
        Ok(found) => items_from(found, names),
        Err(_) => Vec::new(),
    }
}

fn items_from(
    found: kauth_kubeconfig::names::Names,
    names: Names,
) -> Vec<(String, Option<String>)> {
    match names {
        Names::Contexts => found
            .contexts
            .into_iter()
            .map(|(name, c)| {
                let mut help = c.cluster;
                if !c.namespace.is_empty() {
                    help.push_str(" (");
                    help.push_str(&c.namespace);
                    help.push(')');
                }
                if name == found.current_context {
                    help.push_str(" [current]");
                }
                (name, Some(help))
            })
            .collect(),
        Names::Clusters => found
            .clusters
            .into_iter()
            .map(|(name, server)| (name, Some(server)))
            .collect(),
        Names::Users => found.users.into_iter().map(|name| (name, None)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kubeconfig_flag_is_found_in_either_spelling() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            kubeconfig_flag(&v(&[
                "kauth",
                "--",
                "kauth",
                "--kubeconfig",
                "a.yaml",
                "config"
            ])),
            Some("a.yaml".into())
        );
        assert_eq!(
            kubeconfig_flag(&v(&["kauth", "config", "--kubeconfig=b"])),
            Some("b".into())
        );
        assert_eq!(kubeconfig_flag(&v(&["kauth", "config"])), None);
    }

    #[test]
    fn every_shell_has_a_registration_script() {
        for shell in SHELLS {
            let script = registration(shell).unwrap();
            assert!(script.contains("kauth"), "{shell}");
        }
        assert!(registration("tcsh").is_none());
    }

    #[test]
    fn file_flags_complete_paths() {
        let words = ["p12", "export", "--cert", ""].map(String::from);
        let mut cmd = command_along(&words);
        cmd.build();
        let key = cmd
            .find_subcommand("p12")
            .and_then(|p| p.find_subcommand("export"))
            .unwrap();
        let cert = key.get_arguments().find(|a| a.get_id() == "cert").unwrap();
        assert_eq!(cert.get_value_hint(), ValueHint::FilePath);
    }
}
