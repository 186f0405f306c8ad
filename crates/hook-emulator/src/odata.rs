//! The part of OData `$filter` that Orchestrator's webhook list understands.
//!
//! ```text
//! expr       := and ("or" and)*
//! and        := unary ("and" unary)*
//! unary      := "(" expr ")" | comparison | any
//! comparison := ("Url" | "Name" | "Enabled" | "Id") "eq" literal
//! any        := "Events/any(" var ":" var "/EventType eq" string ")"
//! literal    := 'text with '' doubled' | true | false | integer
//! ```
//!
//! Anything else is an error with a message, answered as 400 with `errorCode` 1000.

use crate::common::Object;
use crate::schema::Record;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Both hold.
    And(Box<Filter>, Box<Filter>),
    /// Either holds.
    Or(Box<Filter>, Box<Filter>),
    /// A field equals a value.
    Eq(Field, Literal),
    /// The webhook subscribes to this event (case-insensitive).
    HasEvent(String),
}

/// A filterable field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `Url`.
    Url,
    /// `Name`.
    Name,
    /// `Enabled`.
    Enabled,
    /// `Id`.
    Id,
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A quoted string.
    Text(String),
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
}

/// The longest filter accepted; longer ones are refused before parsing.
pub const MAX_FILTER_LEN: usize = 4096;
const MAX_DEPTH: usize = 32;

/// Parses a `$filter` value.
pub fn parse(text: &str) -> Result<Filter, String> {
    if text.len() > MAX_FILTER_LEN {
        return Err(format!(
            "$filter is longer than {MAX_FILTER_LEN} characters"
        ));
    }
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        depth: 0,
    };
    let filter = parser.or()?;
    match parser.tokens.get(parser.at) {
        None => Ok(filter),
        Some(token) => Err(format!("unexpected {token:?} in $filter")),
    }
}

