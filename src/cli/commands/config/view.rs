//! `kauth config view`.

use clap::Args;
use kauth_formats::jsonpath::JsonPathError;

use super::parse_bool;
use crate::cli::{CliError, CliResult, GlobalArgs};
use kauth_formats::yaml;
use kauth_kubeconfig::{model, view};
use kauth_store::kubeconfig::{PathOptions, load_file, starting_config};

#[derive(Debug, Args)]
pub struct ViewArgs {
    #[arg(hide = true)]
    unexpected: Vec<String>,
    /// Output format: yaml, json, name, jsonpath=TEMPLATE
    #[arg(short = 'o', long = "output", default_value = "yaml", add = crate::cli::complete::values(&["yaml", "json", "jsonpath="]))]
    output: String,
    /// Merge the full hierarchy of kubeconfig files
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = parse_bool)]
    merge: Option<bool>,
    /// Display raw byte data and secrets
    #[arg(long)]
    raw: bool,
    /// Flatten the resulting kubeconfig file into self-contained output
    #[arg(long)]
    flatten: bool,
    /// Remove all information not used by current-context from the output
    #[arg(long)]
    minify: bool,
}

pub fn run(opts: &PathOptions, global: &GlobalArgs, args: ViewArgs) -> CliResult {
    if !args.unexpected.is_empty() {
        return Err(CliError::kubectl(format!(
            "unexpected arguments: {}\nSee 'kauth config view -h' for help and examples",
            super::go_list(&args.unexpected)
        )));
    }
    let format = OutputFormat::parse(&args.output)?;
    let merge = args.merge.unwrap_or(!opts.is_explicit());
    if !merge && !opts.is_explicit() {
        return Err(CliError::kubectl(
            "if merge==false a precise file must be specified",
        ));
    }
    let mut config = match (&opts.explicit, merge) {
        (Some(file), false) => load_file(file)?.unwrap_or_default(),
        _ => starting_config(opts)?,
    };
    if args.minify {
        if let Some(context) = global.context.as_deref().filter(|c| !c.is_empty()) {
            config.current_context = context.to_string();
        }
        view::minify(&mut config).map_err(|e| CliError::kubectl(e.to_string()))?;
    }
    if args.flatten {
        view::flatten(&mut config, &opts.cwd, |path| {
            std::fs::read(path).map_err(|e| io_reason(&e))
        })
        .map_err(|e| CliError::kubectl(e.to_string()))?;
    } else if !args.raw {
        view::redact(&mut config);
    }
    let doc = model::encode(&config);
    let text = match format {
        OutputFormat::Yaml => yaml::emit(&doc),
        OutputFormat::Json => kauth_formats::json::to_go_json(&doc),
        OutputFormat::Name => "config/<unknown>\n".to_string(),
        OutputFormat::JsonPath(template) => kauth_formats::jsonpath::render(&template, &doc, true)
            .map_err(|e| match e {
                // kubectl goes on to print the whole object, secrets
                // included with --raw; kauth stops at the reason.
                JsonPathError::Execute(reason) => CliError::kubectl(format!(
                    "error executing jsonpath {template:?}: Error executing template: {reason}"
                )),
                other => CliError::kubectl(other.to_string()),
            })?,
    };
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| CliError::kubectl(format!("writing the output: {}", io_reason(&e))))?;
    }
    // The process ends after this; freeing a large kubeconfig's millions of
    // strings one by one would cost a tenth of the run.
    std::mem::forget((config, doc, text));
    Ok(())
}

/// Go's wording for common I/O failures.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

enum OutputFormat {
    Yaml,
    Json,
    Name,
    JsonPath(String),
}

impl OutputFormat {
    fn parse(s: &str) -> Result<Self, CliError> {
        Ok(match s {
            "yaml" => OutputFormat::Yaml,
            "json" => OutputFormat::Json,
            "name" => OutputFormat::Name,
            _ => {
                if let Some(t) = s.strip_prefix("jsonpath=") {
                    OutputFormat::JsonPath(t.to_string())
                } else {
                    return Err(CliError::kubectl(format!(
                        "unable to match a printer suitable for the output format \"{s}\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml"
                    )));
                }
            }
        })
    }
}
