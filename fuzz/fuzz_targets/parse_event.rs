//! Event envelope and wire record parsing on hostile bytes: typed errors, never a panic
//! or a stack overflow.
#![no_main]

use hook_model::wire::{generic, port, uipath, up42};
use hook_model::{Event, Provider, decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for provider in Provider::ALL {
        let _ = Event::parse(provider, data);
    }
    let _ = decode::<uipath::ODataList<uipath::WebhookDto>>("fuzz", data);
    let _ = decode::<port::WebhookList>("fuzz", data);
    let _ = decode::<up42::Envelope<Vec<up42::Up42Webhook>>>("fuzz", data);
    let _ = decode::<generic::DeliveryList>("fuzz", data);
});
