//! Orchestrator's error bodies, read for the transport.

use hook_http::ErrorReply;

use crate::wire::ErrorBody;

/// Reads an Orchestrator error body (`message`, `errorCode`, `traceId`, in either
/// spelling); anything else says nothing, and the transport keeps an excerpt.
pub fn decode(body: &[u8]) -> ErrorReply {
    serde_json::from_slice::<ErrorBody>(body)
        .map(|e| {
            ErrorReply::new(e.error_code.map(|c| c.to_string()), e.message).request_id(e.trace_id)
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_spellings_decode_and_the_trace_id_is_kept() {
        let observed =
            decode(br#"{"message":"Webhook does not exist.","errorCode":1002,"traceId":"t-1"}"#);
        let published =
            decode(br#"{"Message":"Webhook does not exist.","ErrorCode":1002,"TraceId":"t-1"}"#);
        assert_eq!(observed, published);
        assert_eq!(observed.code.as_deref(), Some("1002"));
        assert_eq!(observed.request_id.as_deref(), Some("t-1"));
        assert_eq!(decode(b"<html>"), ErrorReply::default());
    }
}
