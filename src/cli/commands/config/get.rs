//! `current-context`, `get-contexts`, `get-clusters`, `get-users`.

use std::io::Write;

use clap::Args;

use super::Rest;
use crate::cli::output::TabWriter;
use crate::cli::{CliError, CliResult};
use kauth_store::kubeconfig::{PathOptions, starting_config};

#[derive(Debug, Args)]
pub struct CurrentContextArgs {
    #[command(flatten)]
    rest: Rest,
}

#[derive(Debug, Args)]
pub struct NoArgs {
    #[command(flatten)]
    rest: Rest,
}

pub fn current_context(opts: &PathOptions) -> CliResult {
    let config = starting_config(opts)?;
    if config.current_context.is_empty() {
        return Err(CliError::kubectl("current-context is not set"));
    }
    println!("{}", config.current_context);
    // The process ends after this; freeing thousands of entries one by
    // one would cost a sixth of the run (as in `config view`).
    std::mem::forget(config);
    Ok(())
}

#[derive(Debug, Args)]
pub struct GetContextsArgs {
    /// Context names to show (all when none)
    names: Vec<String>,
    /// Output format. One of: name
    #[arg(short = 'o', long = "output", default_value = "", add = crate::cli::complete::values(&["name"]))]
    output: String,
    /// Don't print headers
    #[arg(long)]
    no_headers: bool,
}

pub fn get_contexts(opts: &PathOptions, args: GetContextsArgs) -> CliResult {
    if !args.output.is_empty() && args.output != "name" {
        return Err(CliError::kubectl(format!(
            "--output {} is not available in kauth config get-contexts; resetting to default output format",
            args.output
        )));
    }
    let name_only = args.output == "name";
    let config = starting_config(opts)?;
    let mut missing = Vec::new();
    let mut names: Vec<&String> = Vec::new();
    if args.names.is_empty() {
        names.extend(config.contexts.keys());
    } else {
        for name in &args.names {
            match config.contexts.get_key_value(name) {
                Some((k, _)) => names.push(k),
                None => missing.push(format!("context {name} not found")),
            }
        }
    }
    names.sort();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if name_only {
        for name in names {
            let _ = writeln!(out, "{name}");
        }
    } else {
        let mut table = TabWriter::kubectl();
        if !args.no_headers {
            table.row(["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"]);
        }
        for name in names {
            let c = &config.contexts[name];
            let mark = if *name == config.current_context {
                "*"
            } else {
                " "
            };
            table.row([mark, name, &c.cluster, &c.auth_info, &c.namespace]);
        }
        let _ = out.write_all(table.render().as_bytes());
    }
    // As in `current_context`.
    std::mem::forget(config);
    match missing.len() {
        0 => Ok(()),
        1 => Err(CliError::kubectl(missing.remove(0))),
        // kubectl prints an aggregate of errors one per line, unprefixed.
        _ => Err(CliError::kubectl(missing.join("\n")).bare()),
    }
}

fn print_names<'a>(names: impl Iterator<Item = &'a String>) {
    let mut text = String::from("NAME\n");
    for name in names {
        text.push_str(name);
        text.push('\n');
    }
    print!("{text}");
}

pub fn get_clusters(opts: &PathOptions) -> CliResult {
    let config = starting_config(opts)?;
    print_names(config.clusters.keys());
    Ok(())
}

pub fn get_users(opts: &PathOptions) -> CliResult {
    let config = starting_config(opts)?;
    print_names(config.auth_infos.keys());
    Ok(())
}
