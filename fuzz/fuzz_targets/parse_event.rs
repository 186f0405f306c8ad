//! Event envelope and wire record parsing on hostile bytes, and each provider's error
//! decoder: typed errors, never a panic or a stack overflow.
#![no_main]

use hook_facade::Event;
use hook_facade::{generic, port, uipath, up42};
use hook_model::decode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for provider in hook_facade::providers().iter().map(|d| d.provider) {
        let _ = Event::parse(provider, data);
    }
    let _ = decode::<uipath::wire::ODataList<uipath::wire::WebhookDto>>("fuzz", data);
    let _ = decode::<port::wire::WebhookList>("fuzz", data);
    let _ = decode::<up42::wire::Envelope<Vec<up42::wire::Up42Webhook>>>("fuzz", data);
    let _ = decode::<generic::wire::DeliveryList>("fuzz", data);
    let _ = uipath::decode_error(data);
    let _ = port::decode_error(data);
    let _ = up42::decode_error(data);
    let _ = generic::decode_error(data);
});
