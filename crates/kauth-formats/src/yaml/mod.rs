//! The only module that knows YAML.
//!
//! Reading follows what kubectl does with a kubeconfig: `sigs.k8s.io/yaml`
//! turns YAML into JSON with go-yaml v2's YAML 1.1 rules (so a bare `on` is
//! the boolean `true` and a bare `123` a number), then Go's `encoding/json`
//! fills the typed structs. Unlike kubectl, every node keeps its line, so a
//! type error names the line it comes from.
//!
//! Writing reproduces go-yaml v2's emitter (`yaml.Marshal` of the JSON
//! document, keys sorted, block sequences not indented inside mappings,
//! strings quoted only where a plain scalar would read back as something
//! else, long lines folded at column 80) so that files kauth writes are
//! byte-identical to what `kubectl config` writes.

mod fast;

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A parsed YAML node with the line (1-based) it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: usize,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A scalar after YAML 1.1 resolution, as go-yaml v2 resolves it.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
}

impl Scalar {
    /// The word Go's `encoding/json` uses for this type in its errors.
    pub fn json_kind(&self) -> &'static str {
        match self {
            Scalar::Null => "null",
            Scalar::Bool(_) => "bool",
            Scalar::Int(_) | Scalar::Uint(_) | Scalar::Float(_) => "number",
            Scalar::Str(_) => "string",
        }
    }
}

impl NodeKind {
    pub fn json_kind(&self) -> &'static str {
        match self {
            NodeKind::Scalar(s) => s.json_kind(),
            NodeKind::Seq(_) => "array",
            NodeKind::Map(_) => "object",
        }
    }
}

/// A syntax error with its line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("yaml: line {line}: {message}")]
pub struct SyntaxError {
    pub line: usize,
    pub message: String,
}

/// Parses the first document of `text`; `None` when there is no document.
pub fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    if let Some(tree) = fast::parse(text) {
        return Ok(tree);
    }
    parse_general(text)
}

/// The general YAML parser (yaml-rust2), for what [`fast`] does not take.
fn parse_general(text: &str) -> Result<Option<Node>, SyntaxError> {
    Ok(load(text, false)?.pop())
}

/// Every document of a multi-document stream (`---` separated), as
/// `kubectl apply -f` reads manifests; empty documents are skipped.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, SyntaxError> {
    if let Some(docs) = fast_documents(text) {
        return Ok(docs);
    }
    let mut docs = load(text, true)?;
    docs.retain(|d| d.kind != NodeKind::Scalar(Scalar::Null));
    Ok(docs)
}

/// Splits a stream at `---` lines and reads each part with the fast
/// reader; `None` when any part needs the general parser.
fn fast_documents(text: &str) -> Option<Vec<Node>> {
    let mut docs = Vec::new();
    let mut start_line = 0;
    let mut part = String::new();
    let mut flush = |part: &mut String, start_line: usize| -> Option<()> {
        if let Some(mut node) = fast::parse(part)? {
            shift_lines(&mut node, start_line);
            docs.push(node);
        }
        part.clear();
        Some(())
    };
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            flush(&mut part, start_line)?;
            start_line = i + 1;
        } else {
            part.push_str(line);
        }
    }
    flush(&mut part, start_line)?;
    Some(docs)
}

fn shift_lines(node: &mut Node, by: usize) {
    node.line += by;
    match &mut node.kind {
        NodeKind::Scalar(_) => {}
        NodeKind::Seq(items) => items.iter_mut().for_each(|n| shift_lines(n, by)),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            shift_lines(k, by);
            shift_lines(v, by);
        }),
    }
}

fn load(text: &str, multi: bool) -> Result<Vec<Node>, SyntaxError> {
    let mut builder = Builder {
        multi,
        ..Builder::default()
    };
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, multi).map_err(|e| SyntaxError {
        line: e.marker().line(),
        message: e.info().to_string(),
    })?;
    if let Some(err) = builder.error {
        return Err(err);
    }
    Ok(builder.roots)
}

