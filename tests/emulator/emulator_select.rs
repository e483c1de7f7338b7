//! SELECT Object Content against the emulator, on both fronts (in-process and HTTP): CSV with a
//! header and a numeric WHERE (exact output bytes and Stats byte counts), LIMIT and positional
//! columns, JSON lines in and JSON out, the streamed events with Progress, a refused query's
//! exact error, a version by id, and the read permission.

use crate::support::emulator_support;

use emulator_support::{BUCKET, Front, Harness};
use tencent_cos::Error;
use tencent_cos::api::{CsvInput, CsvOutput, JsonOutput, JsonType, SelectEvent, SelectStats, VersioningStatus};
use tencent_cos::emulator::Emulator;

const FRONTS: [Front; 2] = [Front::InProcess, Front::Http];

/// 58 bytes.
const PEOPLE: &str = "name,age,city\nann,31,Paris\nbob,9,Oslo\ncarl,100,\"Rome, IT\"\n";

fn with_header() -> CsvInput {
    CsvInput { file_header_info: Some("USE".into()), ..Default::default() }
}

/// A harness on `front` whose bucket holds `key` = `body`, and its default client.
fn with_object(front: Front, key: &str, body: &[u8]) -> (Harness, tencent_cos::Client) {
    let h = Harness::new(front, Emulator::new());
    h.create_bucket();
    h.put(key, body);
    let client = h.client();
    (h, client)
}

fn service(e: Error) -> Box<tencent_cos::ServiceError> {
    match e {
        Error::Service(s) => s,
        other => panic!("not a service error: {other:?}"),
    }
}

#[test]
fn csv_with_header_where_numeric_gives_exact_records_and_stats() {
    for front in FRONTS {
        let (_h, client) = with_object(front, "people.csv", PEOPLE.as_bytes());
        let b = client.bucket(BUCKET);
        // "9" > "10" as text, 9 < 10 as numbers: bob must not come out.
        let out = b
            .select_object_content("people.csv", "SELECT s.name, s.city FROM COSObject s WHERE s.age > 10")
            .input_csv(with_header())
            .send()
            .unwrap();
        assert_eq!(String::from_utf8(out.records.clone()).unwrap(), "ann,Paris\ncarl,\"Rome, IT\"\n", "{front:?}");
        assert_eq!(
            out.stats,
            Some(SelectStats { bytes_scanned: 58, bytes_processed: 58, bytes_returned: 26 }),
            "{front:?}"
        );
        assert!(out.progress.is_empty());
        assert_eq!(out.meta.status, 200);
        // Text comparison, AND / OR, CAST, ALWAYS quoting with another delimiter.
        let out = b
            .select_object_content(
                "people.csv",
                "select name from cosobject where city = 'Oslo' or cast(age as int) >= 100 and name <> 'x'",
            )
            .input_csv(with_header())
            .output_csv(CsvOutput {
                quote_fields: Some("ALWAYS".into()),
                record_delimiter: Some(";".into()),
                ..Default::default()
            })
            .send()
            .unwrap();
        assert_eq!(out.records, b"\"bob\";\"carl\";", "{front:?}");
        assert_eq!(out.stats.unwrap().bytes_returned, 13);
    }
}

#[test]
fn limit_and_positional_columns_without_a_header() {
    for front in FRONTS {
        let (_h, client) = with_object(front, "n.csv", b"# comment\n3,c\n1,a\n2,b\n");
        let b = client.bucket(BUCKET);
        let csv = CsvInput { comments: Some("#".into()), ..Default::default() };
        let out = b
            .select_object_content("n.csv", "SELECT _2, _1 FROM COSObject LIMIT 2")
            .input_csv(csv.clone())
            .send()
            .unwrap();
        assert_eq!(out.records, b"c,3\na,1\n", "{front:?}");
        let out = b
            .select_object_content("n.csv", "SELECT * FROM COSObject WHERE _1 <= 2")
            .input_csv(csv.clone())
            .send()
            .unwrap();
        assert_eq!(out.records, b"1,a\n2,b\n", "{front:?}");
        // Nothing matches: no Records event, Stats says 0 bytes returned.
        let out =
            b.select_object_content("n.csv", "SELECT * FROM COSObject WHERE _1 > 9").input_csv(csv).send().unwrap();
        assert_eq!((out.records.len(), out.stats.unwrap().bytes_returned), (0, 0), "{front:?}");
    }
}

