//! `kauth cert inspect`: what a certificate says, and who the API server
//! will think its holder is.

use clap::Args;
use serde_json::json;
use time::OffsetDateTime;

use crate::cli::output::describe_user;
use crate::cli::{CliError, CliResult, GlobalArgs, error::EXIT_NO, pki_io};
use kauth_auth::UserInfo;
use kauth_auth::authn::x509;
use kauth_pki::{cert, inspect};
use kauth_store::kubeconfig::{self, PathOptions};

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A PEM certificate file (`-` for standard input); without it, the
    /// kubeconfig user's certificate (--user, or the current context's)
    pub file: Option<String>,
    /// Check the certificate against this CA bundle (the API server's --client-ca-file)
    #[arg(long, value_name = "FILE")]
    pub ca: Option<String>,
    /// Answer for this moment instead of now (RFC 3339)
    #[arg(long, value_parser = pki_io::parse_time)]
    pub at: Option<OffsetDateTime>,
    /// Output format: text or json
    #[arg(short = 'o', long = "output", default_value = "text", add = crate::cli::complete::values(&["text", "json"]))]
    pub output: String,
}

pub fn run(args: InspectArgs, global: &GlobalArgs) -> CliResult {
    if !matches!(args.output.as_str(), "text" | "json") {
        return Err(CliError::new(format!(
            "--output: unknown format `{}` (text or json)",
            args.output
        )));
    }
    let (certs, source) = match &args.file {
        Some(path) => (pki_io::read_certs(path)?, path.clone()),
        None => {
            let opts = PathOptions::from_env(global.kubeconfig.as_deref());
            let (pem, source) = kubeconfig::client_certificate(
                &opts,
                global.user.as_deref(),
                global.context.as_deref(),
            )
            .map_err(|e| CliError::from_error(&e))?;
            let certs = cert::certificates_from_pem(&pem)
                .map_err(|e| CliError::new(format!("{source}: {e}")))?;
            (certs, source)
        }
    };
    let now = args.at.unwrap_or_else(OffsetDateTime::now_utc);
    let leaf = &certs[0];
    let facts = inspect::facts(leaf).map_err(|e| CliError::new(format!("{source}: {e}")))?;
    let parsed = x509::Cert::from_der(leaf).map_err(|e| CliError::new(format!("{source}: {e}")))?;
    let user = x509::user_from_certificate(&parsed).map(UserInfo::with_authenticated_group);
    let verdict = match &args.ca {
        Some(ca) => {
            let roots = pki_io::read_certs(ca)?;
            Some(super::identity(leaf, &certs[1..], &roots, now))
        }
        None => None,
    };
    if args.output == "json" {
        let doc = json!({
            "source": source,
            "certificate": facts,
            "userInfo": user.as_ref().ok(),
            "userError": user.as_ref().err().map(ToString::to_string),
            "verification": args.ca.as_ref().map(|ca| json!({
                "ca": ca,
                "at": kauth_formats::time::rfc3339(now),
                "accepted": matches!(verdict, Some(Ok(_))),
                "error": verdict.as_ref().and_then(|v| v.as_ref().err()),
            })),
        });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        print_text(&facts, &user, now, &args.ca, &verdict);
    }
    match verdict {
        Some(Err(_)) => Err(CliError::new("the CA would refuse this certificate")
            .code(EXIT_NO)
            .bare_quiet()),
        _ => Ok(()),
    }
}

fn print_text(
    f: &inspect::CertificateFacts,
    user: &Result<UserInfo, x509::UserError>,
    now: OffsetDateTime,
    ca: &Option<String>,
    verdict: &Option<Result<UserInfo, String>>,
) {
    let none = |v: &[String]| {
        if v.is_empty() {
            "-".to_string()
        } else {
            v.join(", ")
        }
    };
    let mut lines = vec![
        ("Subject", f.subject.clone()),
        ("Issuer", f.issuer.clone()),
        ("Serial", f.serial.clone()),
        ("Not before", f.not_before.clone()),
        (
            "Not after",
            f.not_after_time
                .map(|t| pki_io::describe_expiry(t, now))
                .unwrap_or_else(|| f.not_after.clone()),
        ),
        ("Public key", f.public_key.clone()),
        ("Signature", f.signature_algorithm.clone()),
        ("Key usage", none(&f.key_usage)),
        ("Ext. key usage", none(&f.extended_key_usage)),
        ("SANs", none(&f.subject_alt_names)),
        ("CA", if f.is_ca { "yes".into() } else { "no".into() }),
        ("SHA-256", f.sha256_fingerprint.clone()),
    ];
    if let Some(before) = f.not_before_time
        && now < before
    {
        lines.push((
            "Warning",
            format!("not valid yet (starts in {})", pki_io::human(before - now)),
        ));
    }
    for (k, v) in lines {
        println!("{:<16}{v}", format!("{k}:"));
    }
    println!();
    println!("As the API server sees it:");
    match user {
        Ok(u) => println!("  {}", describe_user(u)),
        Err(e) => println!("  {e}"),
    }
    match (ca, verdict) {
        (Some(ca), Some(Ok(_))) => println!(
            "  accepted by --client-ca-file={ca} at {}",
            kauth_formats::time::rfc3339(now)
        ),
        (Some(ca), Some(Err(e))) => println!("  refused by --client-ca-file={ca}: {e}"),
        _ => println!("  (not checked against a CA: pass --ca FILE)"),
    }
}
