//! A fast reader for the YAML that kubectl (go-yaml v2) writes: block
//! mappings and sequences indented by two, single-line scalars (plain,
//! single- or double-quoted), literal blocks, and the empty flow forms `{}`
//! and `[]`. That covers nearly every kubeconfig in the wild, and reading
//! it line by line is several times faster than a general YAML parser.
//!
//! Anything outside that subset (comments, flow collections with content,
//! anchors, tags, folded scalars, document markers, tabs, duplicate keys)
//! makes [`parse`] return `None` and the caller falls back to the general
//! parser, so the fast path never decides what a file means on its own.
//! Tests check that both readers build the same tree, lines included.

use super::{Node, NodeKind, Scalar, resolve_plain_owned};

/// The deepest indentation this reader takes (about 200 levels).
const MAX_INDENT: usize = 400;

/// `Some(tree)` when the text is in the subset, `None` otherwise.
pub fn parse(text: &str) -> Option<Option<Node>> {
    // A byte scan: `str::contains` with a set of chars decodes every char.
    if super::input::any_byte(text.as_bytes(), |b| {
        matches!(b, b'\t' | b'\r' | b'#' | b'&' | b'*' | b'!')
    }) || text.starts_with('\u{feff}')
    {
        return None;
    }
    let mut lines: Vec<Line> =
        Vec::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
    let ends = memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]);
    let mut start = 0;
    for (i, end) in ends.enumerate() {
        let raw = &text[start..end];
        start = end + 1;
        if raw.starts_with("---") || raw.starts_with("...") {
            return None;
        }
        let body = raw.trim_start_matches(' ');
        lines.push(Line {
            number: i + 1,
            indent: raw.len() - body.len(),
            body,
        });
    }
    let mut reader = Reader { lines, pos: 0 };
    reader.skip_blank();
    if reader.pos >= reader.lines.len() {
        return Some(None);
    }
    let first = reader.lines[reader.pos];
    if first.indent != 0 || first.body.starts_with("---") || first.body.starts_with('%') {
        return None;
    }
    let root = reader.block(0)?;
    reader.skip_blank();
    if reader.pos < reader.lines.len() {
        return None;
    }
    Some(Some(root))
}

#[derive(Clone, Copy)]
struct Line<'a> {
    number: usize,
    indent: usize,
    body: &'a str,
}

struct Reader<'a> {
    lines: Vec<Line<'a>>,
    pos: usize,
}

impl<'a> Reader<'a> {
    fn skip_blank(&mut self) {
        while self.pos < self.lines.len() && self.lines[self.pos].body.is_empty() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<Line<'a>> {
        self.skip_blank();
        self.lines.get(self.pos).copied()
    }

    /// A block node (mapping or sequence) whose first line is the current
    /// one, at exactly `indent`.
    fn block(&mut self, indent: usize) -> Option<Node> {
        let line = self.peek()?;
        // This reader recurses once per level: deep nesting (never seen
        // in a kubeconfig) is left to the general parser, which has the
        // depth limit and no recursion.
        if line.indent != indent || indent > MAX_INDENT {
            return None;
        }
        if is_seq_item(line.body) {
            self.sequence(indent)
        } else {
            self.mapping(indent, line.body, line.number)
        }
    }

    /// A block mapping at `indent`; its first key is `first` (the rest of
    /// the current line, which may follow a `- ` on that line).
    fn mapping(&mut self, indent: usize, first: &'a str, line_number: usize) -> Option<Node> {
        let mut entries: Vec<(Node, Node)> = Vec::new();
        let mut body = first;
        let mut number = line_number;
        loop {
            let (key, rest) = split_key(body)?;
            let key = Node {
                line: number,
                kind: NodeKind::Scalar(key),
            };
            if entries.iter().any(|(k, _)| k.kind == key.kind) {
                return None;
            }
            self.pos += 1;
            let value = if rest.is_empty() {
                self.nested_value(indent, true)?
            } else {
                self.inline_value(indent, rest, number)?
            };
            entries.push((key, value));
            match self.peek() {
                Some(next) if next.indent == indent && !is_seq_item(next.body) => {
                    body = next.body;
                    number = next.number;
                }
                Some(next) if next.indent > indent => return None,
                _ => break,
            }
        }
        Some(Node {
            line: line_number,
            kind: NodeKind::Map(entries),
        })
    }

