//! `kauth config import`: merge other kubeconfigs (a kubeadm `admin.conf`,
//! a cloud download, a kind file) into the kubeconfig in effect, through
//! the same locked write as every edit. The merge itself is
//! `kauth_kubeconfig::import`; this file reads the files, resolves their
//! paths and prints what happened.

use clap::Args;

use super::view::io_reason;
use crate::cli::{CliError, CliResult};
use kauth_kubeconfig::import::{self, Conflicts, OnConflict, Options};
use kauth_kubeconfig::{Config, model, paths, view};
use kauth_store::files;
use kauth_store::kubeconfig::{PathOptions, modify, starting_config};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Kubeconfig files to import; `-` reads one from standard input
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// Import into FILE instead of the kubeconfig in effect
    #[arg(long, value_name = "FILE")]
    into: Option<String>,
    /// Put PREFIX before every imported cluster, user and context name
    #[arg(long, value_name = "PREFIX", default_value = "")]
    prefix: String,
    /// Add an entry whose name is taken by a different one as NAME-2 (or
    /// NAME-3, ..., the first free), and its contexts with it
    #[arg(long, conflicts_with = "replace")]
    rename_on_conflict: bool,
    /// Overwrite an entry whose name is taken by a different one
    #[arg(long)]
    replace: bool,
    /// Embed the certificate and key files the imported entries name
    #[arg(long)]
    embed: bool,
    /// Print what would change and write nothing
    #[arg(long)]
    dry_run: bool,
}

pub fn run(opts: &PathOptions, args: ImportArgs) -> CliResult {
    let target = match &args.into {
        Some(file) => PathOptions::from_env(Some(file)),
        None => opts.clone(),
    };
    let incoming: Vec<(String, Config)> = args
        .files
        .iter()
        .map(|f| read(f, &opts.cwd, args.embed).map(|c| (f.clone(), c)))
        .collect::<Result<_, _>>()?;
    let options = Options {
        prefix: args.prefix.clone(),
        on_conflict: if args.replace {
            OnConflict::Replace
        } else if args.rename_on_conflict {
            OnConflict::Rename
        } else {
            OnConflict::Refuse
        },
    };
    let apply = |config: &mut Config| -> Result<Vec<(String, import::Change)>, CliError> {
        let mut all = Vec::new();
        for (file, c) in &incoming {
            let changes = import::import(config, c.clone(), &target.cwd, &options)
                .map_err(|e| conflict_error(file, &e))?;
            all.extend(changes.into_iter().map(|c| (file.clone(), c)));
        }
        Ok(all)
    };
    let changes = if args.dry_run {
        apply(&mut starting_config(&target)?)?
    } else {
        modify(&target, true, apply)?
    };
    for (file, change) in &changes {
        println!("{file}: {change}");
    }
    if args.dry_run {
        eprintln!("dry run: nothing written");
    }
    Ok(())
}

/// One imported file, its file references absolute (or embedded).
fn read(file: &str, cwd: &str, embed: bool) -> Result<Config, CliError> {
    let bytes = files::read_input(file).map_err(|e| CliError::from_error(&e))?;
    let text =
        kauth_formats::yaml::text(&bytes).map_err(|e| CliError::new(format!("`{file}`: {e}")))?;
    // Relative references in a file are relative to its directory; in
    // standard input, to the working directory.
    let origin = if file == "-" {
        paths::join(cwd, "-")
    } else {
        paths::abs(cwd, file)
    };
    let mut config =
        model::decode(text, &origin).map_err(|e| CliError::new(format!("`{file}`: {e}")))?;
    if embed {
        view::flatten(&mut config, cwd, |path| {
            std::fs::read(path).map_err(|e| io_reason(&e))
        })
        .map_err(|e| CliError::new(format!("`{file}`: {e}")))?;
    }
    let base = paths::dir(&origin);
    config
        .clusters
        .values_mut()
        .for_each(|c| paths::resolve_cluster(c, &base));
    config
        .auth_infos
        .values_mut()
        .for_each(|u| paths::resolve_auth_info(u, &base));
    Ok(config)
}

fn conflict_error(file: &str, e: &Conflicts) -> CliError {
    CliError::new(format!("`{file}`: {e}")).hint(
        "--rename-on-conflict adds them as NAME-2, --prefix PREFIX renames every imported entry, --replace overwrites",
    )
}
