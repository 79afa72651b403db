//! Writing a JSON document as go-yaml v2's `yaml.Marshal` writes it, byte
//! for byte: keys sorted as its `keyList` (`sorter.go`) sorts them, block
//! sequences not indented inside mappings, the scalar style chosen as
//! `encode.go` (`stringv`) and libyaml's emitter (`emitterc.go`:
//! `yaml_emitter_analyze_scalar`, `yaml_emitter_select_scalar_style`) choose
//! it, long lines folded at column 80.

use serde_json::{Map, Value};

use super::scalar::{classify_plain, format_go_float, is_base60_float, is_timestamp};

const BEST_WIDTH: usize = 80;

/// Renders a JSON document as go-yaml v2 renders it.
pub fn emit(value: &Value) -> String {
    let mut e = Emitter::default();
    e.node(value, 0, Ctx::Root);
    if !e.out.ends_with('\n') {
        e.out.push('\n');
    }
    e.out
}

#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    Root,
    MapValue,
}

#[derive(Default)]
struct Emitter {
    out: String,
    column: usize,
}

impl Emitter {
    fn write(&mut self, s: &str) {
        for c in s.chars() {
            if c == '\n' {
                self.column = 0;
            } else {
                self.column += 1;
            }
        }
        self.out.push_str(s);
    }

    fn newline_indent(&mut self, indent: usize) {
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', indent));
        self.column = indent;
    }

    /// Writes `value` whose parent put the cursor right after `key:` (or at
    /// the start for the root). `indent` is the indentation of the mapping
    /// that holds the key.
    fn node(&mut self, value: &Value, indent: usize, ctx: Ctx) {
        match value {
            Value::Object(map) if !map.is_empty() => match ctx {
                Ctx::Root => self.entries(map, 0, true),
                Ctx::MapValue => self.entries(map, indent + 2, false),
            },
            Value::Array(items) if !items.is_empty() => {
                let dash_indent = if ctx == Ctx::Root { 0 } else { indent };
                self.items(items, dash_indent, ctx == Ctx::Root);
            }
            scalar => {
                if ctx != Ctx::Root {
                    self.write(" ");
                }
                self.scalar(scalar, indent + 2);
            }
        }
    }

    fn entries(&mut self, map: &Map<String, Value>, indent: usize, first_inline: bool) {
        let mut sorted: Vec<(&String, &Value)> = map.iter().collect();
        sorted.sort_by(|a, b| go_yaml_key_order(a.0, b.0));
        for (i, (k, v)) in sorted.into_iter().enumerate() {
            if i > 0 || !first_inline {
                self.newline_indent(indent);
            }
            self.scalar_str(k, indent, true);
            self.write(":");
            match v {
                // Block sequences inside mappings are not indented.
                Value::Array(a) if !a.is_empty() => self.items(a, indent, false),
                _ => self.node(v, indent, Ctx::MapValue),
            }
        }
    }

