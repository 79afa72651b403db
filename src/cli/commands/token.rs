//! `kauth token inspect`: what a bearer token is and who the API server
//! will take it for.

use clap::{Args, Subcommand};
use serde_json::json;
use time::OffsetDateTime;

use crate::cli::output::describe_user;
use crate::cli::{CliError, CliResult, pki_io};
use kauth_auth::authn::bootstrap;
use kauth_auth::authn::jwt::{Jwt, PublicKey};
use kauth_auth::authn::service_account::{self, Check, TokenKind};
use kauth_formats::time::rfc3339;

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Header, claims, identity and expiry of a JWT (ServiceAccount or OIDC), or the id of a bootstrap token
    #[command(
        after_help = "Examples:\n  kauth token inspect - < token\n  kauth sa token test/sa1 | kauth token inspect -\n  kauth token inspect \"$TOKEN\" --key sa.pub --issuer https://kubernetes.default.svc.cluster.local\n  kauth token inspect - --jwks jwks.json -o json < token"
    )]
    Inspect(InspectArgs),
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The token, or `-` to read it from standard input (safer: not in the process list)
    pub token: String,
    /// Verify the signature with this public key (PEM; the API server's --service-account-key-file)
    #[arg(long, alias = "sa-key", value_name = "FILE")]
    pub key: Vec<String>,
    /// Verify the signature with a JWKS (the issuer's /openid/v1/jwks)
    #[arg(long, value_name = "FILE")]
    pub jwks: Vec<String>,
    /// The API server's --service-account-issuer (repeatable)
    #[arg(long = "issuer", value_name = "URL")]
    pub issuers: Vec<String>,
    /// The API server's --api-audiences (repeatable)
    #[arg(long = "api-audience", value_name = "AUD")]
    pub api_audiences: Vec<String>,
    /// Output format: text or json
    #[arg(short = 'o', long = "output", default_value = "text", add = crate::cli::complete::values(&["text", "json"]))]
    pub output: String,
    /// Answer for this moment instead of now (RFC 3339)
    #[arg(long, value_parser = pki_io::parse_time)]
    pub at: Option<OffsetDateTime>,
}

pub fn run(cmd: TokenCommand) -> CliResult {
    match cmd {
        TokenCommand::Inspect(args) => inspect(args),
    }
}

fn read_token(arg: &str) -> Result<zeroize::Zeroizing<String>, CliError> {
    let text = zeroize::Zeroizing::new(crate::cli::connection::token_argument(arg)?);
    let t = text.trim();
    Ok(zeroize::Zeroizing::new(
        t.strip_prefix("Bearer ").unwrap_or(t).to_string(),
    ))
}

fn keys(args: &InspectArgs) -> Result<Vec<PublicKey>, CliError> {
    let mut keys = Vec::new();
    for k in &args.key {
        let bytes = std::fs::read(k).map_err(|e| CliError::new(format!("--key {k}: {e}")))?;
        keys.extend(PublicKey::from_pem(&bytes, k).map_err(|e| CliError::from_error(&e))?);
    }
    for k in &args.jwks {
        let bytes = std::fs::read(k).map_err(|e| CliError::new(format!("--jwks {k}: {e}")))?;
        keys.extend(PublicKey::from_jwks(&bytes, k).map_err(|e| CliError::from_error(&e))?);
    }
    Ok(keys)
}

fn inspect(args: InspectArgs) -> CliResult {
    if !matches!(args.output.as_str(), "text" | "json") {
        return Err(CliError::new(format!(
            "--output: unknown format `{}` (text or json)",
            args.output
        )));
    }
    let token = read_token(&args.token)?;
    if let Some(id) = bootstrap::token_id(&token) {
        return describe_bootstrap(id, &args.output);
    }
    let jwt = Jwt::parse(&token).map_err(|e| {
        CliError::new(e.to_string()).hint(
            "static tokens (--token-auth-file) carry no claims, and bootstrap tokens are exactly 6 + 16 lower-case letters and digits (abcdef.0123456789abcdef); `kauth auth whoami --token -` asks the server",
        )
    })?;
    let keys = keys(&args)?;
    let now = args.at.unwrap_or_else(OffsetDateTime::now_utc);
    let opts = service_account::Options {
        keys: keys.clone(),
        issuers: args.issuers.clone(),
        api_audiences: args.api_audiences.clone(),
    };
    let review = service_account::review(&token, &opts, now);
    // A ServiceAccount token's review checks the signature itself.
    let signature = if keys.is_empty() || review.is_ok() {
        None
    } else {
        Some(jwt.verify(&keys).map_err(|e| CliError::from_error(&e))?)
    };
    if args.output == "json" {
        let mut out = json!({"header": jwt.header, "claims": jwt.claims});
        if let Some(ok) = signature {
            out["signatureValid"] = json!(ok);
        }
        if let Ok(r) = &review {
            out["user"] = serde_json::to_value(&r.user).unwrap_or_default();
            out["accepted"] = json!(r.accepted());
            out["refused"] = json!(r.failures());
        }
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return unsigned(&jwt);
    }
    for line in describe(&jwt, review.as_ref().ok(), signature, now) {
        println!("{line}");
    }
    if let Err(e) = &review {
        println!("identity:   {e}; the user comes from the server's OIDC or webhook configuration");
    }
    unsigned(&jwt)
}

