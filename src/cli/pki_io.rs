//! Reading keys, certificates and CSRs named on the command line, with
//! errors that name the file; durations as users write them.

use time::Duration;

use crate::cli::CliError;
use kauth_pki::cert;
use kauth_pki::key::PrivateKey;
use kauth_store::files::{self, Access, Output};

/// Writes PEM text to `out` (standard output for `-`), saying so on stderr.
pub fn write_pem(out: &str, pem: &str, access: Access, force: bool) -> Result<(), CliError> {
    if out == "-" {
        print!("{pem}");
        return Ok(());
    }
    files::write_all(
        &[Output {
            path: out.as_ref(),
            contents: pem.as_bytes(),
            access,
        }],
        force,
    )
    .map_err(|e| CliError::from_error(&e))?;
    eprintln!(
        "wrote {out}{}",
        if access == Access::Private {
            " (mode 0600)"
        } else {
            ""
        }
    );
    Ok(())
}

pub fn read_key(path: &str) -> Result<PrivateKey, CliError> {
    let bytes = files::read_input(path).map_err(|e| CliError::from_error(&e))?;
    PrivateKey::from_pem(&String::from_utf8_lossy(&bytes))
        .map_err(|e| CliError::new(format!("`{path}`: {e}")))
}

/// The first certificate of a PEM file, and any that follow it.
pub fn read_certs(path: &str) -> Result<Vec<Vec<u8>>, CliError> {
    let bytes = files::read_input(path).map_err(|e| CliError::from_error(&e))?;
    cert::certificates_from_pem(&bytes).map_err(|e| CliError::new(format!("`{path}`: {e}")))
}

pub fn read_csr(path: &str) -> Result<cert::CsrInfo, CliError> {
    let bytes = files::read_input(path).map_err(|e| CliError::from_error(&e))?;
    cert::read_csr(&bytes).map_err(|e| CliError::new(format!("`{path}`: {e}")))
}

const DURATION_EXAMPLES: &str = "(examples: 90m, 24h, 30d)";

/// `90m`, `24h`, `1h30m` (Go's `time.ParseDuration`), kauth's `30d` and
/// `2w`, or a bare number of seconds, in nanoseconds.
fn nanoseconds(text: &str) -> Result<i64, String> {
    use kauth_formats::duration::{self, DurationError};
    duration::parse_seconds_or(text, &duration::DAY_UNITS).map_err(|e| match e {
        DurationError::TooLong(_) => {
            format!("invalid duration `{text}`: too long {DURATION_EXAMPLES}")
        }
        e => format!("{e} {DURATION_EXAMPLES}"),
    })
}

/// A duration as [`nanoseconds`] reads it, positive and at most Go's ~292
/// years.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let ns = nanoseconds(text)?;
    if ns <= 0 {
        return Err(format!(
            "invalid duration `{text}`: not positive {DURATION_EXAMPLES}"
        ));
    }
    Ok(Duration::nanoseconds(ns))
}

/// A duration that may be zero (`--wait 0`: do not wait).
pub fn parse_wait(text: &str) -> Result<Duration, String> {
    if nanoseconds(text)? == 0 {
        return Ok(Duration::ZERO);
    }
    parse_duration(text)
}

/// An RFC 3339 moment (`--at`).
pub fn parse_time(s: &str) -> Result<time::OffsetDateTime, String> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("invalid time `{s}` (RFC 3339, e.g. 2026-12-01T09:00:00Z): {e}"))
}

/// `--days N` or `--ttl D`, else the default.
/// (`--days` is at most 106,751, Go's longest duration; the certificate's
/// end is checked against the calendar where it is computed.)
pub fn validity(days: Option<u32>, ttl: Option<Duration>, default: Duration) -> Duration {
    match (days, ttl) {
        (Some(d), _) => Duration::days(d.into()),
        (None, Some(t)) => t,
        (None, None) => default,
    }
}

/// `2027-11-23 12:00 UTC (in 364 days)`.
pub fn describe_expiry(at: time::OffsetDateTime, now: time::OffsetDateTime) -> String {
    let left = at - now;
    let when = kauth_formats::time::rfc3339(at);
    if left.is_negative() {
        format!("{when} (expired {} ago)", human(-left))
    } else {
        format!("{when} (in {})", human(left))
    }
}

pub fn human(d: Duration) -> String {
    let days = d.whole_days();
    if days >= 2 {
        format!("{days} days")
    } else if d.whole_hours() >= 2 {
        format!("{} hours", d.whole_hours())
    } else if d.whole_minutes() >= 2 {
        format!("{} minutes", d.whole_minutes())
    } else {
        format!("{} seconds", d.whole_seconds())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_users_write_them() {
        assert_eq!(parse_duration("24h"), Ok(Duration::hours(24)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::minutes(90)));
        assert_eq!(parse_duration("30d"), Ok(Duration::days(30)));
        assert_eq!(parse_duration("600"), Ok(Duration::seconds(600)));
        for bad in ["", "h", "10x", "-1h", "0h", "1h5"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