#[test]
fn json_lines_in_json_out() {
    let lines = "{\"id\":1,\"level\":\"error\",\"tags\":[\"a\"]}\n{\"id\":2,\"level\":\"info\"}\n{\"id\":3,\"level\":\"error\"}\n";
    for front in FRONTS {
        let (_h, client) = with_object(front, "log.json", lines.as_bytes());
        let b = client.bucket(BUCKET);
        let out = b
            .select_object_content("log.json", "SELECT s.id, s.tags FROM COSObject s WHERE s.level = 'error'")
            .input_json(JsonType::Lines)
            .output_json(JsonOutput::default())
            .send()
            .unwrap();
        assert_eq!(String::from_utf8(out.records).unwrap(), "{\"id\":1,\"tags\":[\"a\"]}\n{\"id\":3}\n", "{front:?}");
        let out = b
            .select_object_content("log.json", "SELECT * FROM COSObject s WHERE s.id >= 2 LIMIT 1")
            .input_json(JsonType::Lines)
            .output_json(JsonOutput { record_delimiter: Some(",".into()) })
            .send()
            .unwrap();
        assert_eq!(out.records, b"{\"id\":2,\"level\":\"info\"},", "{front:?}");
        assert_eq!(out.stats.unwrap().bytes_scanned, lines.len() as u64);
    }
}

#[test]
fn the_stream_form_yields_records_progress_stats_end() {
    for front in FRONTS {
        let (_h, client) = with_object(front, "people.csv", PEOPLE.as_bytes());
        let events: Vec<SelectEvent> = client
            .bucket(BUCKET)
            .select_object_content_stream("people.csv", "SELECT s.name FROM COSObject s WHERE s.name != 'bob'")
            .input_csv(with_header())
            .request_progress(true)
            .send_stream()
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let counts = SelectStats { bytes_scanned: 58, bytes_processed: 58, bytes_returned: 9 };
        assert_eq!(
            events,
            vec![
                SelectEvent::Records(b"ann\ncarl\n".to_vec()),
                SelectEvent::Progress(counts),
                SelectEvent::Stats(counts),
                SelectEvent::End
            ],
            "{front:?}"
        );
    }
}

#[test]
fn refused_queries_answer_cos_errors() {
    for front in FRONTS {
        let (h, client) = with_object(front, "people.csv", PEOPLE.as_bytes());
        let b = client.bucket(BUCKET);
        let e = service(b.select_object_content("people.csv", "SELECT count(*) FROM COSObject").send().unwrap_err());
        assert_eq!((e.status, e.code.as_str()), (400, "UnsupportedSyntax"), "{front:?}");
        assert_eq!(
            e.message,
            "expected FROM, found \"(\"; the emulator understands SELECT * | col[, col] FROM COSObject [alias] \
             [WHERE col op literal [AND|OR ...]] [LIMIT n]."
        );
        let e = service(
            b.select_object_content("people.csv", "SELECT s.nope FROM COSObject s")
                .input_csv(with_header())
                .send()
                .unwrap_err(),
        );
        assert_eq!(
            (e.status, e.code.as_str(), e.message.as_str()),
            (400, "EvaluatorBindingDoesNotExist", "Column \"nope\" is not in the header of the object.")
        );
        let e = service(b.select_object_content("people.csv", "SELECT name FROM COSObject").send().unwrap_err());
        assert_eq!(e.code, "EvaluatorBindingDoesNotExist", "{front:?}: names need FileHeaderInfo USE");
        let e = service(
            b.select_object_content("people.csv", "SELECT * FROM COSObject WHERE CAST(_3 AS INT) > 1")
                .send()
                .unwrap_err(),
        );
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("CastFailed", "Attempt to convert \"city\" to a number using CAST failed.")
        );
        let e = service(
            b.select_object_content("people.csv", "SELECT * FROM COSObject")
                .compression_type("GZIP")
                .send()
                .unwrap_err(),
        );
        assert_eq!((e.status, e.code.as_str()), (400, "InvalidCompressionFormat"));
        let e = service(b.select_object_content("missing.csv", "SELECT * FROM COSObject").send().unwrap_err());
        assert_eq!((e.status, e.code.as_str()), (404, "NoSuchKey"));
        // Reading needs read permission: an anonymous select of a private bucket is refused.
        let anonymous = h.anonymous();
        let e = service(
            anonymous.bucket(BUCKET).select_object_content("people.csv", "SELECT * FROM COSObject").send().unwrap_err(),
        );
        assert_eq!((e.status, e.code.as_str()), (403, "AccessDenied"), "{front:?}");
    }
}

#[test]
fn a_version_is_selected_by_its_id() {
    for front in FRONTS {
        let h = Harness::new(front, Emulator::new());
        h.create_bucket();
        let client = h.client();
        let b = client.bucket(BUCKET);
        b.put_bucket_versioning(VersioningStatus::Enabled).send().unwrap();
        let v1 = b.put_object("v.csv").body("old\n").send().unwrap().version_id.unwrap();
        b.put_object("v.csv").body("new\n").send().unwrap();
        let sql = "SELECT * FROM COSObject";
        assert_eq!(b.select_object_content("v.csv", sql).send().unwrap().records, b"new\n", "{front:?}");
        assert_eq!(
            b.select_object_content("v.csv", sql).version_id(&v1).send().unwrap().records,
            b"old\n",
            "{front:?}"
        );
    }
}
