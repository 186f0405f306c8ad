//! An RFC 6901 JSON pointer read straight from the body's bytes: the parser walks to the
//! one value the pointer names and skips everything else, so no document is built (a
//! `serde_json::Value` of a 1 KiB body costs dozens of allocations per delivery).

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// What the pointer found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// No value there (or `null`).
    Missing,
    /// A string, or an integer written as text.
    Text(String),
    /// An object, an array, a boolean or a fraction.
    NotScalar,
}

/// Reads the value `pointer` names in `body`; `Err` when the body is not JSON.
pub(crate) fn read(body: &[u8], pointer: &str) -> Result<Found, serde_json::Error> {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let found = Seek { tokens: &tokens }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(found)
}

struct Seek<'t> {
    tokens: &'t [String],
}

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = Found;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Found, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seek<'_> {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
        let mut found = Found::Missing;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match self.tokens.split_first() {
                Some((first, rest)) if *first == key && found == Found::Missing => {
                    found = map.next_value_seed(Seek { tokens: rest })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(self.leaf(found, || Found::NotScalar))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Found, A::Error> {
        let index = self.tokens.first().and_then(|t| {
            t.parse::<usize>()
                .ok()
                .filter(|_| t == "0" || !t.starts_with('0'))
        });
        let mut found = Found::Missing;
        let mut at = 0;
        loop {
            if Some(at) == index {
                match seq.next_element_seed(Seek {
                    tokens: &self.tokens[1..],
                })? {
                    Some(value) => found = value,
                    None => break,
                }
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                break;
            }
            at += 1;
        }
        Ok(self.leaf(found, || Found::NotScalar))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Found, E> {
        Ok(self.leaf(Found::Missing, || Found::Text(text.to_owned())))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Found, E> {
        Ok(self.leaf(Found::Missing, || Found::Text(n.to_string())))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Found, E> {
        Ok(self.leaf(Found::Missing, || Found::Text(n.to_string())))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Found, E> {
        Ok(self.leaf(Found::Missing, || Found::NotScalar))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Found, E> {
        Ok(self.leaf(Found::Missing, || Found::NotScalar))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Found, E> {
        Ok(Found::Missing)
    }
}

impl Seek<'_> {
    /// At the pointer's end, this value; deeper down, what was found inside.
    fn leaf(&self, inside: Found, here: impl FnOnce() -> Found) -> Found {
        if self.tokens.is_empty() {
            here()
        } else {
            inside
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{Found, read};

    /// The walker answers as `serde_json::Value::pointer` does, on RFC 6901's examples too.
    #[test]
    fn agrees_with_serde_json_pointer() {
        let doc = r#"{"foo":["bar","baz"],"":0,"a/b":1,"c%d":2,"e^f":3,"g|h":4,"i\\j":5,
            "k\"l":6," ":7,"m~n":8,"id":"evt_1","n":-12,"f":1.5,"t":true,"z":null,
            "deep":{"x":[{"y":"found"}]},"dup":"first"}"#;
        let value: serde_json::Value = serde_json::from_str(doc).unwrap();
        for pointer in [
            "/foo",
            "/foo/0",
            "/foo/1",
            "/foo/2",
            "/",
            "/a~1b",
            "/c%d",
            "/e^f",
            "/g|h",
            "/i\\j",
            "/k\"l",
            "/ ",
            "/m~0n",
            "/id",
            "/n",
            "/f",
            "/t",
            "/z",
            "/deep/x/0/y",
            "/deep/x/00/y",
            "/nope",
            "/id/0",
            "/foo/-",
            "/dup",
        ] {
            let expected = match value.pointer(pointer) {
                None | Some(serde_json::Value::Null) => Found::Missing,
                Some(serde_json::Value::String(s)) => Found::Text(s.clone()),
                Some(serde_json::Value::Number(n)) if n.is_i64() || n.is_u64() => {
                    Found::Text(n.to_string())
                }
                Some(_) => Found::NotScalar,
            };
            assert_eq!(
                read(doc.as_bytes(), pointer).unwrap(),
                expected,
                "{pointer}"
            );
        }
        assert!(read(b"{\"id\":1} trailing", "/id").is_err());
        assert!(read(b"not json", "/id").is_err());
    }
}
