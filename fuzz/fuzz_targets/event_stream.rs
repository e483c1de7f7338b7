//! The event-stream decoder of `select_object_content` on arbitrary bytes, whole and fed in
//! pieces whose sizes come from the first byte, each message then read as a select event. A
//! decoder may answer `Ok` or `Err`; a panic is a bug, and both feeds must agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tencent_cos::api::{EventStreamDecoder, SelectEvent, decode_all};

fuzz_target!(|data: &[u8]| {
    let Some((&step, stream)) = data.split_first() else { return };
    let whole = decode_all(stream);
    if let Ok(messages) = &whole {
        for m in messages {
            let _ = SelectEvent::from_message(m.clone());
        }
    }
    let mut decoder = EventStreamDecoder::new();
    let mut pieces = Vec::new();
    let mut failed = false;
    for chunk in stream.chunks(usize::from(step) + 1) {
        decoder.push(chunk);
        loop {
            match decoder.next_message() {
                Ok(Some(m)) => pieces.push(m),
                Ok(None) => break,
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        if failed {
            break;
        }
    }
    if !failed && decoder.finish().is_err() {
        failed = true;
    }
    match whole {
        Ok(messages) => assert!(!failed && messages == pieces, "whole and piecewise decoding disagree"),
        Err(_) => assert!(failed, "whole decoding failed, piecewise did not"),
    }
});
