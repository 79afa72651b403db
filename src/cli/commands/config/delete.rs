//! `delete-context`, `delete-cluster`, `delete-user`, `rename-context`.
//!
//! Upstream: `delete_context.go`, `delete_cluster.go`, `delete_user.go`,
//! `rename_context.go` in `staging/src/k8s.io/kubectl/pkg/cmd/config/`.

use clap::Args;

use super::use_context::memory_key;
use super::{go_list, help_error, print_help};
use crate::cli::{CliError, CliResult};
use kauth_kubeconfig::usage::EntryKind;
use kauth_store::kubeconfig::{PathOptions, modify, prune, starting_config};
use kauth_store::state;

#[derive(Debug, Args)]
pub struct NameArgs {
    #[arg(hide = true)]
    args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DeleteContextArgs {
    #[arg(hide = true)]
    args: Vec<String>,
    /// Also delete the context's cluster and user when no other context uses them (kauth's addition)
    #[arg(long)]
    cascade: bool,
}

#[derive(Debug, Args)]
pub struct RenameArgs {
    #[arg(hide = true)]
    args: Vec<String>,
}

/// The file kubectl names in its messages.
fn config_file(opts: &PathOptions) -> String {
    opts.explicit
        .clone()
        .unwrap_or_else(|| opts.default_filename())
}

pub fn delete_context(opts: &PathOptions, args: DeleteContextArgs) -> CliResult {
    // kubectl loads the config before it looks at the arguments.
    starting_config(opts)?;
    let [name] = args.args.as_slice() else {
        print_help("delete-context");
        return Ok(());
    };
    let file = config_file(opts);
    let deleted = modify(opts, true, |config| {
        let Some(context) = config.contexts.remove(name) else {
            return Err(CliError::kubectl(format!(
                "cannot delete context {name}, not in {file}"
            )));
        };
        if config.current_context == *name {
            eprintln!(
                "warning: this removed your active context, use \"kauth config use-context\" to select a different one"
            );
        }
        Ok(context)
    })?;
    state::rename_previous_context(&memory_key(opts), name, None);
    println!("deleted context {name} from {file}");
    if args.cascade {
        // Its cluster and user, where no other context uses them; each
        // from the file that holds it (every file's copy, see `prune`).
        let removed = prune(
            opts,
            |kind, n| match kind {
                EntryKind::Cluster => n == deleted.cluster,
                EntryKind::User => n == deleted.auth_info,
                EntryKind::Context => false,
            },
            false,
        )?;
        for r in &removed {
            println!("deleted {} {} from {}", r.kind.as_str(), r.name, r.file);
        }
    }
    Ok(())
}

pub fn delete_cluster(opts: &PathOptions, args: NameArgs) -> CliResult {
    starting_config(opts)?;
    let [name] = args.args.as_slice() else {
        print_help("delete-cluster");
        return Ok(());
    };
    let file = config_file(opts);
    modify(opts, true, |config| {
        if config.clusters.remove(name).is_none() {
            return Err(CliError::kubectl(format!(
                "cannot delete cluster {name}, not in {file}"
            )));
        }
        Ok(())
    })?;
    println!("deleted cluster {name} from {file}");
    Ok(())
}

pub fn delete_user(opts: &PathOptions, args: NameArgs) -> CliResult {
    starting_config(opts)?;
    let [name] = args.args.as_slice() else {
        return Err(CliError::kubectl(
            "user to delete is required\nSee 'kauth config delete-user -h' for help and examples",
        ));
    };
    let file = config_file(opts);
    modify(opts, true, |config| {
        if config.auth_infos.remove(name).is_none() {
            return Err(CliError::kubectl(format!(
                "cannot delete user {name}, not in {file}"
            )));
        }
        Ok(())
    })?;
    println!("deleted user {name} from {file}");
    Ok(())
}

pub fn rename_context(opts: &PathOptions, args: RenameArgs) -> CliResult {
    let [old, new] = args.args.as_slice() else {
        return Err(help_error(
            "rename-context",
            format!("Unexpected args: {}", go_list(&args.args)),
        ));
    };
    if new.is_empty() {
        return Err(CliError::kubectl(
            "You must specify a new non-empty context name",
        ));
    }
    let file = config_file(opts);
    modify(opts, true, |config| {
        if !config.contexts.contains_key(old) {
            return Err(CliError::kubectl(format!(
                "cannot rename the context \"{old}\", it's not in {file}"
            )));
        }
        if config.contexts.contains_key(new) {
            return Err(CliError::kubectl(format!(
                "cannot rename the context \"{old}\", the context \"{new}\" already exists in {file}"
            )));
        }
        if let Some(context) = config.contexts.remove(old) {
            config.contexts.insert(new.clone(), context);
        }
        if config.current_context == *old {
            config.current_context = new.clone();
        }
        Ok(())
    })?;
    state::rename_previous_context(&memory_key(opts), old, Some(new));
    println!("Context \"{old}\" renamed to \"{new}\".");
    Ok(())
}
