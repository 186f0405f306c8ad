//! jq for Port's mappings, through the `jaq` crates, with guards so a mapping cannot stop
//! the emulator.
//!
//! jaq has no step or recursion limit, and unbounded recursion overflows the stack, which
//! aborts the whole process. So before compiling, an expression is refused when it is
//! over [`MAX_EXPRESSION`] characters or names a construct that can recurse or loop
//! without bound (`def`, `recurse` with an argument, `repeat`, `while`, `until`, `range`,
//! `limit`'s unbounded friends) or reads beyond the request (`input`). What remains
//! is paths, pipes, comparisons, string and array functions: what mappings use. Outputs
//! are capped at [`MAX_OUTPUTS`] values and [`MAX_OUTPUT_BYTES`] bytes. These are guards
//! for a local emulator, not a sandbox for hostile code.
//!
//! Filters are read as Port's jq wrapper reads them: single-quoted string delimiters become
//! double quotes (Port's docs write `"'Success'"` for the string `Success`), and `env` and
//! `$ENV` are `{}` (the wrapper runs every filter after `def env: {}; {} as $ENV`).

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
const REFUSED: [(&str, &str); 8] = [
    ("def", "defines a function, which may recurse without bound"),
    ("repeat", "loops without bound"),
    ("while", "loops without bound"),
    ("until", "loops without bound"),
    ("range", "may produce unbounded output"),
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

/// `expression` as Port's jq wrapper runs it: single-quote delimiters outside
/// double-quoted strings turned into double quotes, and `env` / `$ENV` defined as `{}`.
fn as_port_runs(expression: &str) -> String {
    let mut out = String::with_capacity(expression.len() + 32);
    out.push_str("def env: {}; {} as $ENV | ");
    let (mut quoted, mut escaped) = (false, false);
    for c in expression.chars() {
        match (quoted, c) {
            (true, _) if escaped => escaped = false,
            (true, '\\') => escaped = true,
            (_, '"') => quoted = !quoted,
            (false, '\'') => {
                out.push('"');
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// A request converted to jq's values once: each `itemsToParse` item is laid in as
/// `.item` without converting the request again (an ingest of n items used to convert
/// the whole request, all n items included, for every expression of every item).
pub struct Input(Val);

impl Input {
    /// `json` as jq reads it.
    pub fn new(json: &serde_json::Value) -> Result<Input, String> {
        convert(json).map(Input)
    }

    /// This input with `.item` set to `item`.
    pub fn with_item(&self, item: &serde_json::Value) -> Result<Input, String> {
        let item = convert(item)?;
        let mut map = match &self.0 {
            Val::Obj(map) => (**map).clone(),
            _ => jaq_json::Map::default(),
        };
        map.insert(Val::from("item".to_owned()), item);
        Ok(Input(Val::obj(map)))
    }
}

fn convert(json: &serde_json::Value) -> Result<Val, String> {
    let text = serde_json::to_vec(json).map_err(|e| e.to_string())?;
    jaq_json::read::parse_single(&text)
        .map_err(|e| format!("the request is not JSON jq can read: {e}"))
}

type Compiled = jaq_core::Filter<data::JustLut<Val>>;

/// The most compiled filters a thread keeps.
const CACHE: usize = 256;

thread_local! {
    /// Filters compiled on this thread, by expression: a webhook's mappings are compiled
    /// once, not once per item and per request (jaq's values are not `Send`, so the cache
    /// is per thread; ingests run on the blocking pool's few threads).
    static COMPILED: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<Compiled>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// `expression`, guarded and compiled (or taken from this thread's cache).
fn compiled(expression: &str) -> Result<std::rc::Rc<Compiled>, String> {
    if let Some(filter) = COMPILED.with(|cache| cache.borrow().get(expression).cloned()) {
        return Ok(filter);
    }
    guard(expression)?;
    let code = as_port_runs(expression);
    let program = File {
        code: code.as_str(),
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
    let filter = std::rc::Rc::new(filter);
    COMPILED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= CACHE {
            cache.clear();
        }
        cache.insert(expression.to_owned(), filter.clone());
    });
    Ok(filter)
}

/// Every value `expression` produces for `input`, guarded and capped.
#[cfg(test)]
pub fn eval(expression: &str, input: &serde_json::Value) -> Result<Vec<serde_json::Value>, String> {
    eval_input(expression, &Input::new(input)?)
}

/// Every value `expression` produces for a converted `input`, guarded and capped.
pub fn eval_input(expression: &str, input: &Input) -> Result<Vec<serde_json::Value>, String> {
    let filter = compiled(expression)?;
    let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
    let mut values = Vec::new();
    let mut bytes = 0usize;
    for output in filter.id.run((ctx, input.0.clone())).map(unwrap_valr) {
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
#[cfg(test)]
pub fn one(expression: &str, input: &serde_json::Value) -> Result<serde_json::Value, String> {
    first(expression, &Input::new(input)?)
}

/// The same for a converted input.
pub fn first(expression: &str, input: &Input) -> Result<serde_json::Value, String> {
    Ok(eval_input(expression, input)?
        .into_iter()
        .next()
        .unwrap_or(serde_json::Value::Null))
}

/// Whether `expression` is true for `input` (jq truthiness: not `false`, not `null`).
#[cfg(test)]
pub fn truthy(expression: &str, input: &serde_json::Value) -> Result<bool, String> {
    holds(expression, &Input::new(input)?)
}

/// The same for a converted input.
pub fn holds(expression: &str, input: &Input) -> Result<bool, String> {
    Ok(!matches!(
        first(expression, input)?,
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
            "until(false; .)",
        ] {
            assert!(guard(expression).is_err(), "{expression}");
        }
        guard(".body | .. | numbers").unwrap();
        guard("\"def range while\" | ascii_downcase").unwrap();
        assert!(eval("[.[]] | length", &json!([1, 2, 3])).is_ok());
    }

    /// Filters copied from Port's docs: single-quoted strings, and `env`/`$ENV` as `{}`.
    #[test]
    fn filters_read_as_port_reads_them() {
        let input = json!({"body": {"status": "Success", "env": "x"}});
        assert!(truthy(".body.status == 'Success'", &input).unwrap());
        assert_eq!(one("'Success'", &input).unwrap(), json!("Success"));
        assert_eq!(one("\"it's\"", &input).unwrap(), json!("it's"));
        assert_eq!(one("env", &input).unwrap(), json!({}));
        assert_eq!(one("$ENV.PATH", &input).unwrap(), json!(null));
        assert_eq!(one(".body.env", &input).unwrap(), json!("x"));
    }

    #[test]
    fn outputs_are_capped() {
        let many: Vec<u32> = (0..2000).collect();
        assert!(eval(".[]", &json!(many)).unwrap_err().contains("more than"));
    }
}