/// A bootstrap token: its id and what the server does with it, never the
/// secret part. The Secret itself (usage, expiry, extra groups) is only in
/// the cluster.
fn describe_bootstrap(id: &str, output: &str) -> CliResult {
    let secret = format!("{}/{}{id}", bootstrap::NAMESPACE, bootstrap::SECRET_PREFIX);
    let user = format!("{}{id}", bootstrap::USER_PREFIX);
    if output == "json" {
        let out = json!({
            "kind": "BootstrapToken",
            "tokenID": id,
            "secret": secret,
            "user": {"username": user, "groups": [bootstrap::DEFAULT_GROUP]},
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(());
    }
    println!("kind:       bootstrap token (--enable-bootstrap-token-auth)");
    println!("token id:   {id}");
    println!(
        "secret:     Secret {secret} (type {}), which must hold the token's secret part, usage-bootstrap-authentication=true and an expiration in the future, if any",
        bootstrap::SECRET_TYPE
    );
    println!(
        "identity:   {user}, groups {} and the Secret's auth-extra-groups (system:bootstrappers:*)",
        bootstrap::DEFAULT_GROUP
    );
    Ok(())
}

/// An unsigned token (`alg: none`) is printed, then the command fails: no
/// authenticator of kube-apiserver accepts one.
fn unsigned(jwt: &Jwt) -> CliResult {
    if jwt.algorithm().eq_ignore_ascii_case("none") {
        return Err(CliError::new(
            "the token is unsigned (alg \"none\"): kube-apiserver accepts no such token",
        ));
    }
    Ok(())
}

/// The token in lines of `label: value`.
pub fn describe(
    jwt: &Jwt,
    review: Option<&service_account::TokenReview>,
    signature: Option<bool>,
    now: OffsetDateTime,
) -> Vec<String> {
    let mut out = Vec::new();
    let time = |secs: i64| OffsetDateTime::from_unix_timestamp(secs).ok();
    out.push(format!(
        "algorithm:  {}{}",
        jwt.algorithm(),
        jwt.key_id()
            .map(|k| format!(" (key id {k})"))
            .unwrap_or_default()
    ));
    if let Some(iss) = jwt.claim_str("iss") {
        out.push(format!("issuer:     {iss}"));
    }
    if let Some(sub) = jwt.claim_str("sub") {
        out.push(format!("subject:    {sub}"));
    }
    let aud = jwt.audiences();
    if !aud.is_empty() {
        out.push(format!("audience:   {}", aud.join(", ")));
    }
    if let Some(iat) = jwt.numeric_claim("iat").and_then(time) {
        out.push(format!("issued:     {}", rfc3339(iat)));
    }
    match jwt.numeric_claim("exp").and_then(time) {
        Some(exp) => out.push(format!("expires:    {}", pki_io::describe_expiry(exp, now))),
        None => out.push("expires:    never (no exp claim)".into()),
    }
    if let Some(r) = review {
        out.push(format!(
            "kind:       {}",
            match r.kind {
                TokenKind::Legacy =>
                    "legacy ServiceAccount token (from a Secret; valid while the Secret exists)",
                TokenKind::Bound => "bound ServiceAccount token (TokenRequest)",
            }
        ));
        if let Some(b) = &r.bound_object {
            out.push(format!("bound to:   {b} (invalid once it is deleted)"));
        }
        if let Some(w) = r.warn_after.and_then(time) {
            out.push(format!(
                "warn after: {} (the server logs use of a stale projected token after this)",
                rfc3339(w)
            ));
        }
        out.push(format!("identity:   {}", describe_user(&r.user)));
        for c in &r.checks {
            match c {
                Check::Passed(m) => out.push(format!("  checked:     {m}")),
                Check::Failed(m) => out.push(format!("  refused:     {m}")),
                Check::NotChecked(m) => out.push(format!("  not checked: {m}")),
            }
        }
    }
    match (signature, review) {
        (Some(true), _) => out.push("signature:  valid".into()),
        (Some(false), _) => out.push("signature:  INVALID for the keys given".into()),
        (None, None) => out.push("signature:  not checked (pass --key or --jwks)".into()),
        (None, Some(_)) => {}
    }
    out
}
