//! JSON as Go's `encoding/json` writes it: `MarshalIndent` layout and its
//! HTML-safe string escaping, which `kubectl config view -o json` and the
//! Kubernetes API objects kauth prints share.

use serde_json::Value;

/// JSON as Go's `json.MarshalIndent(v, "", "    ")` writes it, with the
/// trailing newline kubectl's printer adds.
pub fn to_go_json(value: &Value) -> String {
    let mut out = String::new();
    write_json(value, 0, &mut out);
    out.push('\n');
    out
}

fn write_json(value: &Value, depth: usize, out: &mut String) {
    let pad = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("    ", depth));
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                pad(out, depth + 1);
                write_go_string(k, out);
                out.push_str(": ");
                write_json(v, depth + 1, out);
            }
            pad(out, depth);
            out.push('}');
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                pad(out, depth + 1);
                write_json(v, depth + 1, out);
            }
            pad(out, depth);
            out.push(']');
        }
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
        Value::String(s) => write_go_string(s, out),
        Value::Number(n) => write_go_number(n, out),
        other => out.push_str(&other.to_string()),
    }
}

/// A number as `encoding/json` writes it: integers as they are, floats as
/// Go writes a float64.
pub fn write_go_number(n: &serde_json::Number, out: &mut String) {
    match n.as_f64().filter(|_| n.is_f64()) {
        Some(f) => write_go_float(f, out),
        None => out.push_str(&n.to_string()),
    }
}

/// A float64 as `encoding/json` writes it: the shortest decimal that reads
/// back the same, without an exponent from 1e-6 up to 1e21 (`1`, `-0`,
/// `0.5`), else with one (`1e+21`, `1.5e-7`).
fn write_go_float(f: f64, out: &mut String) {
    use std::fmt::Write as _;
    let abs = f.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        let _ = write!(out, "{f}");
        return;
    }
    let text = format!("{f:e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    match exponent.strip_prefix('-') {
        Some(digits) => {
            let _ = write!(out, "{mantissa}e-{digits}");
        }
        None => {
            let _ = write!(out, "{mantissa}e+{exponent:0>2}");
        }
    }
}

/// `value` as Go holds a decoded JSON object (`map[string]interface{}`):
/// `encoding/json` writes such maps with their keys sorted.
pub fn sorted_keys(value: &Value) -> Value {
    match value {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted_keys).collect()),
        other => other.clone(),
    }
}

/// Go's JSON string escaping (HTML-safe).
pub fn write_go_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_json_escapes_html() {
        let mut s = String::new();
        write_go_string("a<b>&\"", &mut s);
        assert_eq!(s, "\"a\\u003cb\\u003e\\u0026\\\"\"");
    }
}
