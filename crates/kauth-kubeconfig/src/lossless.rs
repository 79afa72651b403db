//! Edits that keep a hand-written kubeconfig as its author wrote it.
//!
//! kubectl rewrites a whole file on every edit: comments go, keys are
//! sorted, fields it does not model are dropped (kubectl#1262). kauth
//! writes one of two ways:
//!
//! - A file that is exactly what kubectl would write for its own content
//!   (no comments, kubectl's order and quoting) is written as kubectl
//!   writes it, so kauth and kubectl leave byte-identical files.
//! - Any other file is patched: each top-level value, each entry of
//!   `clusters`, `contexts` and `users`, and each field of an entry that the
//!   edit changed is replaced where it stands; new entries and fields go
//!   after the last one of their list or mapping, in the indentation found
//!   there; removed ones are cut with their lines. Every other byte is kept.
//!
//! The patched text is decoded again and must give exactly the document
//! kubectl would have written. Where it does not, or where the file's
//! layout is one the indexer here does not follow (flow collections
//! holding what changed, anchors, several documents), the file is written
//! as kubectl writes it. The indexer reads block YAML by lines and
//! indentation only; it never decides what a value means, the decoder does.

use serde_json::{Map, Value};

use crate::model::{self, Config};
use kauth_formats::yaml;

/// How [`render`] wrote a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// kubectl's bytes: the file was new, or already kubectl-shaped.
    Kubectl,
    /// The original text with only the changed parts replaced.
    Patched,
    /// kubectl's bytes, because the patch could not be made or checked.
    Rewritten,
}

/// The text to write for `new` over a file that held `original`.
pub fn render(original: Option<&str>, new: &Config) -> (String, Style) {
    let full = || model::to_yaml(new);
    let Some(original) = original.filter(|t| !t.trim().is_empty()) else {
        return (full(), Style::Kubectl);
    };
    let Ok(old) = model::decode(original, "") else {
        return (full(), Style::Rewritten);
    };
    if model::to_yaml(&old) == original {
        return (full(), Style::Kubectl);
    }
    let wanted = model::encode(new);
    match patch(original, &model::encode(&old), &wanted) {
        Some(text) if model::decode(&text, "").is_ok_and(|c| model::encode(&c) == wanted) => {
            (text, Style::Patched)
        }
        _ => (full(), Style::Rewritten),
    }
}

// ---------------------------------------------------------------------------
// The text, indexed by lines

/// One line of the file: its byte range (newline included) and, for a line
/// with content, the column of its first character.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    /// `None` for blank and comment-only lines.
    indent: Option<usize>,
}

/// A key of a block mapping and the lines its value takes.
#[derive(Debug, Clone)]
struct Field {
    key: String,
    /// The line of the key, and the column the key starts at.
    line: usize,
    col: usize,
    /// One past the last line with content that belongs to the field.
    end: usize,
    /// Whether the key is the first thing after a sequence item's `- `.
    on_dash: bool,
}

struct Doc<'a> {
    text: &'a str,
    lines: Vec<Line>,
}

impl<'a> Doc<'a> {
    fn new(text: &'a str) -> Doc<'a> {
        let mut lines = Vec::new();
        let mut start = 0;
        for piece in text.split_inclusive('\n') {
            let body = piece.trim_end_matches(['\n', '\r']);
            let trimmed = body.trim_start_matches(' ');
            let indent = (!trimmed.is_empty() && !trimmed.starts_with('#'))
                .then_some(body.len() - trimmed.len());
            lines.push(Line {
                start,
                end: start + piece.len(),
                indent,
            });
            start += piece.len();
        }
        Doc { text, lines }
    }

    fn body(&self, line: usize) -> &'a str {
        let l = self.lines[line];
        self.text[l.start..l.end].trim_end_matches(['\n', '\r'])
    }

