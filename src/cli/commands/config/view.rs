//! `kauth config view`.

use clap::Args;
use kauth_formats::gotemplate::{self, MissingKey, TemplateError};
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
    /// Output format: yaml, json, name, jsonpath=TEMPLATE, jsonpath-file=FILE,
    /// jsonpath-as-json=TEMPLATE, go-template=TEMPLATE, go-template-file=FILE,
    /// template=TEMPLATE, templatefile=FILE
    #[arg(short = 'o', long = "output", value_name = "FORMAT", add = crate::cli::complete::values(&["yaml", "json", "name", "jsonpath=", "jsonpath-file=", "jsonpath-as-json=", "go-template=", "go-template-file=", "template=", "templatefile="]))]
    output: Option<String>,
    /// Template string or path to template file to use when -o=go-template, -o=go-template-file
    /// (Go's text/template); alone, it means -o go-template
    #[arg(
        long,
        default_value = "",
        hide_default_value = true,
        value_name = "TEMPLATE"
    )]
    template: String,
    /// If true, ignore any errors in templates when a field or map key is missing in the
    /// template (go-template and jsonpath output)
    #[arg(long, num_args = 0..=1, require_equals = true, default_missing_value = "true", value_parser = parse_bool, value_name = "BOOL")]
    allow_missing_template_keys: Option<bool>,
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
    let format = OutputFormat::parse(args.output.as_deref(), &args.template)?;
    let missing = if args.allow_missing_template_keys.unwrap_or(true) {
        MissingKey::Default
    } else {
        MissingKey::Error
    };
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
    let mut failure = None;
    let text = match format {
        OutputFormat::Yaml => yaml::emit(&doc).into_bytes(),
        OutputFormat::Json => kauth_formats::json::to_go_json(&doc).into_bytes(),
        OutputFormat::Name => b"config/<unknown>\n".to_vec(),
        OutputFormat::JsonPath(template, as_json) => {
            let render = if as_json {
                kauth_formats::jsonpath::render_as_json
            } else {
                kauth_formats::jsonpath::render
            };
            render(&template, &doc, missing == MissingKey::Default)
                .map_err(|e| match e {
                    // kubectl goes on to print the whole object, secrets
                    // included with --raw; kauth stops at the reason.
                    JsonPathError::Execute(reason) | JsonPathError::NotFound(reason) => {
                        CliError::kubectl(format!(
                            "error executing jsonpath {}: Error executing template: {reason}",
                            gotemplate::quote(&template)
                        ))
                    }
                    other => CliError::kubectl(other.to_string()),
                })?
                .into_bytes()
        }
        OutputFormat::GoTemplate(template) => {
            let mut out = Vec::new();
            match gotemplate::render(&template, &doc, missing, &mut out) {
                Ok(()) => {}
                Err(TemplateError::Parse(reason)) => {
                    return Err(CliError::kubectl(format!(
                        "error parsing template {template}, {reason}"
                    )));
                }
                // What was rendered before the error is printed, as
                // kubectl prints it; kubectl's dump of the whole object
                // that follows (secrets included with --raw) is not.
                Err(TemplateError::Execute(reason)) => {
                    failure = Some(CliError::kubectl(format!(
                        "error executing template {}: {reason}",
                        gotemplate::quote(&template)
                    )));
                }
            }
            out
        }
    };
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        out.write_all(&text)
            .and_then(|()| out.flush())
            .map_err(|e| CliError::kubectl(format!("writing the output: {}", io_reason(&e))))?;
    }
    if let Some(error) = failure {
        return Err(error);
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
    /// The template's text, and whether results print as JSON
    /// (`jsonpath-as-json`).
    JsonPath(String, bool),
    /// The template's text (a template file already read).
    GoTemplate(String),
}

/// The template printers and the formats they take, as kubectl's
/// `GoTemplatePrintFlags` and `JSONPathPrintFlags` know them.
const GO_TEMPLATE_FORMATS: [&str; 4] = [
    "go-template",
    "go-template-file",
    "template",
    "templatefile",
];
const JSONPATH_FORMATS: [&str; 3] = ["jsonpath", "jsonpath-file", "jsonpath-as-json"];

impl OutputFormat {
    /// kubectl's `PrintFlags.ToPrinter`: `--template` alone means
    /// go-template; with `-o`, it is the template of a template format
    /// named bare (`-o go-template --template '{{.kind}}'`), is ignored by
    /// yaml, json and name, and makes `-o go-template=...` unknown.
    fn parse(output: Option<&str>, template: &str) -> Result<Self, CliError> {
        let format = match output {
            None if !template.is_empty() => "go-template",
            None => "yaml",
            Some(f) => f,
        };
        Ok(match format {
            "yaml" => OutputFormat::Yaml,
            "json" => OutputFormat::Json,
            "name" => OutputFormat::Name,
            _ => {
                if let Some((name, text)) = template_format(format, template, &GO_TEMPLATE_FORMATS)?
                {
                    let text = if name.ends_with("file") {
                        read_template(&text)?
                    } else {
                        text
                    };
                    OutputFormat::GoTemplate(text)
                } else if let Some((name, text)) =
                    template_format(format, template, &JSONPATH_FORMATS)?
                {
                    let text = if name == "jsonpath-file" {
                        read_template(&text)?
                    } else {
                        text
                    };
                    OutputFormat::JsonPath(text, name == "jsonpath-as-json")
                } else {
                    return Err(CliError::kubectl(format!(
                        "unable to match a printer suitable for the output format \"{format}\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml"
                    )));
                }
            }
        })
    }
}

/// One template printer's reading of `format`: its format name and the
/// template (`--template`, else what follows `NAME=`); `None` when the
/// format is not one of `names`.
fn template_format(
    format: &str,
    template: &str,
    names: &[&'static str],
) -> Result<Option<(&'static str, String)>, CliError> {
    let (name, text) = if template.is_empty() {
        match names.iter().find_map(|n| {
            let rest = format.strip_prefix(n)?.strip_prefix('=')?;
            Some((format[..n.len()].to_string(), rest.to_string()))
        }) {
            Some(found) => found,
            None => (format.to_string(), String::new()),
        }
    } else {
        (format.to_string(), template.to_string())
    };
    let Some(name) = names.iter().copied().find(|n| *n == name) else {
        return Ok(None);
    };
    if text.is_empty() {
        return Err(CliError::kubectl(
            "template format specified but no template given",
        ));
    }
    Ok(Some((name, text)))
}

/// The template of `-o go-template-file=FILE`, named in errors as kubectl
/// names it (`open FILE: ...`, `read FILE: ...`).
fn read_template(path: &str) -> Result<String, CliError> {
    use std::io::Read as _;
    let failed = |op: &str, e: std::io::Error| {
        let reason = match e.kind() {
            std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
            _ => io_reason(&e),
        };
        CliError::kubectl(format!(
            "error reading --template {path}, {op} {path}: {reason}"
        ))
    };
    let mut file = std::fs::File::open(path).map_err(|e| failed("open", e))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| failed("read", e))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
