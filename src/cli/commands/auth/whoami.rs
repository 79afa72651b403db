//! `kauth auth whoami`: kubectl's table on stdout, kauth's reasoning on
//! stderr.

use clap::Args;
use serde_json::json;

use super::ServerArgs;
use crate::cli::connection::{ConnectionArgs, FrontProxyArgs, api_error, connect};
use crate::cli::output::{TabWriter, describe_user};
use crate::cli::{CliError, CliResult, GlobalArgs, error::EXIT_NO};
use kauth_auth::UserInfo;
use kauth_auth::authn::{Check, Credential, Verdict};
use kauth_formats::time::rfc3339;

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Decide offline with kauth's model of kube-apiserver
    #[arg(long)]
    pub offline: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub proxy: FrontProxyArgs,
    /// Output format: table, json or yaml
    #[arg(short = 'o', long = "output", default_value = "table", add = crate::cli::complete::values(&["table", "json", "yaml"]))]
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
    if !args.offline && args.proxy.given() {
        return Err(CliError::new(
            "--proxy-cert: whoami asks the server with the kubeconfig's credential; a front proxy's request is judged with --offline",
        )
        .hint("to ask the server as the proxy: kauth request POST /apis/authentication.k8s.io/v1/selfsubjectreviews -d '{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}' --proxy-cert PROXY.crt --proxy-key PROXY.key --remote-user USER"));
    }
    if !args.offline {
        return online(&args, global);
    }
    let (credential, source, headers) = match &args.proxy.proxy_cert {
        Some(cert) => {
            let chain = crate::cli::pki_io::read_certs(cert)?;
            let headers = args.proxy.headers(&args.server.proxy_header_names()?)?;
            let credential = match args.connection.read_token()? {
                Some(t) => Credential::CertificateAndToken(chain, t),
                None => Credential::Certificate(chain),
            };
            (credential, format!("the front proxy {cert}"), headers)
        }
        None => {
            let (c, s) = super::credential(&args.connection, global)?;
            (c, s, Vec::new())
        }
    };
    let verdict = super::authenticate_request(&credential, &headers, &args.server)?;
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
        Verdict::Anonymous { user, warnings } => {
            for w in warnings {
                eprintln!("Warning: {w}");
            }
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
        "json" => print!("{}", kauth_formats::json::to_go_json(&review)),
        "yaml" => print!("{}", kauth_formats::yaml::emit(&review)),
        _ => print!("{}", table(user)),
    }
}

/// Asks the server (SelfSubjectReview) and compares its answer with
/// kauth's offline prediction for the same credential.
fn online(args: &WhoamiArgs, global: &GlobalArgs) -> CliResult {
    let resolved = args.connection.resolve(global)?;
    let client = connect(&resolved)?;
    let source = format!(
        "the {} of kubeconfig user {:?}",
        resolved.credential_kind, resolved.user
    );
    let prediction = super::predict(&resolved, &args.server)?;
    let user = match client.self_subject_review() {
        Ok(user) => user,
        Err(e) => {
            let mut err = api_error(&e);
            if e.code() == Some(401)
                && let Some(Verdict::Unauthorized { reasons }) = &prediction
            {
                err = err.hint(format!("kauth sees why: {}", reasons.join("; ")));
            }
            return Err(err);
        }
    };
    print_user(&user, &args.output, time::OffsetDateTime::now_utc());
    eprintln!(
        "kauth: the server authenticated {source} as {}",
        describe_user(&user)
    );
    match prediction.as_ref().map(|v| (v, v.user())) {
        Some((_, Some(predicted))) => {
            let diff = differences(predicted, &user);
            if diff.is_empty() {
                eprintln!("  kauth's offline prediction matches");
            } else {
                eprintln!("  kauth's offline prediction differs:");
                for d in diff {
                    eprintln!("    {d}");
                }
            }
        }
        Some((Verdict::Unauthorized { reasons }, None)) => {
            eprintln!("  kauth predicted a refusal: {}", reasons.join("; "));
        }
        Some((Verdict::Unknown { reason }, None)) => {
            eprintln!("  kauth cannot predict it offline: {reason}")
        }
        _ => {
            eprintln!("  kauth cannot predict an exec plugin's or auth-provider's identity offline")
        }
    }
    Ok(())
}

/// What the server said that kauth did not predict, in words.
pub fn differences(predicted: &UserInfo, actual: &UserInfo) -> Vec<String> {
    let mut out = Vec::new();
    if predicted.username != actual.username {
        out.push(format!(
            "username: predicted {:?}, server {:?}",
            predicted.username, actual.username
        ));
    }
    if predicted.uid != actual.uid {
        out.push(format!(
            "uid: predicted {:?}, server {:?}",
            predicted.uid, actual.uid
        ));
    }
    for g in &actual.groups {
        if !predicted.in_group(g) {
            out.push(format!("group {g:?}: added by the server (an authenticator or webhook kauth does not model)"));
        }
    }
    for g in &predicted.groups {
        if !actual.in_group(g) {
            out.push(format!("group {g:?}: predicted, not given by the server"));
        }
    }
    for (k, v) in &actual.extra {
        if predicted.extra.get(k) != Some(v) {
            out.push(format!(
                "extra {k}: server {v:?}, predicted {:?}",
                predicted.extra.get(k).cloned().unwrap_or_default()
            ));
        }
    }
    for k in predicted.extra.keys() {
        if !actual.extra.contains_key(k) {
            out.push(format!("extra {k}: predicted, not given by the server"));
        }
    }
    out
}
