//! `kauth config export`: a self-contained kubeconfig for some contexts
//! (minified to them and flattened: every file it names embedded), to hand
//! to someone or to CI.

use clap::Args;

use super::view::io_reason;
use crate::cli::{CliError, CliResult};
use kauth_formats::yaml;
use kauth_kubeconfig::{model, view};
use kauth_store::files::{self, Access, Output};
use kauth_store::kubeconfig::{PathOptions, starting_config};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The contexts to export; the first becomes the current context
    #[arg(required = true, value_name = "CONTEXT")]
    contexts: Vec<String>,
    /// Write to FILE (created 0600) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<String>,
    /// Print secrets on standard output instead of hiding them (a file always has them)
    #[arg(long)]
    raw: bool,
    /// Overwrite FILE if it exists
    #[arg(long)]
    force: bool,
}

pub fn run(opts: &PathOptions, args: ExportArgs) -> CliResult {
    let mut config = starting_config(opts)?;
    view::select(&mut config, &args.contexts).map_err(|e| CliError::new(e.to_string()))?;
    view::flatten(&mut config, &opts.cwd, |path| {
        std::fs::read(path).map_err(|e| io_reason(&e))
    })
    .map_err(|e| CliError::new(e.to_string()))?;
    let Some(out) = args.output.as_deref().filter(|o| *o != "-") else {
        if !args.raw {
            view::redact(&mut config);
            eprintln!("secrets hidden; --raw prints them, -o FILE writes them to a 0600 file");
        }
        print!("{}", yaml::emit(&model::encode(&config)));
        return Ok(());
    };
    let text = model::to_yaml(&config);
    files::write_all(
        &[Output {
            path: out.as_ref(),
            contents: text.as_bytes(),
            access: Access::Private,
        }],
        args.force,
    )
    .map_err(|e| CliError::from_error(&e))?;
    eprintln!(
        "wrote {out} (mode 0600): {} context{}",
        config.contexts.len(),
        if config.contexts.len() == 1 { "" } else { "s" }
    );
    Ok(())
}