    fn items(&mut self, items: &[Value], indent: usize, first_inline: bool) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 || !first_inline {
                self.newline_indent(indent);
            }
            self.write("-");
            self.seq_item(item, indent);
        }
    }

    fn seq_item(&mut self, item: &Value, indent: usize) {
        self.write(" ");
        match item {
            Value::Object(map) if !map.is_empty() => self.entries(map, indent + 2, true),
            Value::Array(items) if !items.is_empty() => self.items(items, indent + 2, true),
            scalar => self.scalar(scalar, indent + 2),
        }
    }

    fn scalar(&mut self, value: &Value, indent: usize) {
        match value {
            Value::Null => self.write("null"),
            Value::Bool(b) => self.write(if *b { "true" } else { "false" }),
            Value::Number(n) => {
                let text = if let Some(i) = n.as_i64() {
                    i.to_string()
                } else if let Some(u) = n.as_u64() {
                    u.to_string()
                } else {
                    format_go_float(n.as_f64().unwrap_or(0.0))
                };
                self.write(&text);
            }
            Value::String(s) => self.scalar_str(s, indent, false),
            Value::Object(_) => self.write("{}"),
            Value::Array(_) => self.write("[]"),
        }
    }

    fn scalar_str(&mut self, s: &str, indent: usize, simple_key: bool) {
        let analysis = analyze(s);
        let resolves_to_str = !s.is_empty() && classify_plain(s).is_none();
        let can_use_plain = resolves_to_str && !is_base60_float(s) && !is_timestamp(s);
        let mut style = if s.contains('\n') {
            Style::Literal
        } else if can_use_plain {
            Style::Plain
        } else {
            Style::Double
        };
        if simple_key && analysis.multiline {
            style = Style::Double;
        }
        if style == Style::Plain && (!analysis.block_plain_allowed || (s.is_empty() && simple_key))
        {
            style = Style::Single;
        }
        if style == Style::Single && !analysis.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!analysis.block_allowed || simple_key) {
            style = Style::Double;
        }
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => self.write_plain(s, indent, allow_breaks),
            Style::Single => self.write_single(s, indent, allow_breaks),
            Style::Double => self.write_double(s, indent, allow_breaks),
            Style::Literal => self.write_literal(s, indent),
        }
    }

    fn write_plain(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        // A line is only ever broken at a space past the best width.
        if !allow_breaks || self.column + s.len() <= BEST_WIDTH || !s.contains(' ') {
            self.out.push_str(s);
            self.column += s.chars().count();
            return;
        }
        let mut chars = s.chars().peekable();
        let mut spaces = false;
        while let Some(c) = chars.next() {
            if c == ' ' {
                let next_space = chars.peek() == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !next_space {
                    self.newline_indent(indent);
                } else {
                    self.write_char(c);
                }
                spaces = true;
            } else {
                self.write_char(c);
                spaces = false;
            }
        }
    }

    fn write_single(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.write("'");
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i != 0
                    && i != chars.len() - 1
                    && !next_space
                {
                    self.newline_indent(indent);
                } else {
                    self.write_char(c);
                }
                spaces = true;
            } else {
                if c == '\'' {
                    self.write_char('\'');
                }
                self.write_char(c);
                spaces = false;
            }
        }
        self.write("'");
    }

    fn write_double(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.write("\"");
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            let printable = is_printable(c);
            if !printable || c == '"' || c == '\\' || c == '\u{feff}' {
                let esc = match c {
                    '\0' => "\\0".to_string(),
                    '\x07' => "\\a".to_string(),
                    '\x08' => "\\b".to_string(),
                    '\t' => "\\t".to_string(),
                    '\n' => "\\n".to_string(),
                    '\x0b' => "\\v".to_string(),
                    '\x0c' => "\\f".to_string(),
                    '\r' => "\\r".to_string(),
                    '\x1b' => "\\e".to_string(),
                    '"' => "\\\"".to_string(),
                    '\\' => "\\\\".to_string(),
                    '\u{85}' => "\\N".to_string(),
                    '\u{a0}' => "\\_".to_string(),
                    '\u{2028}' => "\\L".to_string(),
                    '\u{2029}' => "\\P".to_string(),
                    c if (c as u32) <= 0xff => format!("\\x{:02X}", c as u32),
                    c if (c as u32) <= 0xffff => format!("\\u{:04X}", c as u32),
                    c => format!("\\U{:08X}", c as u32),
                };
                self.write(&esc);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i != 0
                    && i != chars.len() - 1
                {
                    self.newline_indent(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.write("\\");
                    }
                } else {
                    self.write_char(c);
                }
                spaces = true;
            } else {
                self.write_char(c);
                spaces = false;
            }
        }
        self.write("\"");
    }

    fn write_literal(&mut self, s: &str, indent: usize) {
        self.write("|");
        if s.starts_with(' ') || s.starts_with('\n') {
            self.write("2");
        }
        if !s.ends_with('\n') {
            self.write("-");
        } else if s == "\n" || s.ends_with("\n\n") {
            self.write("+");
        }
        let mut breaks = true;
        self.out.push('\n');
        self.column = 0;
        for c in s.chars() {
            if c == '\n' {
                self.out.push('\n');
                self.column = 0;
                breaks = true;
            } else {
                if breaks {
                    self.out.extend(std::iter::repeat_n(' ', indent));
                    self.column = indent;
                    breaks = false;
                }
                self.write_char(c);
            }
        }
        if s.ends_with('\n') {
            // The final line break is already written; the caller's next
            // newline would add another, so take it back.
            self.out.pop();
        }
    }

    fn write_char(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn is_printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0a
        || (0x20..=0x7e).contains(&u)
        || u == 0x85
        || (0xa0..=0xd7ff).contains(&u)
        || ((0xe000..=0xfffd).contains(&u) && u != 0xfeff)
        || (0x10000..=0x10ffff).contains(&u)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: Option<char>) -> bool {
    matches!(c, None | Some(' ') | Some('\t')) || c.is_some_and(is_break)
}

