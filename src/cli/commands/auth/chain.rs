//! `kauth auth chain`: the authenticators and authorizers kube-apiserver
//! builds from its configuration, in its order, with each one's settings.

use clap::Args;

use super::ApiServerArgs;
use crate::cli::{CliError, CliResult};
use kauth_auth::apiserver::{Chain, Step};

#[derive(Debug, Args)]
pub struct ChainArgs {
    #[command(flatten)]
    pub apiserver: ApiServerArgs,
    /// Output format: text or json
    #[arg(short = 'o', long = "output", value_name = "FORMAT", default_value = "text", value_parser = ["text", "json"])]
    pub output: String,
}

/// The authenticators kauth models; the others are named only.
/// (`bootstrap-token` needs the Secrets, given with `--objects`.)
pub const MODELLED_AUTHN: &[&str] = &[
    "request-header",
    "x509",
    "token-file",
    "service-account",
    "bootstrap-token",
    "oidc",
    "jwt",
    "anonymous",
];
/// The authorizers kauth models (`Node` with the objects of `--objects`).
pub const MODELLED_AUTHZ: &[&str] = &[
    "system:masters",
    "AlwaysAllow",
    "AlwaysDeny",
    "ABAC",
    "Node",
    "RBAC",
];

pub fn run(args: ChainArgs) -> CliResult {
    let Some(settings) = args.apiserver.settings()? else {
        return Err(CliError::new(
            "`auth chain` needs --apiserver FILE or --apiserver-flags FLAGS",
        )
        .hint("kauth auth chain --apiserver /etc/kubernetes/manifests/kube-apiserver.yaml"));
    };
    let chain = settings.chain();
    if args.output == "json" {
        let text = serde_json::to_string_pretty(&serde_json::json!({
            "authentication": steps_json(&chain.authentication, MODELLED_AUTHN),
            "authorization": steps_json(&chain.authorization, MODELLED_AUTHZ),
        }))
        .map_err(|e| CliError::new(e.to_string()))?;
        println!("{text}");
        return Ok(());
    }
    print!("{}", render(&chain));
    Ok(())
}

fn steps_json(steps: &[Step], modelled: &[&str]) -> Vec<serde_json::Value> {
    steps
        .iter()
        .map(|s| {
            serde_json::json!({
                "name": s.name,
                "what": s.what,
                "settings": s.settings,
                "modelled": modelled.contains(&s.name.as_str()),
            })
        })
        .collect()
}

/// The chain as text: numbered in the server's order, settings indented.
pub fn render(chain: &Chain) -> String {
    let mut out = String::new();
    for (title, steps, modelled) in [
        ("authentication", &chain.authentication, MODELLED_AUTHN),
        ("authorization", &chain.authorization, MODELLED_AUTHZ),
    ] {
        out.push_str(&format!("{title} (in the server's order):\n"));
        if steps.is_empty() {
            out.push_str("  (none: every request is refused)\n");
        }
        for (n, s) in steps.iter().enumerate() {
            let note = match s.name.as_str() {
                "bootstrap-token" => "  [with the Secrets given by --objects]",
                "Node" => "  [with the objects given by --objects]",
                "Webhook" if s.settings.iter().any(|x| x.starts_with("asked only if ")) => {
                    "  [its match conditions are decided; its answer cannot be]"
                }
                name if modelled.contains(&name) => "",
                _ => "  [named only: kauth does not decide with it yet]",
            };
            out.push_str(&format!("  {}. {}: {}{note}\n", n + 1, s.name, s.what));
            for setting in &s.settings {
                out.push_str(&format!("       {setting}\n"));
            }
        }
    }
    out
}
