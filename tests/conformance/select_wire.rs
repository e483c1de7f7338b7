//! `select_object_content` without a server: the node SDK 3.0.0's requests replayed byte for
//! byte (`tests/data/node_requests_wave2.jsonl` seq 57-58), answers decoded from event streams
//! built here (collected and streamed), a stream that breaks off or carries a bad CRC refused,
//! and bad input refused before any request.

use crate::support::common;

use common::{Canned, ScriptedTransport, oracle_client, replay_wave2};
use tencent_cos::Error;
use tencent_cos::api::{CsvInput, CsvOutput, SelectEvent, SelectStats, encode_message};

const KEY: &str = "docs/report 2024 (v2)+final~*.csv";
const VERSION: &str = "MTg0NDUxNzgxMjEzNTU3NTk1Mjk";
const SQL: &str = "Select s._1, s._2 from COSObject s where cast(s._3 as int) > 100 and s._2 <> 'x'";

fn event(kind: &str, payload: &[u8]) -> Vec<u8> {
    encode_message(&[(":message-type", "event"), (":event-type", kind)], payload)
}

fn stats_xml(scanned: u64, processed: u64, returned: u64) -> Vec<u8> {
    format!(
        "<Stats><BytesScanned>{scanned}</BytesScanned><BytesProcessed>{processed}</BytesProcessed><BytesReturned>{returned}</BytesReturned></Stats>"
    )
    .into_bytes()
}

/// Records `a,1\n` and `b,2\n` in two events, a Cont, Stats, End.
fn answer_stream() -> Vec<u8> {
    let mut body = event("Records", b"a,1\n");
    body.extend(event("Cont", b""));
    body.extend(event("Records", b"b,2\n"));
    body.extend(event("Stats", &stats_xml(120, 120, 8)));
    body.extend(event("End", b""));
    body
}

fn node_csv_in() -> CsvInput {
    CsvInput {
        file_header_info: Some("IGNORE".into()),
        record_delimiter: Some("\n".into()),
        field_delimiter: Some(",".into()),
        quote_character: Some("\"".into()),
        quote_escape_character: Some("\"".into()),
        comments: Some("#".into()),
        allow_quoted_record_delimiter: Some(false),
    }
}

fn node_csv_out() -> CsvOutput {
    CsvOutput {
        quote_fields: Some("ASNEEDED".into()),
        record_delimiter: Some("\n".into()),
        field_delimiter: Some(",".into()),
        quote_character: Some("\"".into()),
        quote_escape_character: Some("\"".into()),
    }
}

#[test]
fn seq_57_select_object_content_collected() {
    replay_wave2(57, Canned::new(200, answer_stream()), |_, b| {
        let out = b
            .select_object_content(KEY, SQL)
            .compression_type("NONE")
            .input_csv(node_csv_in())
            .output_csv(node_csv_out())
            .request_progress(false)
            .send()
            .unwrap();
        assert_eq!(out.records, b"a,1\nb,2\n");
        assert_eq!(out.stats, Some(SelectStats { bytes_scanned: 120, bytes_processed: 120, bytes_returned: 8 }));
        assert!(out.progress.is_empty());
        assert_eq!(out.meta.status, 200);
        assert_eq!(out.meta.request_id(), Some("req-1"));
    });
}

#[test]
fn seq_58_select_object_content_stream_version_id() {
    replay_wave2(58, Canned::new(200, answer_stream()), |_, b| {
        let events: Vec<SelectEvent> = b
            .select_object_content_stream(KEY, SQL)
            .version_id(VERSION)
            .compression_type("NONE")
            .input_csv(node_csv_in())
            .output_csv(node_csv_out())
            .request_progress(false)
            .send_stream()
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            events,
            vec![
                SelectEvent::Records(b"a,1\n".to_vec()),
                SelectEvent::Cont,
                SelectEvent::Records(b"b,2\n".to_vec()),
                SelectEvent::Stats(SelectStats { bytes_scanned: 120, bytes_processed: 120, bytes_returned: 8 }),
                SelectEvent::End,
            ]
        );
    });
}

fn run(
    body: Vec<u8>,
) -> (tencent_cos::Result<tencent_cos::api::SelectObjectContentOutput>, Vec<tencent_cos::Result<SelectEvent>>) {
    let transport = ScriptedTransport::new();
    transport.answer(Canned::new(200, body.clone()));
    transport.answer(Canned::new(200, body));
    let client = oracle_client(transport);
    let bucket = client.bucket("examplebucket-1250000000");
    let collected = bucket.select_object_content("a.csv", "SELECT * FROM COSObject").send();
    let streamed = bucket.select_object_content("a.csv", "SELECT * FROM COSObject").send_stream().unwrap().collect();
    (collected, streamed)
}

