//! SELECT Object Content in the emulator: the `SelectRequest` read, the SQL parsed
//! (`parser.rs`), run over the object (`eval.rs`, JSON in `src/json.rs`), and the answer framed as
//! COS frames it (`crate::api::event_stream`).
//!
//! The subset understood (anything else is 400, the code below):
//!
//! ```text
//! SELECT * | col[, col ...] FROM COSObject [alias]
//!   [WHERE cond [AND|OR cond ...]]      -- AND binds tighter than OR; no parentheses, no NOT
//!   [LIMIT n]
//! col  := _N | name | "quoted name", optionally prefixed alias. or COSObject.
//! cond := col | CAST(col AS INT|INTEGER|FLOAT|DECIMAL|NUMERIC|STRING)
//!         (= | != | <> | < | <= | > | >=)  'text' | number
//! ```
//!
//! Compared as numbers when both sides parse as numbers (a numeric CAST insists: 400
//! CastFailed otherwise), else as text, byte by byte; a missing value or JSON null matches
//! nothing. CSV columns: `_N` by position, names from the header with `FileHeaderInfo` USE.
//! JSON (LINES or DOCUMENT): fields by name (`s.field`), top-level only.
//!
//! | refused | status, code |
//! |---|---|
//! | SQL outside the subset | 400 UnsupportedSyntax, the message says what was found |
//! | `_0` | 400 InvalidColumnIndex |
//! | a name not in the CSV header, a name without a header, an unknown alias | 400 EvaluatorBindingDoesNotExist |
//! | a numeric CAST of a value that is no number | 400 CastFailed |
//! | `ExpressionType` other than SQL | 400 InvalidExpressionType |
//! | `CompressionType` other than NONE | 400 InvalidCompressionFormat (the emulator does not decompress) |
//! | Parquet input | 501 NotImplemented |
//! | an object that is not UTF-8; JSON that does not parse | 400 InvalidTextEncoding; 400 JSONParsingError |
//! | no `Expression`, a body that is no `SelectRequest` | 400 MalformedXML |
//!
//! The answer: `Records` events (at most 64 KiB each, none when nothing matched), a `Progress`
//! event when `RequestProgress/Enabled` is TRUE, `Stats`, `End`. `BytesScanned` and
//! `BytesProcessed` are the object's size, `BytesReturned` the records' bytes.

mod eval;
mod parser;

use crate::api::encode_message;
use crate::xml::{Element, parse_document};

use eval::{CsvIn, CsvOut, Dialect, HeaderInfo, Input, Output};

/// Why a select is refused: the COS error it answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct QueryError {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl QueryError {
    /// A 400.
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        QueryError { status: 400, code, message: message.into() }
    }
}

/// Largest `Records` payload.
const RECORDS_CHUNK: usize = 64 * 1024;

/// The whole event-stream body answering `request` (a `SelectRequest` document) over `object`.
pub(crate) fn answer(request: &[u8], object: &[u8]) -> Result<Vec<u8>, QueryError> {
    let request = read_request(request)?;
    let query = parser::parse(&request.expression)?;
    let text = std::str::from_utf8(object)
        .map_err(|_| QueryError::new("InvalidTextEncoding", "The object is not UTF-8 text."))?;
    let records = eval::run(&query, &request.input, &request.output, text)?;
    let size = object.len() as u64;
    let mut body = Vec::with_capacity(records.len() + 512);
    for chunk in records.chunks(RECORDS_CHUNK) {
        body.extend(encode_message(
            &[(":event-type", "Records"), (":content-type", "application/octet-stream"), (":message-type", "event")],
            chunk,
        ));
    }
    let counts = |root: &str| {
        format!(
            "<{root}><BytesScanned>{size}</BytesScanned><BytesProcessed>{size}</BytesProcessed><BytesReturned>{}</BytesReturned></{root}>",
            records.len()
        )
    };
    if request.progress {
        body.extend(encode_message(
            &[(":event-type", "Progress"), (":content-type", "text/xml"), (":message-type", "event")],
            counts("Progress").as_bytes(),
        ));
    }
    body.extend(encode_message(
        &[(":event-type", "Stats"), (":content-type", "text/xml"), (":message-type", "event")],
        counts("Stats").as_bytes(),
    ));
    body.extend(encode_message(&[(":event-type", "End"), (":message-type", "event")], b""));
    Ok(body)
}

