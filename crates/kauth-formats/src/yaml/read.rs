//! Reading YAML text into [`Node`]s: the fast reader for what kubectl
//! writes, and yaml-rust2's event parser for everything else, with YAML 1.1
//! resolution of the scalars (as go-yaml v2, which `sigs.k8s.io/yaml`
//! uses, resolves them) and duplicate keys refused as go-yaml v2 refuses
//! them.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::scalar::{resolve_plain_owned, resolve_tagged};
use super::{Node, NodeKind, Scalar, SyntaxError, fast};

/// Parses the first document of `text`; `None` when there is no document.
pub fn parse(text: &str) -> Result<Option<Node>, SyntaxError> {
    if let Some(tree) = fast::parse(text) {
        return Ok(tree);
    }
    parse_general(text)
}

/// The general YAML parser (yaml-rust2), for what [`fast`] does not take.
pub(super) fn parse_general(text: &str) -> Result<Option<Node>, SyntaxError> {
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

/// The deepest nesting go-yaml v2 reads (`max_flow_level`, `max_indents`).
pub const MAX_DEPTH: usize = 10_000;

fn load(text: &str, multi: bool) -> Result<Vec<Node>, SyntaxError> {
    let mut builder = Builder {
        multi,
        ..Builder::default()
    };
    let mut parser = Parser::new_from_str(text);
    // The events are pulled one by one rather than with `Parser::load`,
    // which recurses once per level of nesting: a file nested tens of
    // thousands deep would overflow the stack before any limit applied.
    loop {
        let (event, mark) = parser.next_token().map_err(|e| SyntaxError {
            line: e.marker().line(),
            message: e.info().to_string(),
        })?;
        let end = match event {
            Event::StreamEnd => true,
            Event::DocumentEnd => builder.done,
            _ => false,
        };
        builder.on_event(event, mark);
        if let Some(err) = builder.fatal.take() {
            return Err(err);
        }
        if end {
            break;
        }
    }
    if let Some(err) = builder.error {
        return Err(err);
    }
    Ok(builder.roots)
}

/// An anchored node and its weight: how many nodes go-yaml's decoder
/// visits when it decodes the node (aliases inside it expanded).
struct Anchor {
    id: usize,
    node: Node,
    weight: u64,
}

/// go-yaml v2's guard against alias bombs (`allowedAliasRatio` in
/// decode.go): once a document has decoded more than 1,000 nodes of which
/// more than 100 came through aliases, the share that came through aliases
/// may not exceed 99% up to 400,000 nodes, falling linearly to 10% at
/// 4,000,000.
fn excessive_aliasing(aliased: u64, decoded: u64) -> bool {
    const LOW: f64 = 400_000.0;
    const HIGH: f64 = 4_000_000.0;
    if aliased <= 100 || decoded <= 1000 {
        return false;
    }
    let d = decoded as f64;
    let allowed = if d <= LOW {
        0.99
    } else if d >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((d - LOW) / (HIGH - LOW))
    };
    aliased as f64 / d > allowed
}

#[derive(Default)]
struct Builder {
    /// Open collections: the node, its anchor, for a mapping the index of
    /// the entry whose value comes next, and the decode count before it.
    stack: Vec<(Node, usize, Option<usize>, u64)>,
    roots: Vec<Node>,
    anchors: Vec<Anchor>,
    multi: bool,
    done: bool,
    /// Nodes go-yaml's decoder would have visited so far in this document,
    /// and how many of them through an alias.
    decoded: u64,
    aliased: u64,
    /// An error found while building (a duplicate key), reported once the
    /// text has parsed, as go-yaml reports it.
    error: Option<SyntaxError>,
    /// A limit hit: reading stops at once.
    fatal: Option<SyntaxError>,
}

