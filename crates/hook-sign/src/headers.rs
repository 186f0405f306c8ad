//! Reading headers from whatever the caller has: pairs, maps, or `http::HeaderMap`.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// What a header lookup found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found<'a> {
    /// The header is absent.
    Missing,
    /// The header is present once, with this value.
    One(&'a [u8]),
    /// The header is present more than once; verification refuses to guess which counts.
    Repeated,
}

/// A set of request headers a [`Verifier`](crate::Verifier) can read.
///
/// Names compare ASCII case-insensitively. Implemented for slices, arrays and vectors of
/// `(name, value)` pairs, for `HashMap` and `BTreeMap` from names to values, and (feature
/// `http`, on by default) for `http::HeaderMap`. For a one-pass iterator of pairs, use
/// [`Verifier::verify_pairs`](crate::Verifier::verify_pairs).
pub trait Headers {
    /// Looks `name` up.
    fn find(&self, name: &str) -> Found<'_>;
}

impl<T: Headers + ?Sized> Headers for &T {
    fn find(&self, name: &str) -> Found<'_> {
        (**self).find(name)
    }
}

/// The first value of `name` among `pairs` (case-insensitive), for headers we wrote.
pub(crate) fn first<'a, K: AsRef<str>>(pairs: &'a [(K, String)], name: &str) -> Option<&'a str> {
    let mut named = pairs
        .iter()
        .filter(|(key, _)| key.as_ref().eq_ignore_ascii_case(name));
    named.next().map(|(_, value)| value.as_str())
}

fn scan<'a, K, V, I>(pairs: I, name: &str) -> Found<'a>
where
    K: AsRef<str> + ?Sized + 'a,
    V: AsRef<[u8]> + ?Sized + 'a,
    I: IntoIterator<Item = (&'a K, &'a V)>,
{
    let mut found = Found::Missing;
    for (key, value) in pairs {
        if key.as_ref().eq_ignore_ascii_case(name) {
            if found != Found::Missing {
                return Found::Repeated;
            }
            found = Found::One(value.as_ref());
        }
    }
    found
}

impl<K: AsRef<str>, V: AsRef<[u8]>> Headers for [(K, V)] {
    fn find(&self, name: &str) -> Found<'_> {
        scan(self.iter().map(|(k, v)| (k, v)), name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>, const N: usize> Headers for [(K, V); N] {
    fn find(&self, name: &str) -> Found<'_> {
        self.as_slice().find(name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> Headers for Vec<(K, V)> {
    fn find(&self, name: &str) -> Found<'_> {
        self.as_slice().find(name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>, S: BuildHasher> Headers for HashMap<K, V, S> {
    fn find(&self, name: &str) -> Found<'_> {
        scan(self.iter(), name)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> Headers for BTreeMap<K, V> {
    fn find(&self, name: &str) -> Found<'_> {
        scan(self.iter(), name)
    }
}

#[cfg(feature = "http")]
impl Headers for http::HeaderMap {
    fn find(&self, name: &str) -> Found<'_> {
        // `get_all` with a &str parses the name, which lower-cases it: case-insensitive.
        let mut values = self.get_all(name).iter();
        match (values.next(), values.next()) {
            (None, _) => Found::Missing,
            (Some(value), None) => Found::One(value.as_bytes()),
            (Some(_), Some(_)) => Found::Repeated,
        }
    }
}

/// The three headers a scheme may need, gathered from a one-pass iterator.
pub(crate) struct Gathered<V> {
    names: [Option<String>; 3],
    values: [Option<V>; 3],
    repeated: [bool; 3],
}

impl<V: AsRef<[u8]>> Gathered<V> {
    pub(crate) fn new<K: AsRef<str>>(
        names: [Option<&str>; 3],
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut gathered = Gathered {
            names: names.map(|n| n.map(str::to_owned)),
            values: [None, None, None],
            repeated: [false; 3],
        };
        for (key, value) in pairs {
            let key = key.as_ref();
            for slot in 0..3 {
                if gathered.names[slot]
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(key))
                {
                    if gathered.values[slot].is_some() {
                        gathered.repeated[slot] = true;
                    } else {
                        gathered.values[slot] = Some(value);
                        break;
                    }
                }
            }
        }
        gathered
    }
}

impl<V: AsRef<[u8]>> Headers for Gathered<V> {
    fn find(&self, name: &str) -> Found<'_> {
        for slot in 0..3 {
            if self.names[slot]
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
            {
                return match (&self.values[slot], self.repeated[slot]) {
                    (_, true) => Found::Repeated,
                    (Some(value), false) => Found::One(value.as_ref()),
                    (None, false) => Found::Missing,
                };
            }
        }
        Found::Missing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_found_case_insensitively() {
        let headers = [("X-Webhook-Signature", "abc")];
        assert_eq!(headers.find("x-webhook-signature"), Found::One(b"abc"));
        assert_eq!(headers.find("x-other"), Found::Missing);
    }

    #[test]
    fn a_repeated_header_is_reported() {
        let headers = vec![
            ("a".to_string(), "1".to_string()),
            ("A".to_string(), "2".to_string()),
        ];
        assert_eq!(headers.find("a"), Found::Repeated);
    }

    #[test]
    fn maps_are_found_case_insensitively() {
        let map: HashMap<&str, Vec<u8>> = [("Stripe-Signature", b"t=1".to_vec())].into();
        assert_eq!(map.find("stripe-signature"), Found::One(b"t=1"));
        let map: BTreeMap<String, &str> = [("B".to_string(), "x")].into();
        assert_eq!(map.find("b"), Found::One(b"x"));
    }

    #[cfg(feature = "http")]
    #[test]
    fn header_map_is_found_case_insensitively() {
        let mut map = http::HeaderMap::new();
        map.insert("webhook-id", http::HeaderValue::from_static("msg_1"));
        assert_eq!(map.find("Webhook-Id"), Found::One(b"msg_1"));
        map.append("webhook-id", http::HeaderValue::from_static("msg_2"));
        assert_eq!(map.find("webhook-id"), Found::Repeated);
    }

    #[test]
    fn gathering_keeps_only_the_named_headers() {
        let pairs = vec![("X-A", "1"), ("x-b", "2"), ("x-a", "3"), ("other", "4")];
        let gathered = Gathered::new([Some("x-a"), Some("X-B"), None], pairs);
        assert_eq!(gathered.find("X-A"), Found::Repeated);
        assert_eq!(gathered.find("x-b"), Found::One(b"2"));
        assert_eq!(gathered.find("other"), Found::Missing);
    }
}
