//! The header-list layout's parsers: `Signature-Input` and `Signature` members (RFC 9421
//! style, as UP42 writes them) and RFC 9530 `Content-Digest`.
//!
//! Everything here borrows from the header values and works on the stack: at most
//! [`MAX_COMPONENTS`] names are kept, and each header is at most
//! [`MAX_HEADER_LEN`](crate::MAX_HEADER_LEN) bytes, so hostile input costs bounded time
//! before any MAC is computed.

use crate::codec::{self, MacBytes};
use crate::verify::{Malformed, trim};

/// The most header names a `Signature-Input` may list.
pub const MAX_COMPONENTS: usize = 16;

/// The members of a structured-field dictionary: split on commas outside double quotes and
/// parentheses, each trimmed, empty ones skipped.
pub(crate) fn members(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    split_outside(value, b',')
}

/// `value` split on `separator` where it stands outside double quotes and parentheses.
fn split_outside(value: &[u8], separator: u8) -> impl Iterator<Item = &[u8]> {
    let mut rest = value;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let (mut quoted, mut escaped, mut depth) = (false, false, 0usize);
            let mut end = rest.len();
            for (i, &b) in rest.iter().enumerate() {
                match (quoted, b) {
                    (true, _) if escaped => escaped = false,
                    (true, b'\\') => escaped = true,
                    (true, b'"') => quoted = false,
                    (true, _) => {}
                    (false, b'"') => quoted = true,
                    (false, b'(') => depth += 1,
                    (false, b')') => depth = depth.saturating_sub(1),
                    (false, b) if b == separator && depth == 0 => {
                        end = i;
                        break;
                    }
                    (false, _) => {}
                }
            }
            let member = trim(&rest[..end]);
            rest = rest.get(end + 1..).unwrap_or_default();
            if !member.is_empty() {
                return Some(member);
            }
        }
    })
}

/// The value of the member named `key`, `None` when absent. Keys are lower case (RFC 8941)
/// and compare exactly, so `UP42-sig` is not `up42-sig`.
pub(crate) fn member<'v>(value: &'v [u8], key: &str) -> Result<Option<&'v [u8]>, Malformed> {
    let mut found = None;
    for item in members(value) {
        let Some((name, text)) = split_once(item, b'=') else {
            continue;
        };
        if trim(name) == key.as_bytes() && found.replace(trim(text)).is_some() {
            return Err(Malformed::Repeated);
        }
    }
    Ok(found)
}

/// The labels present, for explaining a wrong one.
pub(crate) fn labels(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    members(value).filter_map(|item| split_once(item, b'=').map(|(name, _)| trim(name)))
}

/// A signature member's text: RFC 9421 writes `:<base64>:`, UP42's sample bare base64.
pub(crate) fn signature_text(member: &[u8]) -> &[u8] {
    member
        .strip_prefix(b":")
        .and_then(|m| m.strip_suffix(b":"))
        .unwrap_or(member)
}

/// A parsed `Signature-Input` member: the listed names and the `created` parameter.
pub(crate) struct Input<'v> {
    names: [&'v [u8]; MAX_COMPONENTS],
    len: usize,
    pub(crate) created: Option<&'v [u8]>,
}

impl<'v> Input<'v> {
    /// The listed header names, as written (compare them case-insensitively).
    pub(crate) fn names(&self) -> &[&'v [u8]] {
        &self.names[..self.len]
    }
}

