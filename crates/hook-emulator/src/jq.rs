//! jq for Port's mappings, through the `jaq` crates, with guards so a mapping cannot stop
//! the emulator.
//!
//! jaq has no step or recursion limit, and unbounded recursion overflows the stack, which
//! aborts the whole process. So before compiling, an expression is refused when it is
//! over [`MAX_EXPRESSION`] characters or names a construct that can recurse or loop
//! without bound (`def`, `recurse` with an argument, `repeat`, `while`, `until`, `range`,
//! `limit`'s unbounded friends) or reads the process (`env`, `$ENV`, `input`). What remains
//! is paths, pipes, comparisons, string and array functions: what mappings use. Outputs
//! are capped at [`MAX_OUTPUTS`] values and [`MAX_OUTPUT_BYTES`] bytes. These are guards
//! for a local emulator, not a sandbox for hostile code.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;

/// The longest expression evaluated, in characters.
pub const MAX_EXPRESSION: usize = 4096;
/// The most values one expression may produce.
pub const MAX_OUTPUTS: usize = 1000;
/// The most bytes one expression's values may take, as JSON.
pub const MAX_OUTPUT_BYTES: usize = 1024 * 1024;

/// Words refused anywhere in an expression (outside string literals), and why.
const REFUSED: [(&str, &str); 10] = [
    ("def", "defines a function, which may recurse without bound"),
    ("repeat", "loops without bound"),
    ("while", "loops without bound"),
    ("until", "loops without bound"),
    ("range", "may produce unbounded output"),
    ("env", "reads the emulator's environment"),
    ("$ENV", "reads the emulator's environment"),
    ("input", "reads beyond the request"),
    ("inputs", "reads beyond the request"),
    ("$__loc__", "is not a mapping value"),
];

/// Refuses what the guards above name, with the reason.
pub fn guard(expression: &str) -> Result<(), String> {
    if expression.chars().count() > MAX_EXPRESSION {
        return Err(format!(
            "the jq expression is over {MAX_EXPRESSION} characters"
        ));
    }
    let code = without_strings(expression);
    for word in words(&code) {
        if let Some((_, why)) = REFUSED.iter().find(|(refused, _)| *refused == word) {
            return Err(format!(
                "the emulator does not evaluate `{word}` in a mapping: it {why}"
            ));
        }
    }
    // `recurse` alone walks the input (bounded by its depth); `recurse(f)` may not end.
    if code
        .match_indices("recurse")
        .any(|(at, _)| code[at + "recurse".len()..].trim_start().starts_with('('))
    {
        return Err(
            "the emulator does not evaluate `recurse(f)` in a mapping: it may recurse without bound (use `..` or `recurse` alone)"
                .into(),
        );
    }
    Ok(())
}

/// The expression with string literals blanked, so words inside them are not refused.
fn without_strings(expression: &str) -> String {
    let mut out = String::with_capacity(expression.len());
    let (mut quoted, mut escaped) = (false, false);
    for c in expression.chars() {
        match (quoted, c) {
            (true, _) if escaped => escaped = false,
            (true, '\\') => escaped = true,
            (true, '"') => {
                quoted = false;
                out.push('"');
            }
            (true, _) => out.push(' '),
            (false, '"') => {
                quoted = true;
                out.push('"');
            }
            (false, c) => out.push(c),
        }
    }
    out
}

/// Identifier-like words (letters, digits, `_`, with a leading `$` kept).
fn words(code: &str) -> impl Iterator<Item = &str> {
    code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .filter(|w| !w.is_empty())
}

/// Every value `expression` produces for `input`, guarded and capped.
pub fn eval(expression: &str, input: &serde_json::Value) -> Result<Vec<serde_json::Value>, String> {
    guard(expression)?;
    let input_text = serde_json::to_vec(input).map_err(|e| e.to_string())?;
    let input = jaq_json::read::parse_single(&input_text)
        .map_err(|e| format!("the request is not JSON jq can read: {e}"))?;
    let program = File {
        code: expression,
        path: (),
    };
    let defs = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs());
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let modules = loader
        .load(&arena, program)
        .map_err(|_| format!("cannot parse the jq expression {expression:?}"))?;
    let filter = Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|_| {
            format!("cannot compile the jq expression {expression:?}: is every function defined?")
        })?;
    let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
    let mut values = Vec::new();
    let mut bytes = 0usize;
    for output in filter.id.run((ctx, input)).map(unwrap_valr) {
        let value = output.map_err(|e| format!("jq {expression:?} failed: {e}"))?;
        let text = value.to_string();
        bytes += text.len();
        if values.len() == MAX_OUTPUTS || bytes > MAX_OUTPUT_BYTES {
            return Err(format!(
                "jq {expression:?} produced more than {MAX_OUTPUTS} values or {MAX_OUTPUT_BYTES} bytes"
            ));
        }
        values
            .push(serde_json::from_str(&text).map_err(|e| {
                format!("jq {expression:?} produced a value JSON cannot hold: {e}")
            })?);
    }
    Ok(values)
}

/// The first value `expression` produces, `null` when it produces none.
pub fn one(expression: &str, input: &serde_json::Value) -> Result<serde_json::Value, String> {
    Ok(eval(expression, input)?
        .into_iter()
        .next()
        .unwrap_or(serde_json::Value::Null))
}

/// Whether `expression` is true for `input` (jq truthiness: not `false`, not `null`).
pub fn truthy(expression: &str, input: &serde_json::Value) -> Result<bool, String> {
    Ok(!matches!(
        one(expression, input)?,
        serde_json::Value::Null | serde_json::Value::Bool(false)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_pipes_and_functions_evaluate() {
        let input = json!({"body": {"pull_request": {"id": 5, "title": "Fix"}, "items": [1, 2]}, "headers": {"x-github-event": "pull_request"}});
        assert_eq!(
            one(".body.pull_request.id | tostring", &input).unwrap(),
            json!("5")
        );
        assert!(truthy(".headers.\"x-github-event\" == \"pull_request\"", &input).unwrap());
        assert_eq!(eval(".body.items[]", &input).unwrap(), [json!(1), json!(2)]);
        assert_eq!(one(".missing", &input).unwrap(), json!(null));
    }

    #[test]
    fn errors_are_messages_not_panics() {
        let input = json!({});
        assert!(one(".foo(", &input).unwrap_err().contains("cannot parse"));
        assert!(
            one("nosuchfn", &input)
                .unwrap_err()
                .contains("cannot compile")
        );
        assert!(one("error(\"boom\")", &input).unwrap_err().contains("boom"));
    }

    #[test]
    fn unbounded_constructs_are_refused_before_running() {
        for expression in [
            "def f: 1 + f; f",
            "repeat(1)",
            "[range(1e9)]",
            "last(recurse(. + 1))",
            "env.HOME",
            "$ENV.PATH",
            "until(false; .)",
        ] {
            assert!(guard(expression).is_err(), "{expression}");
        }
        guard(".body | .. | numbers").unwrap();
        guard("\"def range while\" | ascii_downcase").unwrap();
        assert!(eval("[.[]] | length", &json!([1, 2, 3])).is_ok());
    }

    #[test]
    fn outputs_are_capped() {
        let many: Vec<u32> = (0..2000).collect();
        assert!(eval(".[]", &json!(many)).unwrap_err().contains("more than"));
    }
}
