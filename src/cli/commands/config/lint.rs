//! `config lint`: what is broken or risky in the kubeconfig files in play
//! (kauth's own; kubectl has no such command). The checks are in
//! `kauth_kubeconfig::lint` (the config alone) and
//! `kauth_store::kubeconfig::lint` (files, modes, `PATH`, certificates).
//!
//! Exit status: 0 no findings, 1 findings (after `--fix`, findings that
//! remain), 2 an error (a file that cannot be read or decoded).

use std::io::Write;

use clap::Args;
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use super::store_error;
use crate::cli::error::EXIT_NO;
use crate::cli::output::TabWriter;
use crate::cli::{CliError, CliResult, pki_io};
use kauth_kubeconfig::lint::{Finding, Severity};
use kauth_store::kubeconfig::{LintSettings, PathOptions, fix, lint};

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Output format: json (an array of findings); a table when not given
    #[arg(short = 'o', long = "output", default_value = "", value_parser = ["", "json"])]
    output: String,
    /// Report certificates that expire within this long (30d, 12h, ...)
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = pki_io::parse_wait)]
    within: Duration,
    /// Apply the safe fixes first (prune unused clusters and users, chmod 0600 files holding credentials), then report what remains
    #[arg(long)]
    fix: bool,
}

pub fn run(opts: &PathOptions, args: LintArgs) -> CliResult {
    if args.fix {
        let fixed = fix(opts).map_err(store_error)?;
        for r in &fixed.removed {
            eprintln!(
                "fixed: deleted {} {} from {}",
                r.kind.as_str(),
                r.name,
                r.file
            );
        }
        for (file, mode) in &fixed.chmodded {
            eprintln!("fixed: {file} mode {mode:04o} -> 0600");
        }
    }
    let settings = LintSettings {
        now: OffsetDateTime::now_utc(),
        within: args.within,
    };
    let report = lint(opts, &settings).map_err(store_error)?;
    let findings = &report.findings;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.output == "json" {
        let doc = Value::Array(findings.iter().map(to_json).collect());
        let _ = out.write_all(kauth_formats::json::to_go_json(&doc).as_bytes());
    } else if !findings.is_empty() {
        let mut table = TabWriter::kubectl();
        table.row(["SEVERITY", "CODE", "FILE", "ENTRY", "MESSAGE"]);
        for f in findings {
            let entry = match f.subject.name() {
                "" => f.subject.kind().to_string(),
                name => format!("{}/{name}", f.subject.kind()),
            };
            table.row([
                f.severity().as_str(),
                f.code.as_str(),
                &f.file,
                &entry,
                &f.message,
            ]);
        }
        let _ = out.write_all(table.render().as_bytes());
    }
    let _ = out.flush();
    let files = report.files.len();
    let files = format!("{files} file{}", if files == 1 { "" } else { "s" });
    if findings.is_empty() {
        eprintln!("no findings in {files}");
        return Ok(());
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity() == Severity::Error)
        .count();
    let fixable = findings.iter().filter(|f| f.code.fixable()).count();
    let mut summary = format!(
        "{} finding{} in {files}: {errors} error{}, {} warning{}",
        findings.len(),
        plural(findings.len()),
        plural(errors),
        findings.len() - errors,
        plural(findings.len() - errors)
    );
    if fixable > 0 && !args.fix {
        summary.push_str(&format!(" ({fixable} fixable with --fix)"));
    }
    eprintln!("{summary}");
    Err(CliError::new("").code(EXIT_NO).bare_quiet())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One finding in `-o json`: every field always present, in this order.
fn to_json(f: &Finding) -> Value {
    json!({
        "severity": f.severity().as_str(),
        "code": f.code.as_str(),
        "file": f.file,
        "kind": f.subject.kind(),
        "name": f.subject.name(),
        "message": f.message,
        "fixable": f.code.fixable(),
    })
}