impl Builder {
    fn push_value(&mut self, node: Node, anchor: usize, weight: u64) {
        if anchor > 0 {
            self.anchors.push(Anchor {
                id: anchor,
                node: node.clone(),
                weight,
            });
        }
        match self.stack.last_mut() {
            None => {
                self.roots.push(node);
                self.done = !self.multi;
            }
            Some((parent, _, pending_key, _)) => match &mut parent.kind {
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

impl Builder {
    /// Opens a collection, unless it would nest deeper than go-yaml reads.
    fn open(&mut self, node: Node, anchor: usize) {
        if self.stack.len() >= MAX_DEPTH {
            self.fatal = Some(SyntaxError {
                line: node.line,
                message: format!("exceeded max depth of {MAX_DEPTH}"),
            });
            return;
        }
        self.stack.push((node, anchor, None, self.decoded));
        self.decoded += 1;
    }

    fn alias(&mut self, id: usize, line: usize) {
        let Some(found) = self.anchors.iter().rev().find(|a| a.id == id) else {
            // An alias inside the node it names (go-yaml: "anchor value
            // contains itself"), or to an anchor of an earlier document.
            self.fatal = Some(SyntaxError {
                line,
                message: "alias refers to an anchor that is not complete here".to_string(),
            });
            return;
        };
        self.decoded += 1 + found.weight;
        self.aliased += found.weight;
        if excessive_aliasing(self.aliased, self.decoded) {
            self.fatal = Some(SyntaxError {
                line,
                message: "document contains excessive aliasing".to_string(),
            });
            return;
        }
        let (node, weight) = (found.node.clone(), 1 + found.weight);
        self.push_value(node, 0, weight);
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.done || self.fatal.is_some() {
            return;
        }
        let line = mark.line();
        match ev {
            Event::DocumentStart => {
                // go-yaml decodes each document with a new decoder, whose
                // first node is the document itself.
                self.decoded = 1;
                self.aliased = 0;
            }
            Event::Scalar(value, style, anchor, tag) => {
                let scalar = match (style, tag) {
                    (TScalarStyle::Plain, None) => resolve_plain_owned(value),
                    (_, Some(tag)) if tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:" => {
                        resolve_tagged(&tag.suffix, value)
                    }
                    _ => Scalar::Str(value),
                };
                self.decoded += 1;
                self.push_value(
                    Node {
                        line,
                        kind: NodeKind::Scalar(scalar),
                    },
                    anchor,
                    1,
                );
            }
            Event::SequenceStart(anchor, _) => self.open(
                Node {
                    line,
                    kind: NodeKind::Seq(Vec::new()),
                },
                anchor,
            ),
            Event::MappingStart(anchor, _) => self.open(
                Node {
                    line,
                    kind: NodeKind::Map(Vec::new()),
                },
                anchor,
            ),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((node, anchor, _, before)) = self.stack.pop() {
                    let weight = self.decoded - before;
                    self.push_value(node, anchor, weight);
                }
            }
            Event::Alias(id) => self.alias(id, line),
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

#[cfg(test)]
mod tests {
    use super::super::to_json;
    use super::*;
    use serde_json::{Value, json};

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
    fn nesting_deeper_than_go_yaml_reads_is_an_error() {
        let deep = format!("{}x\n", "- ".repeat(MAX_DEPTH));
        assert!(parse(&deep).is_ok());
        let deeper = format!("{}x\n", "- ".repeat(MAX_DEPTH + 1));
        let err = parse(&deeper).unwrap_err();
        assert_eq!(err.message, "exceeded max depth of 10000");
        let err = parse_documents(&format!("a: 1\n---\n{deeper}")).unwrap_err();
        assert_eq!(err.line, 3);
    }

    #[test]
    fn alias_bombs_are_errors_and_modest_aliasing_is_not() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h"])
        {
            let list = vec![format!("*{prev}"); 9].join(", ");
            bomb.push_str(&format!("{name}: &{name} [{list}]\n"));
        }
        let err = parse(&bomb).unwrap_err();
        assert_eq!(err.message, "document contains excessive aliasing");
        let modest = "base: &b {user: u}\nx: *b\nz: *b\n";
        let node = parse(modest).unwrap().unwrap();
        assert_eq!(
            to_json(&node),
            json!({"base": {"user": "u"}, "x": {"user": "u"}, "z": {"user": "u"}})
        );
        assert!(excessive_aliasing(1000, 1005) && !excessive_aliasing(1000, 1020));
        assert!(!excessive_aliasing(100, 100) && !excessive_aliasing(999, 1000));
    }
}