#[derive(Default)]
struct Builder {
    /// Open collections: the node, its anchor, and for a mapping the index
    /// of the entry whose value comes next.
    stack: Vec<(Node, usize, Option<usize>)>,
    roots: Vec<Node>,
    anchors: Vec<(usize, Node)>,
    multi: bool,
    done: bool,
    error: Option<SyntaxError>,
}

impl Builder {
    fn push_value(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.push((anchor, node.clone()));
        }
        match self.stack.last_mut() {
            None => {
                self.roots.push(node);
                self.done = !self.multi;
            }
            Some((parent, _, pending_key)) => match &mut parent.kind {
                NodeKind::Seq(items) => items.push(node),
                NodeKind::Map(entries) => {
                    // Keys are pushed as entries with a placeholder value,
                    // then completed by the value that follows.
                    if pending_key.is_none() {
                        if let Some(dup) = entries.iter().find(|(k, _)| k.kind == node.kind)
                            && self.error.is_none()
                        {
                            self.error = Some(SyntaxError {
                                line: node.line,
                                message: format!(
                                    "mapping key {} already defined at line {}",
                                    key_text(&node),
                                    dup.0.line
                                ),
                            });
                        }
                        entries.push((node, Node::null(0)));
                        *pending_key = Some(entries.len() - 1);
                    } else {
                        let index = pending_key.take().unwrap_or_default();
                        entries[index].1 = node;
                    }
                }
                NodeKind::Scalar(_) => {}
            },
        }
    }
}

fn key_text(node: &Node) -> String {
    match &node.kind {
        NodeKind::Scalar(Scalar::Str(s)) => format!("{s:?}"),
        NodeKind::Scalar(other) => format!("{other:?}"),
        _ => "(complex key)".to_string(),
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.done {
            return;
        }
        let line = mark.line();
        match ev {
            Event::Scalar(value, style, anchor, tag) => {
                let scalar = match (style, tag) {
                    (TScalarStyle::Plain, None) => resolve_plain_owned(value),
                    (_, Some(tag)) if tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:" => {
                        resolve_tagged(&tag.suffix, value)
                    }
                    _ => Scalar::Str(value),
                };
                self.push_value(
                    Node {
                        line,
                        kind: NodeKind::Scalar(scalar),
                    },
                    anchor,
                );
            }
            Event::SequenceStart(anchor, _) => self.stack.push((
                Node {
                    line,
                    kind: NodeKind::Seq(Vec::new()),
                },
                anchor,
                None,
            )),
            Event::MappingStart(anchor, _) => self.stack.push((
                Node {
                    line,
                    kind: NodeKind::Map(Vec::new()),
                },
                anchor,
                None,
            )),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((node, anchor, _)) = self.stack.pop() {
                    self.push_value(node, anchor);
                }
            }
            Event::Alias(id) => {
                let found = self.anchors.iter().rev().find(|(a, _)| *a == id);
                let node = found.map(|(_, n)| n.clone()).unwrap_or(Node::null(line));
                self.push_value(node, 0);
            }
            _ => {}
        }
    }
}

impl Node {
    fn null(line: usize) -> Node {
        Node {
            line,
            kind: NodeKind::Scalar(Scalar::Null),
        }
    }
}

fn resolve_tagged(suffix: &str, value: String) -> Scalar {
    match suffix {
        "str" | "binary" => Scalar::Str(value),
        "null" => Scalar::Null,
        _ => match classify_plain(&value) {
            None | Some(Scalar::Null) => Scalar::Str(value),
            Some(other) => other,
        },
    }
}

/// Resolves a plain scalar the way go-yaml v2 does (YAML 1.1 booleans
/// such as `yes`/`on`, octal and hex integers, timestamps stay strings in
/// JSON so they are strings here).
pub fn resolve_plain(s: &str) -> Scalar {
    classify_plain(s).unwrap_or_else(|| Scalar::Str(s.to_string()))
}