    /// The text of `line` from column `col`.
    fn at_col(&self, line: usize, col: usize) -> &'a str {
        self.body(line).get(col..).unwrap_or("")
    }

    fn content(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = (usize, usize)> + '_ {
        range.filter_map(|i| self.lines[i].indent.map(|ind| (i, ind)))
    }

    /// The block mapping whose keys sit at the column of the first content
    /// in `range`; `first` starts it mid-line (after a sequence item's
    /// dash). `None` for anything that is not a plain block mapping.
    fn mapping(
        &self,
        range: std::ops::Range<usize>,
        first: Option<(usize, usize)>,
    ) -> Option<Vec<Field>> {
        let mut fields: Vec<Field> = Vec::new();
        let mut starts: Vec<(usize, usize, bool)> = Vec::new();
        if let Some(head) = first {
            starts.push((head.0, head.1, true));
        }
        let skip = first.map(|(l, _)| l + 1).unwrap_or(range.start);
        let column = first
            .map(|(_, c)| c)
            .or_else(|| self.content(skip..range.end).next().map(|(_, ind)| ind))?;
        for (i, ind) in self.content(skip..range.end) {
            if ind < column {
                return None;
            }
            if ind == column {
                let rest = self.at_col(i, ind);
                // A block sequence may sit at its key's own column.
                if rest == "-" || rest.starts_with("- ") {
                    if starts.is_empty() {
                        return None;
                    }
                    continue;
                }
                starts.push((i, ind, false));
            }
        }
        for (n, &(line, col, on_dash)) in starts.iter().enumerate() {
            let key = key_of(self.at_col(line, col))?;
            let next = starts.get(n + 1).map_or(range.end, |s| s.0);
            let end = self
                .content(line..next)
                .last()
                .map_or(line + 1, |(i, _)| i + 1);
            fields.push(Field {
                key,
                line,
                col,
                end,
                on_dash,
            });
        }
        Some(fields)
    }

    /// The items of the block sequence in `range`: for each, its dash line,
    /// one past its last content line, and where its mapping starts.
    fn sequence(&self, range: std::ops::Range<usize>) -> Option<Vec<Item>> {
        let mut items: Vec<Item> = Vec::new();
        let column = self.content(range.clone()).next()?.1;
        for (i, ind) in self.content(range.clone()) {
            if ind < column {
                return None;
            }
            if ind > column {
                continue;
            }
            let rest = self.at_col(i, ind);
            if rest != "-" && !rest.starts_with("- ") {
                return None;
            }
            items.push(Item {
                line: i,
                col: ind,
                end: i + 1,
            });
        }
        let ends: Vec<usize> = items
            .iter()
            .enumerate()
            .map(|(n, it)| {
                let next = items.get(n + 1).map_or(range.end, |s| s.line);
                self.content(it.line..next)
                    .last()
                    .map_or(it.line + 1, |(i, _)| i + 1)
            })
            .collect();
        for (it, end) in items.iter_mut().zip(ends) {
            it.end = end;
        }
        Some(items)
    }

    /// The mapping of a sequence item.
    fn item_mapping(&self, item: &Item) -> Option<Vec<Field>> {
        let rest = self.at_col(item.line, item.col);
        let after = rest[1..].len() - rest[1..].trim_start_matches(' ').len();
        if rest.len() == 1 {
            // `-` alone: the mapping starts on the next line.
            return self.mapping(item.line + 1..item.end, None);
        }
        self.mapping(item.line..item.end, Some((item.line, item.col + 1 + after)))
    }

    /// The lines of `field`'s value when it is a block (nothing after the
    /// colon on its line but a comment).
    fn block_value(&self, field: &Field) -> Option<std::ops::Range<usize>> {
        let rest = self.at_col(field.line, field.col);
        let after = value_text(rest, &field.key)?;
        (after.is_empty() || after.starts_with('#')).then_some(field.line + 1..field.end)
    }

    /// The byte range of whole lines `lines`.
    fn span(&self, lines: std::ops::Range<usize>) -> (usize, usize) {
        (self.lines[lines.start].start, self.lines[lines.end - 1].end)
    }

    /// The offset where new lines go after line `last` (exclusive end):
    /// at the end of line `last - 1`, which gets a newline if it had none.
    fn after(&self, last: usize) -> (usize, bool) {
        let l = self.lines[last - 1];
        (l.end, !self.text[..l.end].ends_with('\n'))
    }

    fn newline(&self) -> &'static str {
        if self.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Item {
    line: usize,
    col: usize,
    end: usize,
}

/// The key of a `key: value` or `key:` line, when the key is plain.
fn key_of(rest: &str) -> Option<String> {
    let first = rest.chars().next()?;
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return None;
    }
    let colon = rest
        .match_indices(':')
        .map(|(i, _)| i)
        .find(|&i| rest[i + 1..].is_empty() || rest[i + 1..].starts_with(' '))?;
    let key = rest[..colon].trim_end();
    (!key.contains(" #")).then(|| key.to_string())
}

/// What follows `key:` on its line, trimmed.
fn value_text<'t>(rest: &'t str, key: &str) -> Option<&'t str> {
    let after = rest.get(key.len()..)?.trim_start_matches(' ');
    Some(after.strip_prefix(':')?.trim_start_matches(' '))
}