#[test]
fn progress_events_are_kept_in_order_and_unknown_events_skipped() {
    let progress = |n: u64| {
        format!("<Progress><BytesScanned>{n}</BytesScanned><BytesProcessed>{n}</BytesProcessed><BytesReturned>0</BytesReturned></Progress>")
            .into_bytes()
    };
    let mut body = event("Progress", &progress(10));
    body.extend(event("SomethingNew", b"?"));
    body.extend(event("Progress", &progress(20)));
    body.extend(event("End", b""));
    let (collected, streamed) = run(body);
    let out = collected.unwrap();
    let p = |n| SelectStats { bytes_scanned: n, bytes_processed: n, bytes_returned: 0 };
    assert_eq!(out.progress, vec![p(10), p(20)]);
    assert_eq!((out.records.len(), out.stats), (0, None));
    assert_eq!(
        streamed.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
        vec![SelectEvent::Progress(p(10)), SelectEvent::Progress(p(20)), SelectEvent::End]
    );
}

#[test]
fn an_error_event_is_the_service_error_when_collected_and_an_event_when_streamed() {
    let mut body = event("Records", b"a\n");
    body.extend(encode_message(
        &[(":message-type", "error"), (":error-code", "CastFailed"), (":error-message", "cast failed")],
        b"",
    ));
    let (collected, streamed) = run(body);
    let err = collected.unwrap_err();
    let service = err.service().expect("a service error");
    assert_eq!((service.status, service.code.as_str(), service.message.as_str()), (200, "CastFailed", "cast failed"));
    assert_eq!(service.request_id.as_deref(), Some("req-1"));
    let events: Vec<SelectEvent> = streamed.into_iter().map(Result::unwrap).collect();
    assert_eq!(
        events,
        vec![
            SelectEvent::Records(b"a\n".to_vec()),
            SelectEvent::Error { code: "CastFailed".into(), message: "cast failed".into() }
        ]
    );
}

#[test]
fn a_stream_without_end_or_cut_inside_a_message_is_an_error() {
    // No End event: every message whole.
    let (collected, streamed) = run(event("Records", b"a\n"));
    let e = collected.unwrap_err();
    assert!(e.to_string().contains("ended before its End event"), "{e}");
    assert_eq!(streamed.len(), 2);
    assert!(streamed[1].as_ref().unwrap_err().to_string().contains("ended before its End event"));
    // Cut inside the End message.
    let mut body = answer_stream();
    body.truncate(body.len() - 3);
    let (collected, streamed) = run(body);
    let e = collected.unwrap_err();
    assert!(matches!(&e, Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof), "{e}");
    assert!(e.to_string().contains("event stream truncated: a message of"), "{e}");
    let last = streamed.last().unwrap().as_ref().unwrap_err();
    assert!(last.to_string().contains("event stream truncated"), "{last}");
}

#[test]
fn a_bad_crc_is_an_integrity_error() {
    let mut body = answer_stream();
    body[14] ^= 0xFF; // inside the first message's headers
    let (collected, streamed) = run(body);
    let e = collected.unwrap_err();
    assert!(matches!(e, Error::Integrity(_)), "{e}");
    assert!(e.to_string().starts_with("integrity check failed: event stream message: CRC-32 expected "), "{e}");
    assert_eq!(streamed.len(), 1);
    assert!(matches!(streamed[0], Err(Error::Integrity(_))));
}

#[test]
fn bad_input_is_refused_before_any_request() {
    let transport = ScriptedTransport::new();
    let client = oracle_client(transport.clone());
    let bucket = client.bucket("examplebucket-1250000000");
    let e = bucket.select_object_content("a.csv", "  ").send().unwrap_err();
    assert_eq!(e.to_string(), "invalid argument `expression`: empty: say what to select, e.g. SELECT * FROM COSObject");
    let e = bucket.select_object_content("", "SELECT * FROM COSObject").send().unwrap_err();
    assert_eq!(e.to_string(), "invalid argument `key`: empty");
    let e = bucket
        .select_object_content("a.csv", "SELECT * FROM COSObject")
        .input_csv(CsvInput { comments: Some("\u{1}".into()), ..Default::default() })
        .send()
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { field: "comments", .. }), "{e}");
    assert!(transport.requests().is_empty());
}