    /// A block sequence at `indent` (its items start with `- `).
    fn sequence(&mut self, indent: usize) -> Option<Node> {
        let start = self.peek()?.number;
        let mut items = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent != indent || !is_seq_item(line.body) {
                if line.indent > indent {
                    return None;
                }
                break;
            }
            let rest = line.body[1..].trim_start_matches(' ');
            if rest.is_empty() {
                self.pos += 1;
                items.push(self.nested_value(indent, false)?);
            } else if is_seq_item(rest) {
                return None;
            } else if split_key(rest).is_some() {
                let item_indent = indent + (line.body.len() - rest.len());
                items.push(self.mapping(item_indent, rest, line.number)?);
            } else {
                self.pos += 1;
                items.push(self.scalar_value(indent, rest, line.number)?);
            }
        }
        Some(Node {
            line: start,
            kind: NodeKind::Seq(items),
        })
    }

    /// The value of `key:` with nothing after the colon: a block on the
    /// following lines, or null. A mapping's value may be a sequence at
    /// the mapping's own indentation (`in_map`).
    fn nested_value(&mut self, indent: usize, in_map: bool) -> Option<Node> {
        match self.peek() {
            Some(next) if next.indent > indent => self.block(next.indent),
            Some(next) if in_map && next.indent == indent && is_seq_item(next.body) => {
                self.sequence(indent)
            }
            // The general parser places an empty value at the token that
            // follows it: the next line, or the end of the text.
            next => Some(Node {
                line: next.map_or(self.lines.len(), |l| l.number),
                kind: NodeKind::Scalar(Scalar::Null),
            }),
        }
    }

    /// A value written after `key: ` on the same line. The reader has
    /// already moved past that line.
    fn inline_value(&mut self, indent: usize, text: &'a str, number: usize) -> Option<Node> {
        match text {
            "{}" => Some(Node {
                line: number,
                kind: NodeKind::Map(Vec::new()),
            }),
            "[]" => Some(Node {
                line: number,
                kind: NodeKind::Seq(Vec::new()),
            }),
            _ if text.starts_with('|') => self.literal(indent, text, number),
            _ => {
                let scalar = scalar(text)?;
                self.no_continuation(indent)?;
                Some(Node {
                    line: number,
                    kind: NodeKind::Scalar(scalar),
                })
            }
        }
    }

    /// A scalar sequence item (the reader is past its line).
    fn scalar_value(&mut self, indent: usize, text: &'a str, number: usize) -> Option<Node> {
        if text == "{}" || text == "[]" || text.starts_with('|') {
            return self.inline_value(indent, text, number);
        }
        let scalar = scalar(text)?;
        self.no_continuation(indent)?;
        Some(Node {
            line: number,
            kind: NodeKind::Scalar(scalar),
        })
    }

    /// A more-indented line after a single-line scalar would continue it
    /// (a folded scalar): leave that to the general parser.
    fn no_continuation(&mut self, indent: usize) -> Option<()> {
        match self.peek() {
            Some(next) if next.indent > indent => None,
            _ => Some(()),
        }
    }

    /// A literal block scalar (`|`, `|-`, `|+`) after a key at `indent`.
    fn literal(&mut self, indent: usize, header: &str, number: usize) -> Option<Node> {
        let chomp = match &header[1..] {
            "" => Chomp::Clip,
            "-" => Chomp::Strip,
            "+" => Chomp::Keep,
            _ => return None,
        };
        let mut content_indent = None;
        let mut first_content = number + 1;
        let mut text = String::new();
        let mut trailing_blank: usize = 0;
        while self.pos < self.lines.len() {
            let line = self.lines[self.pos];
            if line.body.is_empty() {
                // A blank line belongs to the scalar if more content follows.
                trailing_blank += 1;
                self.pos += 1;
                continue;
            }
            if content_indent.is_none() {
                first_content = line.number;
            }
            let ci = *content_indent.get_or_insert(line.indent);
            if line.indent <= indent || line.indent < ci {
                break;
            }
            if ci <= indent {
                return None;
            }
            for _ in 0..trailing_blank {
                text.push('\n');
            }
            trailing_blank = 0;
            let raw_start = line.indent - ci;
            text.extend(std::iter::repeat_n(' ', raw_start));
            text.push_str(line.body);
            text.push('\n');
            self.pos += 1;
        }
        // Blank lines after the block belong to it only when kept.
        let blank_tail = trailing_blank;
        // An empty block is left to the general parser.
        content_indent?;
        match chomp {
            Chomp::Clip => {}
            Chomp::Strip => {
                while text.ends_with('\n') {
                    text.pop();
                }
            }
            Chomp::Keep => {
                // The last line break of the file is not a blank line.
                let extra = blank_tail.saturating_sub(usize::from(self.pos == self.lines.len()));
                text.extend(std::iter::repeat_n('\n', extra));
            }
        }
        // The general parser places a block scalar at its first line of
        // content.
        Some(Node {
            line: first_content,
            kind: NodeKind::Scalar(Scalar::Str(text)),
        })
    }
}

