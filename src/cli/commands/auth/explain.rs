//! `kauth auth explain METHOD URL`: the request info kube-apiserver derives.

use clap::Args;

use crate::cli::{CliError, CliResult};
use kauth_auth::request_info;

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The HTTP method (GET, POST, PUT, PATCH, DELETE, ...)
    pub method: String,
    /// The path and query, or a full URL
    pub url: String,
    /// Output format: text or json
    #[arg(short = 'o', long = "output", default_value = "text", add = crate::cli::complete::values(&["text", "json"]))]
    pub output: String,
}

pub fn run(args: ExplainArgs) -> CliResult {
    let (info, error) = request_info::parse(&args.method, &args.url);
    // HTTP methods are case-sensitive, and kube-apiserver maps only the
    // upper-case ones to verbs.
    let upper = args.method.to_ascii_uppercase();
    if upper != args.method
        && ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"].contains(&upper.as_str())
    {
        eprintln!(
            "note: methods are case-sensitive: the server gives {:?} no verb (did you mean {upper}?)",
            args.method
        );
    }
    match args.output.as_str() {
        "json" => {
            let value = serde_json::to_value(&info).map_err(|e| CliError::new(e.to_string()))?;
            print!("{}", kauth_formats::json::to_go_json(&value));
        }
        "text" => {
            let rows: Vec<(&str, String)> = vec![
                ("resource request", info.is_resource_request.to_string()),
                ("verb", info.verb.clone()),
                ("API prefix", info.api_prefix.clone()),
                ("API group", info.api_group.clone()),
                ("API version", info.api_version.clone()),
                ("namespace", info.namespace.clone()),
                ("resource", info.resource.clone()),
                ("subresource", info.subresource.clone()),
                ("name", info.name.clone()),
                ("parts", format!("[{}]", info.parts.join(" "))),
                ("field selector", info.field_selector.clone()),
                ("label selector", info.label_selector.clone()),
            ];
            for (k, v) in rows {
                if !v.is_empty() || matches!(k, "verb" | "resource request") {
                    println!("{:<18}{v}", format!("{k}:"));
                }
            }
            if !info.is_resource_request {
                println!("{:<18}{}", "path:", info.path);
            }
        }
        other => {
            return Err(CliError::new(format!(
                "--output: unknown format `{other}` (text or json)"
            )));
        }
    }
    if let Some(e) = error {
        return Err(CliError::new(e.to_string()));
    }
    Ok(())
}