impl Filter {
    /// Whether `webhook` passes.
    pub(crate) fn matches(&self, webhook: &Object) -> bool {
        match self {
            Filter::And(a, b) => a.matches(webhook) && b.matches(webhook),
            Filter::Or(a, b) => a.matches(webhook) || b.matches(webhook),
            Filter::HasEvent(name) => webhook
                .events("Events")
                .iter()
                .any(|e| e.as_str().eq_ignore_ascii_case(name)),
            Filter::Eq(field, literal) => match (field, literal) {
                (Field::Url, Literal::Text(t)) => webhook.text("Url") == Some(t.as_str()),
                (Field::Name, Literal::Text(t)) => webhook.text("Name") == Some(t.as_str()),
                (Field::Enabled, Literal::Bool(b)) => webhook.flag("Enabled", false) == *b,
                (Field::Id, Literal::Int(i)) => {
                    webhook.get("Id").and_then(serde_json::Value::as_i64) == Some(*i)
                }
                _ => false,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    Colon,
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '(' => tokens.push(Token::Open),
            ')' => tokens.push(Token::Close),
            ':' => tokens.push(Token::Colon),
            '\'' => {
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some((_, '\'')) if chars.peek().map(|(_, c)| *c) == Some('\'') => {
                            chars.next();
                            value.push('\'');
                        }
                        Some((_, '\'')) => break,
                        Some((_, c)) => value.push(c),
                        None => {
                            return Err(format!(
                                "unterminated string starting at position {start}"
                            ));
                        }
                    }
                }
                tokens.push(Token::Text(value));
            }
            c if c.is_alphanumeric() || matches!(c, '_' | '/' | '.' | '-') => {
                let mut word = String::from(c);
                while let Some((_, c)) = chars.peek().copied() {
                    if c.is_alphanumeric() || matches!(c, '_' | '/' | '.' | '-') {
                        word.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push(Token::Word(word));
            }
            other => {
                return Err(format!(
                    "unexpected character {other:?} at position {start}"
                ));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&mut self, word: &str) -> bool {
        if matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
        {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, expected: Token, what: &str) -> Result<(), String> {
        match self.next() {
            Some(token) if token == expected => Ok(()),
            Some(token) => Err(format!("expected {what}, found {token:?}")),
            None => Err(format!("expected {what}, found the end of $filter")),
        }
    }

    fn or(&mut self) -> Result<Filter, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("$filter nests deeper than {MAX_DEPTH} levels"));
        }
        let mut left = self.and()?;
        while self.keyword("or") {
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        self.depth -= 1;
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, String> {
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(Token::Close, "')'")?;
                Ok(inner)
            }
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("Events/any") => self.any(),
            Some(Token::Word(word)) => {
                let field = match word.to_ascii_lowercase().as_str() {
                    "url" => Field::Url,
                    "name" => Field::Name,
                    "enabled" => Field::Enabled,
                    "id" => Field::Id,
                    _ => {
                        return Err(format!(
                            "cannot filter on {word:?}: use Url, Name, Enabled, Id or Events/any"
                        ));
                    }
                };
                if !self.keyword("eq") {
                    return Err(format!("only 'eq' is supported after {word}"));
                }
                let literal = match (field, self.next()) {
                    (Field::Url | Field::Name, Some(Token::Text(t))) => Literal::Text(t),
                    (Field::Enabled, Some(Token::Word(w))) if w == "true" || w == "false" => {
                        Literal::Bool(w == "true")
                    }
                    (Field::Id, Some(Token::Word(w))) => Literal::Int(
                        w.parse()
                            .map_err(|_| format!("{w:?} is not an integer id"))?,
                    ),
                    (_, other) => return Err(format!("{word} cannot be compared with {other:?}")),
                };
                Ok(Filter::Eq(field, literal))
            }
            Some(token) => Err(format!("unexpected {token:?} in $filter")),
            None => Err("the $filter is empty or ends too early".into()),
        }
    }

    /// After `Events/any`: `(e: e/EventType eq 'name')`.
    fn any(&mut self) -> Result<Filter, String> {
        self.expect(Token::Open, "'(' after Events/any")?;
        let Some(Token::Word(var)) = self.next() else {
            return Err("expected a variable name in Events/any(…)".into());
        };
        self.expect(Token::Colon, "':' after the variable")?;
        let property = format!("{var}/EventType");
        match self.next() {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case(&property) => {}
            other => return Err(format!("expected {property}, found {other:?}")),
        }
        if !self.keyword("eq") {
            return Err("only 'eq' is supported inside Events/any".into());
        }
        let Some(Token::Text(name)) = self.next() else {
            return Err("expected a quoted event type inside Events/any".into());
        };
        self.expect(Token::Close, "')' closing Events/any")?;
        Ok(Filter::HasEvent(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_filters_parse() {
        assert_eq!(
            parse("Url eq 'http://documentation.azurewebsites.net/webhook/documentation'").unwrap(),
            Filter::Eq(
                Field::Url,
                Literal::Text(
                    "http://documentation.azurewebsites.net/webhook/documentation".into()
                )
            )
        );
        assert_eq!(
            parse("Enabled eq true and Events/any(e: e/EventType eq 'job.completed')").unwrap(),
            Filter::And(
                Box::new(Filter::Eq(Field::Enabled, Literal::Bool(true))),
                Box::new(Filter::HasEvent("job.completed".into()))
            )
        );
    }

    #[test]
    fn doubled_quotes_are_one_quote() {
        assert_eq!(
            parse("Name eq 'O''Brien'").unwrap(),
            Filter::Eq(Field::Name, Literal::Text("O'Brien".into()))
        );
    }

    #[test]
    fn bad_filters_are_messages_not_panics() {
        for bad in [
            "",
            "Url",
            "Url gt 'x'",
            "Secret eq 'x'",
            "Name eq 'open",
            "(Enabled eq true",
            "Enabled eq 'yes'",
            "Id eq abc",
            "Events/any(e: e/Other eq 'x')",
            "Enabled eq true and",
            "Enabled eq true Enabled eq false",
            "Name eq 'x' ; drop",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
        let deep = format!("{}Enabled eq true{}", "(".repeat(100), ")".repeat(100));
        assert!(parse(&deep).unwrap_err().contains("deeper"));
        assert!(parse(&"x".repeat(MAX_FILTER_LEN + 1)).is_err());
    }
}
