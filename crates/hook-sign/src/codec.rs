//! Fixed-size hex and base64 codecs for 32-byte MACs, on the stack.
//!
//! Verification decodes the signature a sender wrote instead of encoding the MAC it
//! computed, so no buffer is allocated and upper- or lower-case hex both verify.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Length in bytes of an HMAC-SHA256 output.
pub(crate) const MAC_LEN: usize = 32;

/// A MAC as raw bytes.
pub(crate) type MacBytes = [u8; MAC_LEN];

/// Decodes exactly 64 hex digits (either case) into 32 bytes.
pub(crate) fn decode_hex(text: &[u8]) -> Option<MacBytes> {
    if text.len() != MAC_LEN * 2 {
        return None;
    }
    let mut out = [0u8; MAC_LEN];
    for (byte, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        *byte = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
    }
    Some(out)
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Decodes standard, padded base64 of exactly 32 bytes (44 characters).
pub(crate) fn decode_base64(text: &[u8]) -> Option<MacBytes> {
    if text.len() != 44 {
        return None;
    }
    // The engine wants room for a whole final quantum, so decode into 33 and check 32.
    let mut buf = [0u8; MAC_LEN + 1];
    match STANDARD.decode_slice(text, &mut buf) {
        Ok(MAC_LEN) => {
            let mut out = [0u8; MAC_LEN];
            out.copy_from_slice(&buf[..MAC_LEN]);
            Some(out)
        }
        _ => None,
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn encode_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

/// Standard, padded base64 of `bytes`.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard base64 of any length (used for `whsec_` keys only).
pub(crate) fn decode_base64_vec(text: &[u8]) -> Option<Vec<u8>> {
    STANDARD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_accepts_upper_case() {
        let mac: MacBytes = core::array::from_fn(|i| (i * 7) as u8);
        let hex = encode_hex(&mac);
        assert_eq!(decode_hex(hex.as_bytes()), Some(mac));
        assert_eq!(decode_hex(hex.to_uppercase().as_bytes()), Some(mac));
    }

    #[test]
    fn hex_rejects_wrong_length_and_non_digits() {
        assert_eq!(decode_hex(&[b'a'; 63]), None);
        assert_eq!(decode_hex(&[b'g'; 64]), None);
    }

    #[test]
    fn base64_round_trips_and_rejects_other_lengths() {
        let mac: MacBytes = core::array::from_fn(|i| (255 - i) as u8);
        let b64 = encode_base64(&mac);
        assert_eq!(b64.len(), 44);
        assert_eq!(decode_base64(b64.as_bytes()), Some(mac));
        assert_eq!(decode_base64(&b64.as_bytes()[..43]), None);
        assert_eq!(decode_base64(&[b'!'; 44]), None);
    }
}
