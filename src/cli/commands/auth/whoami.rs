//! `kauth auth whoami`: kubectl's table on stdout, kauth's reasoning on
//! stderr.

use clap::Args;
use serde_json::json;

use super::{CredentialArgs, ServerArgs};
use crate::auth::UserInfo;
use crate::auth::authn::x509::rfc3339;
use crate::auth::authn::{Check, Verdict};
use crate::cli::output::TabWriter;
use crate::cli::{CliError, CliResult, GlobalArgs, error::EXIT_NO};

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Decide offline with kauth's model of kube-apiserver
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub credential: CredentialArgs,
    #[command(flatten)]
    pub server: ServerArgs,
    /// Output format: table, json or yaml
    #[arg(short = 'o', long = "output", default_value = "table")]
    pub output: String,
}

/// kubectl's `auth whoami` table.
pub fn table(user: &UserInfo) -> String {
    let mut t = TabWriter::kubectl();
    t.row(["ATTRIBUTE", "VALUE"]);
    t.row(["Username", &user.username]);
    if !user.uid.is_empty() {
        t.row(["UID", &user.uid]);
    }
    if !user.groups.is_empty() {
        t.row(["Groups".to_string(), format!("[{}]", user.groups.join(" "))]);
    }
    for (k, v) in &user.extra {
        t.row([format!("Extra: {k}"), format!("[{}]", v.join(" "))]);
    }
    t.render()
}

/// A SelfSubjectReview as the server returns it.
pub fn self_subject_review(user: &UserInfo, now: time::OffsetDateTime) -> serde_json::Value {
    json!({
        "kind": "SelfSubjectReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": rfc3339(now)},
        "status": {"userInfo": user},
    })
}

pub fn run(args: WhoamiArgs, global: &GlobalArgs) -> CliResult {
    if !matches!(args.output.as_str(), "table" | "json" | "yaml") {
        return Err(CliError::new(format!(
            "--output: unknown format `{}` (table, json or yaml)",
            args.output
        )));
    }
    let (credential, source) = super::credential(&args.credential, global)?;
    let verdict = super::authenticate(&credential, &args.server)?;
    let now = args.server.now();
    match &verdict {
        Verdict::Authenticated {
            user,
            method,
            checks,
        } => {
            print_user(user, &args.output, now);
            eprintln!(
                "kauth: {source}: {method}, as kube-apiserver would authenticate it at {}",
                rfc3339(now)
            );
            for c in checks {
                match c {
                    Check::Passed(m) => eprintln!("  checked: {m}"),
                    Check::Failed(m) => eprintln!("  failed: {m}"),
                    Check::NotChecked(m) => eprintln!("  not checked: {m}"),
                }
            }
            Ok(())
        }
        Verdict::Anonymous { user } => {
            print_user(user, &args.output, now);
            eprintln!("kauth: {source} presents no credential: the request is anonymous");
            Ok(())
        }
        Verdict::Unauthorized { reasons } => {
            let mut text = "You must be logged in to the server (Unauthorized)".to_string();
            for r in reasons {
                text.push_str(&format!("\n  {r}"));
            }
            Err(CliError::new(text).code(EXIT_NO))
        }
        Verdict::Unknown { reason } => Err(CliError::new(format!("{source}: {reason}"))),
    }
}

fn print_user(user: &UserInfo, output: &str, now: time::OffsetDateTime) {
    let review = self_subject_review(user, now);
    match output {
        "json" => print!("{}", crate::kubeconfig::view::to_go_json(&review)),
        "yaml" => print!("{}", crate::yaml::emit(&review)),
        _ => print!("{}", table(user)),
    }
}
