//! `config prune`: remove the clusters and users no context uses (kauth's
//! own; kubectl has no such command).

use clap::Args;

use super::store_error;
use crate::cli::CliResult;
use kauth_store::kubeconfig::{PathOptions, prune};

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Print what would be removed, and change nothing
    #[arg(long)]
    dry_run: bool,
}

pub fn run(opts: &PathOptions, args: PruneArgs) -> CliResult {
    let removed = prune(opts, |_, _| true, args.dry_run).map_err(store_error)?;
    if removed.is_empty() {
        eprintln!("nothing to prune: every cluster and user is used by a context");
        return Ok(());
    }
    let verb = if args.dry_run {
        "would delete"
    } else {
        "deleted"
    };
    for r in &removed {
        println!("{verb} {} {} from {}", r.kind.as_str(), r.name, r.file);
    }
    Ok(())
}