#[derive(Clone, Copy)]
enum Chomp {
    Clip,
    Strip,
    Keep,
}

fn is_seq_item(body: &str) -> bool {
    body == "-" || body.starts_with("- ")
}

/// Splits `key: rest` (or `key:` at the end of the line) into the key and
/// the rest. Keys are plain or quoted single-line scalars.
fn split_key(body: &str) -> Option<(Scalar, &str)> {
    let (key_text, after) = if body.starts_with('"') || body.starts_with('\'') {
        let end = quoted_end(body)?;
        (&body[..end], &body[end..])
    } else {
        let colon = find_plain_colon(body)?;
        (&body[..colon], &body[colon..])
    };
    let rest = after.strip_prefix(':')?;
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let key = scalar(key_text.trim_end_matches(' '))?;
    Some((key, rest.trim_start_matches(' ')))
}

/// The position of the `: ` (or final `:`) that ends a plain key.
fn find_plain_colon(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    memchr::memchr_iter(b':', bytes).find(|&i| i + 1 == bytes.len() || bytes[i + 1] == b' ')
}

/// The index just past the closing quote of a quoted scalar at the start.
fn quoted_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = bytes[0];
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The string a single-line quoted scalar (all of `text`, quotes
/// included) reads as: `''` in single quotes is `'`, and double quotes
/// take YAML's escapes. `None` for text that is not one quoted scalar or
/// an escape this reader does not take (the general parser decides).
pub fn quoted(text: &str) -> Option<std::borrow::Cow<'_, str>> {
    let first = *text.as_bytes().first()?;
    if !matches!(first, b'\'' | b'"') || quoted_end(text)? != text.len() {
        return None;
    }
    let inner = &text[1..text.len() - 1];
    Some(if first == b'\'' {
        match inner.contains('\'') {
            true => inner.replace("''", "'").into(),
            false => inner.into(),
        }
    } else {
        match inner.contains('\\') {
            true => unescape(inner)?.into(),
            false => inner.into(),
        }
    })
}

/// A single-line scalar: plain, single-quoted or double-quoted.
fn scalar(text: &str) -> Option<Scalar> {
    let first = *text.as_bytes().first()?;
    match first {
        b'\'' | b'"' => {
            if quoted_end(text)? != text.len() {
                return None;
            }
            let inner = &text[1..text.len() - 1];
            if first == b'\'' {
                Some(Scalar::Str(inner.replace("''", "'")))
            } else {
                unescape(inner).map(Scalar::Str)
            }
        }
        b'[' | b']' | b'{' | b'}' | b',' | b'|' | b'>' | b'%' | b'@' | b'`' => None,
        b'-' | b'?' | b':' if text.len() == 1 || text.as_bytes()[1] == b' ' => None,
        _ => {
            if text.ends_with(' ') || text.ends_with(':') || colon_space(text) {
                return None;
            }
            Some(resolve_plain_owned(text.to_string()))
        }
    }
}

/// Whether `text` holds `: ` (which would end a plain scalar's key).
fn colon_space(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b':', bytes).any(|i| bytes.get(i + 1) == Some(&b' '))
}

