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
}
