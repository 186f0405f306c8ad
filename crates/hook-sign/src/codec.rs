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

/// The longest signature read: an ed25519 signature's 64 bytes.
pub(crate) const SIG_LEN: usize = 64;

/// A signature as sent, decoded into the front of 64 bytes (HMACs use 32 or 20 of them).
pub(crate) type SigBytes = [u8; SIG_LEN];

/// Decodes exactly 64 hex digits (either case) into 32 bytes.
pub(crate) fn decode_hex(text: &[u8]) -> Option<MacBytes> {
    decode_hex_len(text, MAC_LEN).map(front)
}

/// The first 32 bytes.
fn front(sig: SigBytes) -> MacBytes {
    let mut out = [0u8; MAC_LEN];
    out.copy_from_slice(&sig[..MAC_LEN]);
    out
}

/// Decodes exactly `2 * len` hex digits (`len` ≤ 64) into the first `len` bytes; the rest
/// stay zero (SHA-1 MACs are 20 bytes).
pub(crate) fn decode_hex_len(text: &[u8], len: usize) -> Option<SigBytes> {
    if len > SIG_LEN || text.len() != len * 2 {
        return None;
    }
    let mut out = [0u8; SIG_LEN];
    // One table lookup a digit and one check at the end: no branch per digit.
    let mut invalid = 0u8;
    for (byte, pair) in out[..len].iter_mut().zip(text.chunks_exact(2)) {
        let (high, low) = (HEX[usize::from(pair[0])], HEX[usize::from(pair[1])]);
        invalid |= high | low;
        *byte = (high << 4) | (low & 0x0f);
    }
    (invalid & 0x80 == 0).then_some(out)
}

/// Each byte's hex value, or 0x80 for a byte that is not a hex digit.
const HEX: [u8; 256] = {
    let mut table = [0x80u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        table[i] = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => 0x80,
        };
        i += 1;
    }
    table
};

/// Decodes standard, padded base64 of exactly 32 bytes (44 characters).
pub(crate) fn decode_base64(text: &[u8]) -> Option<MacBytes> {
    decode_base64_len(text, MAC_LEN).map(front)
}

/// The length of standard, padded base64 of `len` bytes.
pub(crate) const fn base64_len(len: usize) -> usize {
    len.div_ceil(3) * 4
}

/// Decodes standard, padded base64 of exactly `len` bytes (`len` ≤ 64) into the first
/// `len` bytes; the rest stay zero.
pub(crate) fn decode_base64_len(text: &[u8], len: usize) -> Option<SigBytes> {
    if len > SIG_LEN || text.len() != base64_len(len) {
        return None;
    }
    // The engine wants room for a whole final quantum, so decode into 66 and check `len`.
    let mut buf = [0u8; SIG_LEN + 2];
    match STANDARD.decode_slice(text, &mut buf) {
        Ok(n) if n == len => {
            let mut out = [0u8; SIG_LEN];
            out[..len].copy_from_slice(&buf[..len]);
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
    fn twenty_byte_macs_decode_into_the_front() {
        let mac: [u8; 20] = core::array::from_fn(|i| i as u8 + 1);
        let hex = decode_hex_len(encode_hex(&mac).as_bytes(), 20).unwrap();
        let b64 = decode_base64_len(encode_base64(&mac).as_bytes(), 20).unwrap();
        assert_eq!((&hex[..20], &hex[20..]), (&mac[..], &[0u8; 44][..]));
        assert_eq!(hex, b64);
        assert_eq!(base64_len(20), 28);
        assert_eq!(decode_hex_len(&[b'a'; 64], 20), None);
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

    #[test]
    fn hex_refuses_every_byte_that_is_not_a_digit_wherever_it_stands() {
        let good = [b'a'; 64];
        assert!(decode_hex_len(&good, 32).is_some());
        for byte in 0..=u8::MAX {
            let digit = byte.is_ascii_hexdigit();
            for at in [0, 1, 31, 63] {
                let mut text = good;
                text[at] = byte;
                assert_eq!(
                    decode_hex_len(&text, 32).is_some(),
                    digit,
                    "{byte:#04x} at {at}"
                );
            }
        }
    }
}
