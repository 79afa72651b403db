//! Go's `encoding/csv` reader (`FieldsPerRecord = -1`, no comments, no
//! lazy quotes), which both kube-apiserver's `--token-auth-file` and
//! kubectl's list flags (`--exec-arg=a,b`) use.
//!
//! Written by hand, following Go's `readLine` and `readRecord` step by
//! step, because the error a user sees is Go's text with Go's line and
//! byte column, and Go's line rules (`\r\n`, a `\r` dropped at the end,
//! empty lines skipped) differ from RFC 4180 readers such as the `csv`
//! crate. `tests/go/csv` checks it against Go.

/// A record and the line it starts on (1-based).
pub type Record = (usize, Vec<String>);

/// Go's `csv.ParseError` text: a record spanning lines names both.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}parse error on line {line}, column {column}: {message}", if start_line != line { format!("record on line {start_line}; ") } else { String::new() })]
pub struct CsvError {
    pub start_line: usize,
    pub line: usize,
    pub column: usize,
    pub message: &'static str,
}

const BARE_QUOTE: &str = "bare \" in non-quoted-field";
const QUOTE: &str = "extraneous or missing \" in quoted-field";

/// All records of `text`, as Go's `Reader.Read` returns them one by one
/// until the first error. Empty lines are skipped, `\r\n` ends a line as
/// `\n` does, a `\r` before the end of the text is dropped, and error
/// columns count bytes, all as Go does.
pub fn read_all(text: &str) -> Result<Vec<Record>, CsvError> {
    let mut lines = Lines {
        rest: text.as_bytes(),
        number: 0,
    };
    let mut records = Vec::new();
    while let Some(record) = read_record(&mut lines)? {
        records.push(record);
    }
    Ok(records)
}

/// One line of input: its bytes without the line break, and whether it
/// had one.
#[derive(Clone, Copy)]
struct Line<'a> {
    body: &'a [u8],
    newline: bool,
}

impl Line<'_> {
    fn is_empty(&self) -> bool {
        self.body.is_empty() && !self.newline
    }
}

struct Lines<'a> {
    rest: &'a [u8],
    /// Lines read so far (Go's `numLine`).
    number: usize,
}

impl<'a> Lines<'a> {
    /// Go's `readLine`; `None` at the end of the text.
    fn next(&mut self) -> Option<Line<'a>> {
        self.number += 1;
        if self.rest.is_empty() {
            return None;
        }
        let (mut body, newline) = match memchr::memchr(b'\n', self.rest) {
            Some(i) => {
                let body = &self.rest[..i];
                self.rest = &self.rest[i + 1..];
                (body.strip_suffix(b"\r").unwrap_or(body), true)
            }
            None => (std::mem::take(&mut self.rest), false),
        };
        if !newline {
            body = body.strip_suffix(b"\r").unwrap_or(body);
        }
        Some(Line { body, newline })
    }
}

fn field_text(bytes: &[u8]) -> String {
    // Fields are cut from UTF-8 text at ASCII bytes, so they are UTF-8.
    String::from_utf8_lossy(bytes).into_owned()
}

/// Go's `readRecord` with `FieldsPerRecord = -1`; `None` at the end.
fn read_record(lines: &mut Lines) -> Result<Option<Record>, CsvError> {
    let mut line = loop {
        match lines.next() {
            None => return Ok(None),
            Some(line) if line.body.is_empty() => continue,
            Some(line) => break line,
        }
    };
    let start_line = lines.number;
    let error = |line: usize, column: usize, message| CsvError {
        start_line,
        line,
        column,
        message,
    };
    let mut fields = Vec::new();
    let (mut at, mut column, mut pos_line) = (0, 1, start_line);
    'fields: loop {
        let rest = &line.body[at..];
        if rest.first() != Some(&b'"') {
            let comma = memchr::memchr(b',', rest);
            let field = &rest[..comma.unwrap_or(rest.len())];
            if let Some(j) = memchr::memchr(b'"', field) {
                return Err(error(lines.number, column + j, BARE_QUOTE));
            }
            fields.push(field_text(field));
            match comma {
                Some(i) => {
                    at += i + 1;
                    column += i + 1;
                    continue;
                }
                None => break,
            }
        }
        // A quoted field, perhaps over several lines.
        let mut field = Vec::new();
        at += 1;
        column += 1;
        loop {
            let rest = &line.body[at..];
            if let Some(i) = memchr::memchr(b'"', rest) {
                field.extend_from_slice(&rest[..i]);
                at += i + 1;
                column += i + 1;
                match line.body.get(at) {
                    Some(b'"') => {
                        field.push(b'"');
                        at += 1;
                        column += 1;
                    }
                    Some(b',') => {
                        at += 1;
                        column += 1;
                        fields.push(field_text(&field));
                        continue 'fields;
                    }
                    None => {
                        fields.push(field_text(&field));
                        break 'fields;
                    }
                    Some(_) => return Err(error(lines.number, column - 1, QUOTE)),
                }
            } else if !line.is_empty() && (!rest.is_empty() || line.newline) {
                field.extend_from_slice(rest);
                if line.newline {
                    field.push(b'\n');
                }
                column += rest.len() + usize::from(line.newline);
                line = lines.next().unwrap_or(Line {
                    body: b"",
                    newline: false,
                });
                at = 0;
                if !line.is_empty() {
                    pos_line += 1;
                    column = 1;
                }
            } else {
                // The text ends inside the quotes.
                return Err(error(pos_line, column, QUOTE));
            }
        }
    }
    Ok(Some((start_line, fields)))
}

/// One flag value read as one CSV record (pflag's `StringSlice`, which
/// calls `Read` once: a second line is not read).
pub fn read_line(value: &str) -> Result<Vec<String>, CsvError> {
    let mut lines = Lines {
        rest: value.as_bytes(),
        number: 0,
    };
    Ok(read_record(&mut lines)?.map(|(_, r)| r).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_go() {
        let recs = read_all("a,b,\"c,d\"\n\n\"x\"\"y\",\"multi\nline\"\r\nz").unwrap();
        assert_eq!(
            recs,
            vec![
                (1, vec!["a".into(), "b".into(), "c,d".into()]),
                (3, vec!["x\"y".into(), "multi\nline".into()]),
                (5, vec!["z".into()]),
            ]
        );
        assert_eq!(read_all("a,b\"c").unwrap_err().message, BARE_QUOTE);
        assert_eq!(read_all("\"a\"b").unwrap_err().message, QUOTE);
        assert_eq!(
            read_line("--region,us-west-2").unwrap(),
            ["--region", "us-west-2"]
        );
        assert_eq!(read_line("a,").unwrap(), ["a", ""]);
    }
}