/// The comment after a one-line scalar value (`server: x  # prod`), to keep
/// when the value is replaced.
fn trailing_comment(value: &str) -> Option<&str> {
    let end = match value.chars().next()? {
        '"' => {
            let mut escaped = false;
            let mut close = None;
            for (i, c) in value.char_indices().skip(1) {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => {
                        close = Some(i + 1);
                        break;
                    }
                    _ => {}
                }
            }
            close?
        }
        '\'' => {
            let bytes = value.as_bytes();
            let mut i = 1;
            loop {
                match bytes.get(i)? {
                    b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 2,
                    b'\'' => break i + 1,
                    _ => i += 1,
                }
            }
        }
        '#' | '|' | '>' | '[' | '{' | '&' | '*' | '!' => return None,
        _ => value[..value.find(" #")?].trim_end_matches(' ').len(),
    };
    // The spaces before the `#` are kept with it.
    let comment = &value[end..];
    comment
        .trim_start_matches(' ')
        .starts_with('#')
        .then_some(comment)
}

// ---------------------------------------------------------------------------
// The patch

/// Replacements by byte range, applied back to front.
#[derive(Default)]
struct Patch {
    edits: Vec<(usize, usize, String)>,
}

impl Patch {
    fn replace(&mut self, range: (usize, usize), text: String) {
        self.edits.push((range.0, range.1, text));
    }

    fn insert(&mut self, at: (usize, bool), text: String, nl: &str) {
        let text = if at.1 { format!("{nl}{text}") } else { text };
        self.edits.push((at.0, at.0, text));
    }

    fn apply(mut self, text: &str) -> Option<String> {
        // Stable: insertions at one offset keep the order they were made in.
        self.edits.sort_by_key(|e| (e.0, e.1));
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end, new) in &self.edits {
            if *start < at {
                return None;
            }
            out.push_str(&text[at..*start]);
            out.push_str(new);
            at = *end;
        }
        out.push_str(&text[at..]);
        Some(out)
    }
}

/// `value` under `key` as go-yaml writes it, every line indented by
/// `indent` columns.
fn snippet(key: Option<&str>, value: &Value, indent: usize, nl: &str) -> String {
    let doc = match key {
        Some(k) => {
            let mut m = Map::new();
            m.insert(k.to_string(), value.clone());
            yaml::emit(&Value::Object(m))
        }
        None => yaml::emit(&Value::Array(vec![value.clone()])),
    };
    let pad = " ".repeat(indent);
    let mut out = String::with_capacity(doc.len() + 8 * indent);
    for line in doc.lines() {
        if !line.is_empty() {
            out.push_str(&pad);
        }
        out.push_str(line);
        out.push_str(nl);
    }
    out
}

const LISTS: [(&str, &str); 3] = [
    ("clusters", "cluster"),
    ("contexts", "context"),
    ("users", "user"),
];

fn patch(text: &str, old: &Value, new: &Value) -> Option<String> {
    let doc = Doc::new(text);
    let nl = doc.newline();
    let mut start = 0;
    // One leading document marker is allowed; a second document is not.
    if let Some((first, _)) = doc.content(0..doc.lines.len()).next()
        && doc.body(first).trim_end() == "---"
    {
        start = first + 1;
    }
    let top = doc.mapping(start..doc.lines.len(), None)?;
    if top.iter().any(|f| f.col != 0) {
        return None;
    }
    let (old, new) = (old.as_object()?, new.as_object()?);
    let mut p = Patch::default();
    let mut keys: Vec<&String> = new.keys().collect();
    keys.extend(old.keys().filter(|k| !new.contains_key(*k)));
    for key in keys {
        let (o, n) = (old.get(key), new.get(key));
        if o == n {
            continue;
        }
        let field = top.iter().find(|f| f.key == *key);
        let list = LISTS.iter().find(|(l, _)| l == key);
        match (field, list) {
            (Some(f), Some((_, inner))) => {
                let done = doc
                    .block_value(f)
                    .and_then(|lines| list_patch(&doc, &mut p, lines, o, n, inner, nl));
                if done.is_none() {
                    whole_field(&doc, &mut p, f, n, nl);
                }
            }
            (Some(f), None) => whole_field(&doc, &mut p, f, n, nl),
            (None, _) => {
                if let Some(n) = n {
                    let last = top.last().map_or(doc.lines.len(), |f| f.end);
                    let at = if last == 0 {
                        (0, false)
                    } else {
                        doc.after(last)
                    };
                    p.insert(at, snippet(Some(key), n, 0, nl), nl);
                }
            }
        }
    }
    p.apply(text)
}