/// [`resolve_plain`] without copying a string that stays a string.
pub fn resolve_plain_owned(s: String) -> Scalar {
    classify_plain(&s).unwrap_or(Scalar::Str(s))
}

/// The non-string value a plain scalar resolves to, if any.
fn classify_plain(s: &str) -> Option<Scalar> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Scalar::Null),
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Some(Scalar::Bool(true));
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Some(Scalar::Bool(false));
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Scalar::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Scalar::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(Scalar::Float(f64::NAN)),
        _ => {}
    }
    let first = s.as_bytes()[0];
    if first == b'.' {
        return is_yaml_float(s)
            .then(|| s.parse::<f64>().ok().map(Scalar::Float))
            .flatten();
    }
    if !(first.is_ascii_digit() || first == b'-' || first == b'+') {
        return None;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(i) = go_parse_int(&plain) {
        return Some(i);
    }
    if is_yaml_float(&plain) {
        return plain.parse::<f64>().ok().map(Scalar::Float);
    }
    None
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<Scalar> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(rest) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, rest)
    } else if let Some(rest) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (2, rest)
    } else if let Some(rest) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (8, rest)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        if magnitude <= i64::MAX as u64 + 1 {
            return Some(Scalar::Int((magnitude as i128).wrapping_neg() as i64));
        }
        return None;
    }
    if magnitude <= i64::MAX as u64 {
        Some(Scalar::Int(magnitude as i64))
    } else {
        Some(Scalar::Uint(magnitude))
    }
}

/// Converts a node to JSON as `sigs.k8s.io/yaml` does (non-string map keys
/// become their text).
pub fn to_json(node: &Node) -> Value {
    match &node.kind {
        NodeKind::Scalar(s) => scalar_to_json(s),
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Map(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                map.insert(key_string(k), to_json(v));
            }
            Value::Object(map)
        }
    }
}

fn key_string(node: &Node) -> String {
    match &node.kind {
        NodeKind::Scalar(Scalar::Str(s)) => s.clone(),
        NodeKind::Scalar(Scalar::Null) => "null".to_string(),
        NodeKind::Scalar(Scalar::Bool(b)) => b.to_string(),
        NodeKind::Scalar(Scalar::Int(i)) => i.to_string(),
        NodeKind::Scalar(Scalar::Uint(i)) => i.to_string(),
        NodeKind::Scalar(Scalar::Float(f)) => format_go_float(*f),
        other => to_json(&Node {
            line: 0,
            kind: other.clone(),
        })
        .to_string(),
    }
}