struct SelectRequest {
    expression: String,
    input: Input,
    output: Output,
    progress: bool,
}

fn malformed(why: impl std::fmt::Display) -> QueryError {
    QueryError::new("MalformedXML", format!("The XML you provided was not well-formed: {why}"))
}

fn read_request(body: &[u8]) -> Result<SelectRequest, QueryError> {
    let doc = parse_document(body).map_err(malformed)?;
    let root = Element::root(&doc, "SelectRequest").map_err(malformed)?;
    let expression = root
        .opt_text("Expression")
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| malformed("<Expression> is required"))?;
    if let Some(t) = root.opt_text("ExpressionType")
        && !t.trim().eq_ignore_ascii_case("SQL")
    {
        return Err(QueryError::new("InvalidExpressionType", format!("ExpressionType {t:?} is not SQL.")));
    }
    let input_el = root.child("InputSerialization").ok_or_else(|| malformed("<InputSerialization> is required"))?;
    if let Some(c) = input_el.opt_text("CompressionType")
        && !c.trim().eq_ignore_ascii_case("NONE")
    {
        return Err(QueryError::new(
            "InvalidCompressionFormat",
            format!("CompressionType {c:?}: the emulator reads uncompressed objects only (NONE)."),
        ));
    }
    let input = if let Some(csv) = input_el.child("CSV") {
        let header = match choice(&csv, "FileHeaderInfo", &["NONE", "IGNORE", "USE"], "InvalidFileHeaderInfo")? {
            "IGNORE" => HeaderInfo::Ignore,
            "USE" => HeaderInfo::Use,
            _ => HeaderInfo::None,
        };
        Input::Csv(CsvIn {
            header,
            d: dialect(&csv),
            comments: csv.opt_text("Comments").filter(|c| !c.is_empty()),
            allow_quoted_record: flag(&csv, "AllowQuotedRecordDelimiter")?,
        })
    } else if let Some(json) = input_el.child("JSON") {
        choice(&json, "Type", &["DOCUMENT", "LINES"], "InvalidJsonType")?;
        Input::Json
    } else if input_el.child("Parquet").is_some() {
        return Err(QueryError {
            status: 501,
            code: "NotImplemented",
            message: "The emulator does not implement Parquet input for SELECT Object Content.".into(),
        });
    } else {
        return Err(malformed("<InputSerialization> needs <CSV> or <JSON>"));
    };
    let output_el = root.child("OutputSerialization").ok_or_else(|| malformed("<OutputSerialization> is required"))?;
    let output = if let Some(csv) = output_el.child("CSV") {
        let always = choice(&csv, "QuoteFields", &["ASNEEDED", "ALWAYS"], "InvalidQuoteFields")? == "ALWAYS";
        Output::Csv(CsvOut { always, d: dialect(&csv) })
    } else if let Some(json) = output_el.child("JSON") {
        Output::Json { record: text_or(&json, "RecordDelimiter", "\n") }
    } else {
        return Err(malformed("<OutputSerialization> needs <CSV> or <JSON>"));
    };
    let progress = match root.child("RequestProgress") {
        Some(p) => flag(&p, "Enabled")?,
        None => false,
    };
    Ok(SelectRequest { expression, input, output, progress })
}

/// One of `allowed` (any case; the first when absent), else 400 `code`.
fn choice(
    e: &Element<'_, '_>,
    name: &str,
    allowed: &[&'static str],
    code: &'static str,
) -> Result<&'static str, QueryError> {
    let Some(text) = e.opt_text(name) else { return Ok(allowed[0]) };
    allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(text.trim()))
        .copied()
        .ok_or_else(|| QueryError::new(code, format!("{name} {text:?} is not one of {}.", allowed.join(", "))))
}