/// Parses `("name" name …);created=<unix>;key=value…`.
pub(crate) fn parse_input(member: &[u8]) -> Result<Input<'_>, Malformed> {
    let bad = || Malformed::BadComponentList;
    let mut input = Input {
        names: [b""; MAX_COMPONENTS],
        len: 0,
        created: None,
    };
    let mut rest = trim(member).strip_prefix(b"(").ok_or_else(bad)?;
    loop {
        rest = rest.trim_ascii_start();
        let (name, after) = match rest.first() {
            None => return Err(bad()),
            Some(b')') => {
                rest = &rest[1..];
                break;
            }
            Some(b'"') => {
                let close = rest[1..].iter().position(|b| *b == b'"').ok_or_else(bad)?;
                (&rest[1..=close], &rest[close + 2..])
            }
            Some(_) => {
                let end = rest
                    .iter()
                    .position(|b| matches!(b, b' ' | b')'))
                    .unwrap_or(rest.len());
                (&rest[..end], &rest[end..])
            }
        };
        // A name ends at a space or the closing parenthesis; component parameters
        // (`"name";sf`) change what is signed, so they are refused rather than ignored.
        if name.is_empty()
            || !name.iter().all(|b| is_token(*b))
            || !matches!(after.first(), Some(b' ' | b')'))
        {
            return Err(bad());
        }
        if input.len == MAX_COMPONENTS {
            return Err(Malformed::TooManyComponents {
                max: MAX_COMPONENTS,
            });
        }
        input.names[input.len] = name;
        input.len += 1;
        rest = after;
    }
    if input.len == 0 || !(rest.is_empty() || rest.starts_with(b";")) {
        return Err(bad());
    }
    // Parameters: `;key=value`, values bare or quoted; only `created` is read.
    for parameter in split_outside(rest, b';') {
        let (key, value) = split_once(parameter, b'=').ok_or_else(bad)?;
        if trim(key) == b"created" && input.created.replace(trim(value)).is_some() {
            return Err(Malformed::Repeated);
        }
    }
    Ok(input)
}

/// The SHA-256 digest of an RFC 9530 `Content-Digest` value: `sha-256=:<base64>:`.
pub(crate) fn sha256_digest(value: &[u8]) -> Result<MacBytes, Malformed> {
    let text = member(value, "sha-256")?.ok_or(Malformed::NoSha256Digest)?;
    text.strip_prefix(b":")
        .and_then(|t| t.strip_suffix(b":"))
        .and_then(codec::decode_base64)
        .ok_or_else(|| Malformed::BadEncoding {
            expected: ":<44 base64 characters>: after sha-256=".into(),
        })
}

fn split_once(bytes: &[u8], at: u8) -> Option<(&[u8], &[u8])> {
    let i = bytes.iter().position(|b| *b == at)?;
    Some((&bytes[..i], &bytes[i + 1..]))
}

/// An HTTP token byte (RFC 9110), which every header name is made of.
pub(crate) fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_split_outside_quotes_and_parentheses() {
        let value = br#"a=("x, y" z);created=1, b="q,r" ,, c=3"#;
        let all: Vec<&[u8]> = members(value).collect();
        assert_eq!(
            all,
            [&br#"a=("x, y" z);created=1"#[..], br#"b="q,r""#, b"c=3"]
        );
    }

    #[test]
    fn a_repeated_member_is_refused() {
        assert_eq!(member(b"a=1, a=2", "a"), Err(Malformed::Repeated));
        assert_eq!(member(b"A=1", "a"), Ok(None));
        assert_eq!(member(b"a=1, b=2", "b"), Ok(Some(&b"2"[..])));
        assert_eq!(member(b"a=1", "c"), Ok(None));
    }

    #[test]
    fn inputs_read_bare_and_quoted_names_and_skip_other_parameters() {
        let input = parse_input(br#"("content-digest" Content-Type  x-id);keyid="k;1";created=17"#)
            .unwrap();
        assert_eq!(
            input.names(),
            [&b"content-digest"[..], b"Content-Type", b"x-id"]
        );
        assert_eq!(input.created, Some(&b"17"[..]));
    }

    #[test]
    fn inputs_refuse_what_they_cannot_read() {
        for text in [
            &b"content-digest"[..],
            b"(",
            b"()",
            b"(\"@method\")",
            b"(\"a\";sf)",
            b"(\"unclosed)",
            b"(a) junk",
        ] {
            assert!(
                parse_input(text).is_err(),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        let many = format!("({})", vec!["a"; MAX_COMPONENTS + 1].join(" "));
        assert!(matches!(
            parse_input(many.as_bytes()),
            Err(Malformed::TooManyComponents { .. })
        ));
    }

    #[test]
    fn content_digest_reads_sha_256_among_others() {
        let digest = [7u8; 32];
        let b64 = codec::encode_base64(&digest);
        let value = format!("sha-512=:AAAA:, sha-256=:{b64}:");
        assert_eq!(sha256_digest(value.as_bytes()), Ok(digest));
        assert_eq!(
            sha256_digest(b"sha-512=:AAAA:"),
            Err(Malformed::NoSha256Digest)
        );
        assert!(sha256_digest(format!("sha-256={b64}").as_bytes()).is_err());
    }
}