fn scalar_to_json(s: &Scalar) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Bool(b) => Value::Bool(*b),
        Scalar::Int(i) => Value::Number((*i).into()),
        Scalar::Uint(i) => Value::Number((*i).into()),
        Scalar::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Scalar::Str(s) => Value::String(s.clone()),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` for the values YAML holds.
fn format_go_float(f: f64) -> String {
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if f.is_nan() {
        return "NaN".to_string();
    }
    let exp = if f == 0.0 {
        0
    } else {
        f.abs().log10().floor() as i32
    };
    if !(-4..21).contains(&exp) {
        let s = format!("{f:e}");
        let (mantissa, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        let sign = if e < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", e.abs());
    }
    format!("{f}")
}

// ---------------------------------------------------------------------------
// Emitter

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
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
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
    let chars: Vec<char> = s.chars().collect();
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
    let n = chars.len();
    for i in 0..n {
        let c = chars[i];
        let followed_by_ws = is_blank(chars.get(i + 1).copied());
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
            if i == n - 1 {
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
            if i == n - 1 {
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

/// go-yaml v2 resolves plain scalars that `time.Parse` accepts in one of
/// its timestamp layouts (`2006-1-2T15:4:5.999999999Z07:00`, the same with
/// a lower-case `t`, `2006-1-2 15:4:5.999999999`, `2006-1-2`) as
/// timestamps, so such strings are written quoted.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year: u32 = s[..4].parse().unwrap_or(0);
    let mut i = 5;
    // Go's getnum: one or two digits.
    let num = |i: &mut usize| -> Option<u32> {
        let start = *i;
        while *i < b.len() && *i - start < 2 && b[*i].is_ascii_digit() {
            *i += 1;
        }
        if *i == start {
            return None;
        }
        s[start..*i].parse().ok()
    };
    let Some(month) = num(&mut i) else {
        return false;
    };
    if i >= b.len() || b[i] != b'-' {
        return false;
    }
    i += 1;
    let Some(day) = num(&mut i) else { return false };
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day < 1 || day > days {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zoned = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let Some(hour) = num(&mut i) else {
        return false;
    };
    if i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    let Some(minute) = num(&mut i) else {
        return false;
    };
    if i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    let Some(second) = num(&mut i) else {
        return false;
    };
    if hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    if i + 1 < b.len() && (b[i] == b'.' || b[i] == b',') && b[i + 1].is_ascii_digit() {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if !zoned {
        return i == b.len();
    }
    match &b[i..] {
        [b'Z'] => true,
        [sign, h1, h2, b':', m1, m2] if (*sign == b'+' || *sign == b'-') => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// go-yaml v2 quotes strings such as `1:20` (YAML 1.1 sexagesimal floats).
fn is_base60_float(s: &str) -> bool {
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        let len = i - start;
        if len == 0 || (len == 2 && b[start] > b'5') {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml11_booleans_and_numbers_resolve_like_go_yaml_v2() {
        assert_eq!(resolve_plain("on"), Scalar::Bool(true));
        assert_eq!(resolve_plain("No"), Scalar::Bool(false));
        assert_eq!(resolve_plain("0x1F"), Scalar::Int(31));
        assert_eq!(resolve_plain("017"), Scalar::Int(15));
        assert_eq!(resolve_plain("1_000"), Scalar::Int(1000));
        assert_eq!(resolve_plain("1.5e3"), Scalar::Float(1500.0));
        assert_eq!(resolve_plain("09"), Scalar::Float(9.0));
        assert_eq!(resolve_plain("~"), Scalar::Null);
        assert_eq!(resolve_plain("1.2.3"), Scalar::Str("1.2.3".into()));
        assert_eq!(resolve_plain("onion"), Scalar::Str("onion".into()));
    }

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
    fn parse_keeps_lines_and_reports_syntax_errors() {
        let node = parse("a:\n  b: [1, 2\n").unwrap_err();
        assert!(node.line >= 2, "{node:?}");
        let node = parse("a: 1\nb:\n  c: on\n").unwrap().unwrap();
        let NodeKind::Map(entries) = node.kind else {
            panic!()
        };
        let NodeKind::Map(inner) = &entries[1].1.kind else {
            panic!()
        };
        assert_eq!(inner[0].1.line, 3);
        assert_eq!(inner[0].1.kind, NodeKind::Scalar(Scalar::Bool(true)));
    }

    #[test]
    fn streams_have_several_documents() {
        let docs = parse_documents("a: 1\n---\n---\nb: 2\n...\n").unwrap();
        let json: Vec<Value> = docs.iter().map(to_json).collect();
        assert_eq!(json, [json!({"a": 1}), json!({"b": 2})]);
        assert_eq!(docs[1].line, 4);
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn multiline_strings_use_literal_style() {
        let out = emit(&json!({"k": {"pem": "line1\nline2\n"}}));
        assert_eq!(out, "k:\n  pem: |\n    line1\n    line2\n");
        let back = to_json(&parse(&out).unwrap().unwrap());
        assert_eq!(back, json!({"k": {"pem": "line1\nline2\n"}}));
    }
}