/// `RecordDelimiter`, `FieldDelimiter`, `QuoteCharacter`, `QuoteEscapeCharacter`, with COS's
/// defaults (`\n`, `,`, `"`, `"`).
fn dialect(csv: &Element<'_, '_>) -> Dialect {
    Dialect {
        record: text_or(csv, "RecordDelimiter", "\n"),
        field: text_or(csv, "FieldDelimiter", ","),
        quote: text_or(csv, "QuoteCharacter", "\""),
        escape: text_or(csv, "QuoteEscapeCharacter", "\""),
    }
}

/// A child's text, or `default` when absent or empty.
fn text_or(e: &Element<'_, '_>, name: &str, default: &str) -> String {
    e.opt_text(name).filter(|t| !t.is_empty()).unwrap_or_else(|| default.to_owned())
}

/// `TRUE` / `FALSE` (any case); absent is false.
fn flag(e: &Element<'_, '_>, name: &str) -> Result<bool, QueryError> {
    match e.opt_text(name).map(|v| v.trim().to_ascii_uppercase()).as_deref() {
        None | Some("FALSE") => Ok(false),
        Some("TRUE") => Ok(true),
        Some(other) => Err(malformed(format!("<{name}> is {other:?}, not TRUE or FALSE"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::decode_all;

    fn request(expression: &str, input: &str, output: &str) -> Vec<u8> {
        format!(
            "<SelectRequest><Expression>{expression}</Expression><ExpressionType>SQL</ExpressionType>\
             <InputSerialization>{input}</InputSerialization><OutputSerialization>{output}</OutputSerialization></SelectRequest>"
        )
        .into_bytes()
    }

    fn records(body: &[u8]) -> Vec<u8> {
        decode_all(body)
            .unwrap()
            .into_iter()
            .filter(|m| m.header(":event-type") == Some("Records"))
            .flat_map(|m| m.payload)
            .collect()
    }

    #[test]
    fn csv_to_json_and_json_to_csv() {
        let csv = b"name,age\nann,31\nbob,9\n";
        let body = answer(
            &request(
                "SELECT * FROM COSObject s WHERE s.age &gt; 10",
                "<CSV><FileHeaderInfo>USE</FileHeaderInfo></CSV>",
                "<JSON/>",
            ),
            csv,
        )
        .unwrap();
        assert_eq!(records(&body), b"{\"name\":\"ann\",\"age\":\"31\"}\n");
        let lines = b"{\"a\":1,\"b\":{\"c\":[1,2]}}\n{\"a\":\"x,y\"}\n{\"b\":null}\n";
        let body =
            answer(&request("SELECT s.a, s.b FROM COSObject s", "<JSON><Type>LINES</Type></JSON>", "<CSV/>"), lines)
                .unwrap();
        assert_eq!(records(&body), b"1,\"{\"\"c\"\":[1,2]}\"\n\"x,y\",\n,\n");
    }

    #[test]
    fn requests_outside_the_subset_are_refused() {
        let csv = b"1\n";
        assert!(answer(&request("SELECT * FROM COSObject", "<CSV/>", "<CSV/>"), csv).is_ok());
        let e =
            answer(&request("SELECT * FROM COSObject", "<CompressionType>GZIP</CompressionType><CSV/>", "<CSV/>"), csv)
                .unwrap_err();
        assert_eq!(e.code, "InvalidCompressionFormat");
        let e = answer(&request("SELECT * FROM COSObject", "<Parquet/>", "<CSV/>"), csv).unwrap_err();
        assert_eq!((e.status, e.code), (501, "NotImplemented"));
        let e = answer(b"<SelectRequest/>", csv).unwrap_err();
        assert_eq!(e.code, "MalformedXML");
        let e = answer(&request("SELECT * FROM COSObject", "<CSV/>", "<CSV/>"), b"\xff").unwrap_err();
        assert_eq!(e.code, "InvalidTextEncoding");
    }
}