/// Replaces a whole top-level field (or removes it when `new` is `None`).
fn whole_field(doc: &Doc, p: &mut Patch, f: &Field, new: Option<&Value>, nl: &str) {
    p.replace(doc.span(f.line..f.end), field_text(doc, f, new, nl));
}

/// The lines that replace field `f` with `key: new` (none when `new` is
/// `None`), at `f`'s column: a one-line string keeps the quotes it was
/// written with, and the comment that ended the line stays.
fn field_text(doc: &Doc, f: &Field, new: Option<&Value>, nl: &str) -> String {
    let Some(value) = new else {
        return String::new();
    };
    let text = snippet(Some(&f.key), value, f.col, nl);
    if f.end != f.line + 1 || text.matches('\n').count() != 1 {
        return text;
    }
    let Some(old) = value_text(doc.at_col(f.line, f.col), &f.key) else {
        return text;
    };
    let body = match (value, old.chars().next()) {
        (Value::String(s), Some('\'')) if !s.contains(['\n', '\r']) => {
            format!(
                "{}{}: '{}'",
                " ".repeat(f.col),
                f.key,
                s.replace('\'', "''")
            )
        }
        (Value::String(s), Some('"')) => {
            let quoted = serde_json::to_string(s).unwrap_or_default();
            format!("{}{}: {quoted}", " ".repeat(f.col), f.key)
        }
        _ => text.trim_end_matches(['\n', '\r']).to_string(),
    };
    match trailing_comment(old) {
        Some(c) => format!("{body}{c}{nl}"),
        None => format!("{body}{nl}"),
    }
}

/// Patches the entries of one named list; `None` when the list's text is
/// not a block sequence of block mappings kauth can follow.
fn list_patch(
    doc: &Doc,
    p: &mut Patch,
    lines: std::ops::Range<usize>,
    old: Option<&Value>,
    new: Option<&Value>,
    inner: &str,
    nl: &str,
) -> Option<()> {
    let entries = |v: Option<&Value>| -> Vec<Value> {
        v.and_then(Value::as_array).cloned().unwrap_or_default()
    };
    let (old, new) = (entries(old), entries(new));
    if new.is_empty() {
        return None;
    }
    let items = doc.sequence(lines)?;
    // Each item's name, as written in the file.
    let mut named: Vec<(String, Item, Vec<Field>)> = Vec::new();
    for item in &items {
        let fields = doc.item_mapping(item)?;
        let f = fields.iter().find(|f| f.key == "name")?;
        let raw = value_text(doc.at_col(f.line, f.col), "name")?;
        let name = model_name(raw)?;
        named.push((name, *item, fields));
    }
    let name_of = |v: &Value| v.get("name").and_then(Value::as_str).map(str::to_string);
    let mut old_by_name = std::collections::BTreeMap::new();
    for e in &old {
        old_by_name.insert(name_of(e)?, e);
    }
    if old_by_name.len() != named.len() {
        return None;
    }
    let new_names: Vec<String> = new.iter().filter_map(name_of).collect();
    for (name, item, _) in &named {
        if !new_names.contains(name) {
            p.replace(doc.span(item.line..item.end), String::new());
        }
    }
    let column = items.first()?.col;
    let last = items.last()?.end;
    for entry in &new {
        let name = name_of(entry)?;
        match named.iter().find(|(n, ..)| *n == name) {
            None => p.insert(doc.after(last), snippet(None, entry, column, nl), nl),
            Some((_, item, fields)) => {
                let before = old_by_name.get(&name)?;
                if *before == entry {
                    continue;
                }
                if entry_patch(doc, p, fields, before, entry, inner, nl).is_none() {
                    p.replace(
                        doc.span(item.line..item.end),
                        snippet(None, entry, column, nl),
                    );
                }
            }
        }
    }
    Some(())
}

/// A name as the decoder reads it, for the simple forms names take: plain,
/// or quoted without escapes.
fn model_name(raw: &str) -> Option<String> {
    let comment = trailing_comment(raw).map_or(0, str::len);
    let raw = raw[..raw.len() - comment].trim_end();
    let text = format!("name: {raw}\n");
    let v = yaml::to_json(&yaml::parse(&text).ok()??);
    v.get("name")?.as_str().map(str::to_string)
}