/// YAML double-quoted escapes.
fn unescape(inner: &str) -> Option<String> {
    if !inner.contains('\\') {
        return Some(inner.to_string());
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let esc = chars.next()?;
        let hex = |n: usize, chars: &mut std::str::Chars| -> Option<char> {
            let digits: String = chars.by_ref().take(n).collect();
            // Hex digits alone (`from_str_radix` would also take a sign).
            if digits.len() != n || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            char::from_u32(u32::from_str_radix(&digits, 16).ok()?)
        };
        out.push(match esc {
            '0' => '\0',
            'a' => '\x07',
            'b' => '\x08',
            't' => '\t',
            'n' => '\n',
            'v' => '\x0b',
            'f' => '\x0c',
            'r' => '\r',
            'e' => '\x1b',
            ' ' => ' ',
            '"' => '"',
            '/' => '/',
            '\\' => '\\',
            'N' => '\u{85}',
            '_' => '\u{a0}',
            'L' => '\u{2028}',
            'P' => '\u{2029}',
            'x' => hex(2, &mut chars)?,
            'u' => hex(4, &mut chars)?,
            'U' => hex(8, &mut chars)?,
            _ => return None,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::emit;
    use super::super::read::parse_general;
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Map, Value, json};

    /// Where the fast reader takes a text, it must build exactly what the
    /// general parser builds.
    fn same_as_general(text: &str) -> bool {
        match parse(text) {
            Some(fast) => {
                let general = parse_general(text).expect("the general parser accepts it");
                assert_eq!(fast, general, "for:\n{text}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn agrees_with_the_general_parser_on_the_fixtures() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/kubeconfig"
        );
        let mut taken = 0;
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(&path).unwrap();
                taken += usize::from(same_as_general(&text));
            }
        }
        assert!(taken >= 3, "the fast reader took only {taken} fixtures");
    }

    #[test]
    fn agrees_on_hand_written_shapes() {
        let taken = [
            "a: 1\nb:\n  c: on\n",
            "list:\n- a\n- 'b'\n- \"c\\td\"\n-\n  x: 1\n- {}\n- []\nafter: x\n",
            "m:\n  - a\n  - b\nn: null\n",
            "empty:\nnext: 1\n",
            "k: |\n  line1\n\n  line3\nz: 1\n",
            "k: |-\n  a\n   b\n",
            "k: |+\n  a\n\n",
            "k: |\n\n  after-blank\nz: |-\n  last",
            "s:\n- |\n  in a list\n- x\n",
            "end:\n",
            "e:\n-\n- x\n",
            "\"quoted key\": 'it''s'\n'on': yes\n",
            "u: http://x:80/path?q\nv: a:b\nw: -x\n",
            "- a: 1\n  b: 2\n- c: 3\n",
            "a:\n  b:\n    c:\n    - d\n",
        ];
        for text in taken {
            assert!(same_as_general(text), "not taken:\n{text}");
        }
        let left_to_general = [
            "a: 1 # comment\n",
            "a: {b: 1}\n",
            "a: [1, 2]\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "---\na: 1\n",
            "a: folded\n  continues\n",
            "a: 1\na: 2\n",
            "a:\n\tb: 1\n",
            "a: \"unterminated\n  b\"\n",
            "a: >\n  folded\n",
            "- - nested\n",
        ];
        for text in left_to_general {
            assert!(parse(text).is_none(), "taken but should not be:\n{text}");
        }
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(|i| json!(i)),
            "[ -~]{0,12}".prop_map(Value::String),
            "[a-z0-9:/._-]{0,100}".prop_map(Value::String),
            prop::sample::select(vec![
                "on",
                "yes",
                "1:20",
                "0x1F",
                "2024-01-01",
                "- x",
                "a: b",
                "'",
                "\"",
                "\n",
                "a\nb\n",
                " lead",
                "trail "
            ])
            .prop_map(|s| Value::String(s.to_string())),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-z][a-z0-9-]{0,8}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    proptest! {
        #[test]
        fn agrees_on_what_kubectl_style_emitting_writes(
            doc in prop::collection::btree_map("[a-z][a-z-]{0,8}", value(), 1..6)
        ) {
            let text = emit(&Value::Object(doc.into_iter().collect()));
            same_as_general(&text);
        }
    }
}