/// libyaml's `yaml_emitter_analyze_scalar`, for block context.
fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut chars = s.chars().peekable();
    let mut block_indicators = false;
    let mut line_breaks = false;
    let mut special = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;
    if s.starts_with("---") || s.starts_with("...") {
        block_indicators = true;
    }
    let mut preceded_by_ws = true;
    let mut i = 0;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let last = next.is_none();
        let followed_by_ws = is_blank(next);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_indicators = true,
                '?' | ':' if followed_by_ws => {
                    block_indicators = true;
                }
                '-' if followed_by_ws => {
                    block_indicators = true;
                }
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => {
                    block_indicators = true;
                }
                '#' if preceded_by_ws => {
                    block_indicators = true;
                }
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if is_break(c) {
            line_breaks = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if last {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            if i == 0 {
                leading_break = true;
            }
            if last {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = is_blank(Some(c));
        i += 1;
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks {
        a.block_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// The order go-yaml v2 sorts mapping keys in (its `keyList`): letters
/// after other characters, and runs of digits compared as numbers, so
/// `a2` comes before `a10`.
fn go_yaml_key_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            // A zero inside a number that started earlier is not leading.
            if ar[..i]
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_digit())
                .any(|c| *c != '0')
            {
                an = 1;
                bn = 1;
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.wrapping_mul(10).wrapping_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.wrapping_mul(10).wrapping_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

#[cfg(test)]
mod tests {
    use super::super::{parse, to_json};
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_that_would_not_read_back_are_quoted() {
        let doc = json!({"a": "on", "b": "123", "c": "", "d": "{x}", "e": "plain text",
                         "f": "it's: here", "g": "1:20", "h": "- x"});
        assert_eq!(
            emit(&doc),
            "a: \"on\"\nb: \"123\"\nc: \"\"\nd: '{x}'\ne: plain text\nf: 'it''s: here'\ng: \"1:20\"\nh: '- x'\n"
        );
    }

    #[test]
    fn sequences_in_mappings_are_not_indented() {
        let doc =
            json!({"users": [{"name": "a", "user": {"as-groups": ["x", "y"]}}], "e": [], "m": {}});
        assert_eq!(
            emit(&doc),
            "e: []\nm: {}\nusers:\n- name: a\n  user:\n    as-groups:\n    - x\n    - \"y\"\n"
        );
    }

    #[test]
    fn timestamps_are_quoted() {
        for t in [
            "2024-01-01T00:00:00Z",
            "2024-1-2",
            "2024-02-29 10:20:30.5",
            "2024-01-01t1:2:3+02:00",
        ] {
            assert!(is_timestamp(t), "{t}");
            assert_eq!(emit(&json!({ "k": t })), format!("k: \"{t}\"\n"));
        }
        for t in [
            "2023-02-29",
            "2024-13-01",
            "2024-01-01T",
            "24-01-01",
            "2024-01-01T10:00:00",
            "2024-01-01x",
        ] {
            assert!(!is_timestamp(t), "{t}");
        }
    }

    #[test]
    fn keys_sort_like_go_yaml_v2() {
        let doc = json!({"a10": 1, "a2": 2, "b": 3, "_x": 4, "A": 5, "a": 6});
        assert_eq!(emit(&doc), "_x: 4\nA: 5\na: 6\na2: 2\na10: 1\nb: 3\n");
    }

    #[test]
    fn long_plain_scalars_fold_at_column_80() {
        let words = vec!["word"; 30].join(" ");
        let out = emit(&json!({ "k": words }));
        let first = out.lines().next().unwrap();
        assert!(first.len() > 80 && first.len() < 90, "{out}");
        assert!(out.lines().nth(1).unwrap().starts_with("  word"));
        let back = to_json(&parse(&out).unwrap().unwrap());
        assert_eq!(back, json!({ "k": words }));
    }

    #[test]
    fn multiline_strings_use_literal_style() {
        let out = emit(&json!({"k": {"pem": "line1\nline2\n"}}));
        assert_eq!(out, "k:\n  pem: |\n    line1\n    line2\n");
        let back = to_json(&parse(&out).unwrap().unwrap());
        assert_eq!(back, json!({"k": {"pem": "line1\nline2\n"}}));
    }
}
