//! kubectl's Go templates (`-o go-template=...`, `-o template=...`): Go's
//! `text/template` language over the JSON document kubectl prints, with
//! kubectl's two extra functions, `exists` and `base64decode`.
//!
//! Upstream: Go's `src/text/template/` (`parse/lex.go`, `parse/parse.go`,
//! `parse/node.go`, `exec.go`, `funcs.go`) and `src/fmt/` for printing,
//! as kubectl 1.32 is built (Go 1.23: no `range` over an integer);
//! kubectl's side is cli-runtime's `printers/template.go`. Written by hand
//! because no maintained Rust crate has Go's template semantics: the
//! truth rules, the comparisons, `fmt`'s `%v` of maps and floats, and the
//! exact error texts, which kubectl prints and scripts match.
//!
//! The template is named `output`, as kubectl names it. Output is bytes:
//! `base64decode`, `slice` and string escapes such as `"\xff"` may make
//! text that is not UTF-8, and Go writes it as it is.

mod exec;
mod fmt;
mod funcs;
mod lex;
mod literal;
mod parse;
mod value;

use serde_json::Value as Json;

/// A float64 as Go's `fmt.Print` writes it (`%v`: `1`, `1.5e-07`,
/// `1.23456789125e+08`), as kubectl's JSONPath prints a number.
pub fn sprint_float(v: f64) -> String {
    String::from_utf8_lossy(&fmt::format_float(v, 'g', -1)).into_owned()
}

/// The name kubectl gives the template; errors say `template: output:1:2`.
pub const NAME: &str = "output";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The template does not parse (`template: output:1: unclosed action`).
    #[error("{0}")]
    Parse(String),
    /// Execution stopped (`template: output:1:2: executing "output" at
    /// <.x>: map has no entry for key "x"`); what was written before
    /// stays in the output, as kubectl has printed it by then.
    #[error("{0}")]
    Execute(String),
}

/// What a key missing from a map gives: `<no value>` (kubectl's default,
/// `--allow-missing-template-keys=true`, Go's `missingkey=default`) or an
/// error (`missingkey=error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingKey {
    Default,
    Error,
}

/// Go's `strconv.Quote` (`%q`), with which kubectl names a template in its
/// errors.
pub fn quote(s: &str) -> String {
    fmt::quote(s.as_bytes())
}

/// Renders `template` against `data` into `out`. On an execution error
/// `out` holds what was written before it.
pub fn render(
    template: &str,
    data: &Json,
    missing: MissingKey,
    out: &mut Vec<u8>,
) -> Result<(), TemplateError> {
    // Go's stacks grow; nesting as deep as Go allows (10,000 parentheses,
    // 100,000 template calls) needs a stack made for it.
    const STACK: usize = 1 << 30;
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("gotemplate".to_string())
            .stack_size(STACK)
            .spawn_scoped(scope, || run(template, data, missing, out))
            .map_err(|e| TemplateError::Execute(format!("cannot start the template: {e}")))?
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn run(
    template: &str,
    data: &Json,
    missing: MissingKey,
    out: &mut Vec<u8>,
) -> Result<(), TemplateError> {
    let templates = parse::parse(NAME, template).map_err(TemplateError::Parse)?;
    let mut state = exec::State::new(
        &templates,
        template,
        NAME,
        missing == MissingKey::Error,
        out,
    );
    state
        .execute(value::from_json(data))
        .map_err(TemplateError::Execute)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render_str(template: &str, data: &Json) -> Result<String, TemplateError> {
        let mut out = Vec::new();
        render(template, data, MissingKey::Default, &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    /// A whole number the document holds as a float (YAML's `1e3`) is an
    /// int64 to kubectl, which decodes the text `1000` Go's encoder wrote;
    /// the oracle only ever sees that text.
    #[test]
    fn whole_floats_of_the_document_are_int64() {
        let doc = json!({"a": 1000.0, "b": 1.5, "c": 1e21, "d": -0.0, "e": 1e19});
        assert_eq!(
            render_str(r#"{{printf "%T %T %T %T %T" .a .b .c .d .e}}"#, &doc).unwrap(),
            "int64 float64 float64 int64 float64"
        );
        assert_eq!(render_str("{{.a}} {{.c}}", &doc).unwrap(), "1000 1e+21");
    }

    /// On an execution error the output keeps what came before it.
    #[test]
    fn an_execution_error_keeps_the_output_before_it() {
        let mut out = Vec::new();
        let err = render(
            "a{{.x.y.z}}",
            &json!({"x": "s"}),
            MissingKey::Default,
            &mut out,
        );
        assert!(matches!(err, Err(TemplateError::Execute(_))));
        assert_eq!(out, b"a");
    }
}
