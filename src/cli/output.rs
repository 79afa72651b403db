//! Output helpers: kubectl's table layout, identities.

use kauth_auth::UserInfo;

/// `user "kfree", groups "dev", "system:authenticated"` (and the UID).
pub fn describe_user(user: &UserInfo) -> String {
    let mut s = format!("user {:?}", user.username);
    if !user.uid.is_empty() {
        s.push_str(&format!(", uid {:?}", user.uid));
    }
    if user.groups.is_empty() {
        s.push_str(", no groups");
    } else {
        let groups: Vec<String> = user.groups.iter().map(|g| format!("{g:?}")).collect();
        s.push_str(&format!(", groups {}", groups.join(", ")));
    }
    s
}

/// Go's `text/tabwriter` as kubectl configures it (`printers.GetNewTabWriter`:
/// min width 6, padding 3, spaces). Every cell but the last of a row is
/// padded to its column's width; the last is printed as is.
pub struct TabWriter {
    rows: Vec<Vec<String>>,
    min_width: usize,
    padding: usize,
}

impl TabWriter {
    pub fn kubectl() -> Self {
        TabWriter {
            rows: Vec::new(),
            min_width: 6,
            padding: 3,
        }
    }

    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.rows
            .push(cells.into_iter().map(|c| c.as_ref().to_string()).collect());
    }

    pub fn render(&self) -> String {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut widths = vec![0; columns];
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
                let w = (cell.chars().count() + self.padding).max(self.min_width);
                widths[i] = widths[i].max(w);
            }
        }
        let mut out = String::new();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                out.push_str(cell);
                if i + 1 < row.len() {
                    let pad = widths[i] - cell.chars().count();
                    out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push('\n');
        }
        out
    }
}

/// A progress line on standard error, drawn only on a terminal.
pub struct Spinner {
    message: String,
    frame: usize,
    terminal: bool,
}

impl Spinner {
    pub fn new(message: impl Into<String>) -> Spinner {
        use std::io::IsTerminal;
        Spinner {
            message: message.into(),
            frame: 0,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    pub fn tick(&mut self) {
        if !self.terminal {
            return;
        }
        const FRAMES: [char; 4] = ['|', '/', '-', '\\'];
        eprint!("\r{} {}", FRAMES[self.frame % FRAMES.len()], self.message);
        self.frame += 1;
    }

    /// Clears the line and prints `last` (if not empty).
    pub fn finish(&mut self, last: &str) {
        if self.terminal && self.frame > 0 {
            eprint!("\r{}\r", " ".repeat(self.message.chars().count() + 2));
        }
        if !last.is_empty() {
            eprintln!("{last}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_all_but_the_last_column() {
        let mut t = TabWriter::kubectl();
        t.row(["CURRENT", "NAME", "NS"]);
        t.row(["*", "a", ""]);
        assert_eq!(t.render(), "CURRENT   NAME   NS\n*         a      \n");
    }
}
