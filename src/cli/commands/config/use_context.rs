//! `use-context`, with two additions over kubectl: no name on a terminal
//! opens a fuzzy picker, and `-` returns to the previous context.
//!
//! Upstream: `use_context.go` in `staging/src/k8s.io/kubectl/pkg/cmd/config/`.

use std::io::IsTerminal;

use clap::Args;

use super::{go_list, help_error};
use crate::cli::{CliError, CliResult};
use kauth_kubeconfig::Config;
use kauth_store::kubeconfig::{PathOptions, modify, starting_config};
use kauth_store::state;

#[derive(Debug, Args)]
pub struct UseContextArgs {
    /// The context to use; `-` for the previous one; none to pick on a terminal
    #[arg(hide = true)]
    args: Vec<String>,
}

/// The kubeconfig whose previous context kauth remembers: the file list.
pub fn memory_key(opts: &PathOptions) -> String {
    opts.precedence().join(":")
}

pub fn run(opts: &PathOptions, args: UseContextArgs) -> CliResult {
    let key = memory_key(opts);
    let name = match args.args.as_slice() {
        [name] if name == "-" => state::previous_context(&key).ok_or_else(|| {
            CliError::kubectl("no previous context to return to")
                .hint("`kauth config use-context NAME` sets one")
        })?,
        [name] => name.clone(),
        [] if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => {
            match pick(&starting_config(opts)?)? {
                Some(name) => name,
                None => return Ok(()),
            }
        }
        other => {
            return Err(help_error(
                "use-context",
                format!("Unexpected args: {}", go_list(other)),
            ));
        }
    };
    let previous = modify(opts, true, |config| {
        if name.is_empty() {
            return Err(CliError::kubectl("empty context names are not allowed"));
        }
        if !config.contexts.contains_key(&name) {
            return Err(CliError::kubectl(format!(
                "no context exists with the name: \"{name}\""
            )));
        }
        Ok(std::mem::replace(&mut config.current_context, name.clone()))
    })?;
    if !previous.is_empty() && previous != name {
        state::remember_previous_context(&key, &previous);
    }
    println!("Switched to context \"{name}\".");
    Ok(())
}

/// A fuzzy picker over the contexts, each shown with its cluster, user and
/// namespace; the current one is preselected. `None` when the user quits.
fn pick(config: &Config) -> CliResult<Option<String>> {
    if config.contexts.is_empty() {
        return Err(CliError::kubectl("no contexts defined in the kubeconfig"));
    }
    let names: Vec<&String> = config.contexts.keys().collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let items: Vec<String> = names
        .iter()
        .map(|name| {
            let c = &config.contexts[*name];
            let mark = if **name == config.current_context {
                "*"
            } else {
                " "
            };
            let ns = if c.namespace.is_empty() {
                "default"
            } else {
                &c.namespace
            };
            format!(
                "{mark} {name:width$}  cluster: {}  user: {}  namespace: {ns}",
                c.cluster, c.auth_info
            )
        })
        .collect();
    let current = names
        .iter()
        .position(|n| **n == config.current_context)
        .unwrap_or(0);
    let choice = dialoguer::FuzzySelect::new()
        .with_prompt("context")
        .items(&items)
        .default(current)
        .interact_opt()
        .map_err(|e| CliError::new(format!("context picker: {e}")))?;
    Ok(choice.map(|i| names[i].clone()))
}
