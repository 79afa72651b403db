//! The one error type of the command-line layer and how it is printed.
//!
//! Grammar: `error: <lowercase message>` on one line, then an optional
//! `hint: ...` line. Messages never contain secrets.

use std::fmt;

/// Exit status for a definite "no" (a check that fails, `can-i` says no).
pub const EXIT_NO: i32 = 1;
/// Exit status for an error in kauth's own commands.
pub const EXIT_ERROR: i32 = 2;
/// Exit status kubectl uses for every error; `kauth config` matches it.
pub const EXIT_KUBECTL: i32 = 1;

#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub hint: Option<String>,
    pub code: i32,
    /// Print the message as is, without the `error: ` prefix (kubectl prints
    /// some errors that way).
    pub bare: bool,
}

impl CliError {
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            hint: None,
            code: EXIT_ERROR,
            bare: false,
        }
    }

    /// An error printed and exited the way kubectl does (`error: ...`, status 1).
    pub fn kubectl(message: impl Into<String>) -> Self {
        CliError::new(message).code(EXIT_KUBECTL)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn code(mut self, code: i32) -> Self {
        self.code = code;
        self
    }

    pub fn bare(mut self) -> Self {
        self.bare = true;
        self
    }

    /// An exit status with nothing printed: the command already said why.
    pub fn bare_quiet(mut self) -> Self {
        self.bare = true;
        self.message.clear();
        self
    }

    /// Builds an error from any library error, printing its source chain.
    pub fn from_error(err: &(dyn std::error::Error + 'static)) -> Self {
        let mut message = err.to_string();
        let mut source = err.source();
        while let Some(cause) = source {
            message.push_str(": ");
            message.push_str(&cause.to_string());
            source = cause.source();
        }
        CliError::new(message)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.bare {
            write!(f, "{}", self.message)?;
        } else {
            write!(f, "error: {}", self.message)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

pub type CliResult<T = ()> = Result<T, CliError>;
