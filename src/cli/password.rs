//! Passwords come from a prompt, a file or standard input: never argv,
//! where `ps` and shell history would keep them.

use std::io::IsTerminal;

use clap::Args;
use zeroize::Zeroizing;

use crate::cli::CliError;

#[derive(Debug, Args, Clone, Default)]
pub struct PasswordArgs {
    /// Read the password from the first line of this file
    #[arg(
        long = "password-file",
        value_name = "FILE",
        conflicts_with = "password_stdin"
    )]
    pub password_file: Option<String>,
    /// Read the password from the first line of standard input
    #[arg(long = "password-stdin")]
    pub password_stdin: bool,
}

fn first_line(bytes: &[u8]) -> Zeroizing<String> {
    let text = String::from_utf8_lossy(bytes);
    Zeroizing::new(text.lines().next().unwrap_or("").to_string())
}

impl PasswordArgs {
    /// The password; on a terminal without a source, asked for (twice
    /// when `confirm`).
    pub fn read(&self, confirm: bool) -> Result<Zeroizing<String>, CliError> {
        if let Some(path) = &self.password_file {
            let bytes = Zeroizing::new(
                std::fs::read(path)
                    .map_err(|e| CliError::new(format!("--password-file {path}: {e}")))?,
            );
            return Ok(first_line(&bytes));
        }
        if self.password_stdin {
            let mut bytes = Zeroizing::new(Vec::new());
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
                .map_err(|e| CliError::new(format!("--password-stdin: {e}")))?;
            return Ok(first_line(&bytes));
        }
        if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
            return Err(CliError::new(
                "no password: pass --password-file FILE or --password-stdin (no terminal to ask on)",
            ));
        }
        let mut prompt = dialoguer::Password::new()
            .with_prompt("Password")
            .allow_empty_password(true);
        if confirm {
            prompt = prompt.with_confirmation("Repeat", "the passwords differ");
        }
        prompt
            .interact()
            .map(Zeroizing::new)
            .map_err(|e| CliError::new(format!("password prompt: {e}")))
    }
}