/// Patches the fields of one entry's inner mapping (`cluster:`, `user:`,
/// `context:`); `None` when it must be replaced whole.
fn entry_patch(
    doc: &Doc,
    p: &mut Patch,
    fields: &[Field],
    old: &Value,
    new: &Value,
    inner: &str,
    nl: &str,
) -> Option<()> {
    // Only the inner mapping may differ (the names are equal).
    let strip = |v: &Value| {
        let mut m = v.as_object().cloned().unwrap_or_default();
        m.remove(inner);
        m
    };
    if strip(old) != strip(new) {
        return None;
    }
    let f = fields.iter().find(|f| f.key == inner)?;
    let lines = doc.block_value(f)?;
    let inner_fields = doc.mapping(lines.clone(), None)?;
    let (o, n) = (old.get(inner)?.as_object()?, new.get(inner)?.as_object()?);
    if inner_fields.is_empty() {
        return None;
    }
    let column = inner_fields[0].col;
    if inner_fields.iter().any(|f| f.col != column) {
        return None;
    }
    let mut pending: Vec<(&String, &Value)> = Vec::new();
    let mut keys: Vec<&String> = n.keys().collect();
    keys.extend(o.keys().filter(|k| !n.contains_key(*k)));
    for key in keys {
        if o.get(key) == n.get(key) {
            continue;
        }
        match (inner_fields.iter().find(|f| f.key == *key), n.get(key)) {
            (Some(f), new_value) => {
                if f.on_dash {
                    return None;
                }
                p.replace(doc.span(f.line..f.end), field_text(doc, f, new_value, nl));
            }
            (None, Some(v)) => pending.push((key, v)),
            (None, None) => {}
        }
    }
    if !pending.is_empty() {
        let last = inner_fields.last()?.end;
        let text: String = pending
            .iter()
            .map(|(k, v)| snippet(Some(k), v, column, nl))
            .collect();
        p.insert(doc.after(last), text, nl);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HAND: &str = "\
# Clusters this team uses. Ask #platform before adding one.
apiVersion: v1
kind: Config
current-context: dev   # the safe default

clusters:
  - name: dev
    cluster:
      server: https://dev.example.com:6443  # behind the VPN
      insecure-skip-tls-verify: true
  - name: prod
    cluster:
      certificate-authority: /etc/prod/ca.crt
      server: https://prod.example.com:6443
      x-team-owner: sre        # not a kubeconfig field

users:
  - name: alice
    user:
      token: abc
  - name: bob
    user:
      token: def

contexts:
  - name: dev
    context: {cluster: dev, user: alice}
  - name: prod
    context:
      cluster: prod
      user: bob
";

    fn edit(text: &str, f: impl FnOnce(&mut Config)) -> (String, Style) {
        let mut c = model::decode(text, "").unwrap();
        f(&mut c);
        render(Some(text), &c)
    }

    fn changed_lines(a: &str, b: &str) -> Vec<(String, String)> {
        assert_eq!(a.lines().count(), b.lines().count(), "{b}");
        a.lines()
            .zip(b.lines())
            .filter(|(x, y)| x != y)
            .map(|(x, y)| (x.to_string(), y.to_string()))
            .collect()
    }

    #[test]
    fn use_context_changes_one_line_and_keeps_its_comment() {
        let (out, style) = edit(HAND, |c| c.current_context = "prod".into());
        assert_eq!(style, Style::Patched);
        assert_eq!(
            changed_lines(HAND, &out),
            [(
                "current-context: dev   # the safe default".to_string(),
                "current-context: prod   # the safe default".to_string()
            )]
        );
    }

    #[test]
    fn a_changed_field_is_replaced_where_it_stands() {
        let (out, style) = edit(HAND, |c| {
            c.clusters.get_mut("dev").unwrap().server = "https://10.0.0.1:6443".into();
        });
        assert_eq!(style, Style::Patched);
        assert_eq!(
            changed_lines(HAND, &out),
            [(
                "      server: https://dev.example.com:6443  # behind the VPN".to_string(),
                "      server: https://10.0.0.1:6443  # behind the VPN".to_string()
            )]
        );
    }

    #[test]
    fn new_fields_and_entries_follow_the_files_indentation() {
        let (out, style) = edit(HAND, |c| {
            c.auth_infos.get_mut("alice").unwrap().impersonate = "admin".into();
            let mut ctx = c.contexts["prod"].clone();
            ctx.namespace = "web".into();
            c.contexts.insert("prod-web".into(), ctx);
        });
        assert_eq!(style, Style::Patched);
        assert!(
            out.contains("      token: abc\n      as: admin\n  - name: bob"),
            "{out}"
        );
        assert!(
            out.ends_with(
                "      user: bob\n  - context:\n      cluster: prod\n      namespace: web\n      user: bob\n    name: prod-web\n"
            ),
            "{out}"
        );
        // Everything above the edits is as it was.
        assert!(out.starts_with(&HAND[..HAND.find("      token: abc").unwrap()]));
    }

    #[test]
    fn removed_entries_take_their_lines_with_them() {
        let (out, style) = edit(HAND, |c| {
            c.auth_infos.remove("bob");
        });
        assert_eq!(style, Style::Patched);
        assert_eq!(
            out,
            HAND.replace("  - name: bob\n    user:\n      token: def\n", "")
        );
    }

    #[test]
    fn unmodelled_fields_of_untouched_entries_survive() {
        let (out, _) = edit(HAND, |c| {
            c.clusters.get_mut("dev").unwrap().insecure_skip_tls_verify = false;
        });
        assert!(out.contains("x-team-owner: sre        # not a kubeconfig field"));
        assert!(!out.contains("insecure-skip-tls-verify"));
    }

    #[test]
    fn an_entry_written_in_flow_style_is_replaced_whole() {
        let (out, style) = edit(HAND, |c| {
            c.contexts.get_mut("dev").unwrap().namespace = "team".into();
        });
        assert_eq!(style, Style::Patched);
        assert!(
            out.contains("  - context:\n      cluster: dev\n      namespace: team\n      user: alice\n    name: dev\n"),
            "{out}"
        );
        assert!(out.starts_with("# Clusters this team uses."));
    }

    #[test]
    fn a_kubectl_shaped_file_is_written_as_kubectl_writes_it() {
        let text = model::to_yaml(&model::decode(HAND, "").unwrap());
        let (out, style) = edit(&text, |c| c.current_context = "prod".into());
        assert_eq!(style, Style::Kubectl);
        let mut c = model::decode(&text, "").unwrap();
        c.current_context = "prod".into();
        assert_eq!(out, model::to_yaml(&c));
    }

    #[test]
    fn missing_top_level_keys_are_appended() {
        let text = "# mine\nclusters:\n- name: a\n  cluster:\n    server: https://a\n";
        let (out, style) = edit(text, |c| c.current_context = "x".into());
        assert_eq!(style, Style::Patched);
        assert_eq!(out, format!("{text}current-context: x\n"));
        let no_newline = text.trim_end();
        let (out, _) = edit(no_newline, |c| c.current_context = "x".into());
        assert_eq!(out, format!("{text}current-context: x\n"));
    }

    #[test]
    fn a_json_file_is_rewritten_as_kubectl_writes_it() {
        let text =
            "{\"clusters\": [{\"name\": \"a\", \"cluster\": {\"server\": \"https://a\"}}]}\n";
        let mut c = model::decode(text, "").unwrap();
        c.current_context = "x".into();
        let (out, style) = render(Some(text), &c);
        assert_eq!(style, Style::Rewritten);
        assert_eq!(out, model::to_yaml(&c));
    }

    #[test]
    fn a_list_written_in_flow_style_is_replaced_whole() {
        let text =
            "# flow\nclusters: [{name: a, cluster: {server: https://a}}]\ncurrent-context: a\n";
        let (out, style) = edit(text, |c| c.current_context = "b".into());
        assert_eq!(
            (out.as_str(), style),
            (
                "# flow\nclusters: [{name: a, cluster: {server: https://a}}]\ncurrent-context: b\n",
                Style::Patched
            )
        );
        let (out, style) = edit(text, |c| {
            c.clusters.get_mut("a").unwrap().server = "https://b".into()
        });
        assert_eq!(style, Style::Patched);
        assert_eq!(
            out,
            "# flow\nclusters:\n- cluster:\n    server: https://b\n  name: a\ncurrent-context: a\n"
        );
    }

    #[test]
    fn crlf_files_keep_crlf() {
        let text = HAND.replace('\n', "\r\n");
        let (out, style) = edit(&text, |c| {
            c.clusters.get_mut("prod").unwrap().proxy_url = "http://proxy:3128".into();
        });
        assert_eq!(style, Style::Patched);
        assert!(out.contains("x-team-owner: sre        # not a kubeconfig field\r\n      proxy-url: http://proxy:3128\r\n"), "{out:?}");
        assert!(!out.replace("\r\n", "").contains('\n'));
    }
}
