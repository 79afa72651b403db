//! Go's `encoding/csv` reader (`FieldsPerRecord = -1`, no comments, no
//! lazy quotes), which both kube-apiserver's `--token-auth-file` and
//! kubectl's list flags (`--exec-arg=a,b`) use.

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

/// All records of `text`. Empty lines are skipped, as Go does; `\r\n`
/// counts as `\n`.
pub fn read_all(text: &str) -> Result<Vec<Record>, CsvError> {
    let text = text.replace("\r\n", "\n");
    let chars: Vec<char> = text.chars().collect();
    let mut records = Vec::new();
    let mut i = 0;
    let mut line = 1;
    while i < chars.len() {
        if chars[i] == '\n' {
            line += 1;
            i += 1;
            continue;
        }
        let start_line = line;
        let mut fields = Vec::new();
        let mut line_start = i;
        loop {
            let mut field = String::new();
            if i < chars.len() && chars[i] == '"' {
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(CsvError {
                                start_line,
                                line,
                                column: i - line_start + 1,
                                message: QUOTE,
                            });
                        }
                        Some('"') if chars.get(i + 1) == Some(&'"') => {
                            field.push('"');
                            i += 2;
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\n') => {
                            field.push('\n');
                            line += 1;
                            i += 1;
                            line_start = i;
                        }
                        Some(c) => {
                            field.push(*c);
                            i += 1;
                        }
                    }
                }
                match chars.get(i) {
                    None | Some('\n') | Some(',') => {}
                    Some(_) => {
                        return Err(CsvError {
                            start_line,
                            line,
                            column: i - line_start + 1,
                            message: QUOTE,
                        });
                    }
                }
            } else {
                while i < chars.len() && chars[i] != ',' && chars[i] != '\n' {
                    if chars[i] == '"' {
                        return Err(CsvError {
                            start_line,
                            line,
                            column: i - line_start + 1,
                            message: BARE_QUOTE,
                        });
                    }
                    field.push(chars[i]);
                    i += 1;
                }
            }
            fields.push(field);
            match chars.get(i) {
                Some(',') => i += 1,
                Some('\n') => {
                    i += 1;
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        records.push((start_line, fields));
    }
    Ok(records)
}

/// One flag value read as one CSV line (pflag's `StringSlice`).
pub fn read_line(value: &str) -> Result<Vec<String>, CsvError> {
    Ok(read_all(value)?.into_iter().flat_map(|(_, r)| r).collect())
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
