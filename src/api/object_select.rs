//! `select_object_content` (`POST /{key}?select&select-type=2`): runs an SQL expression over a
//! CSV or JSON object on COS and answers the matching records as an event stream (see
//! [`event_stream`](crate::api::event_stream) for the framing).

use crate::api::call::Call;
use std::io::Read;

use crate::api::event_stream::{EventMessage, EventStreamDecoder};
use crate::api::object::builder_doc;
use crate::api::xml_body::meta_of;
use crate::client::Bucket;
use crate::error::{Error, Result, ServiceError};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml::{Element, XmlWriter, parse_document};

/// `InputSerialization/CSV`: how the object's CSV is read. Each field is sent only when set
/// (COS's default applies otherwise), in this order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvInput {
    /// `FileHeaderInfo`: `NONE` (the first line is data), `IGNORE` (skipped), `USE` (its
    /// names can be used in the expression).
    pub file_header_info: Option<String>,
    /// `RecordDelimiter` (COS: `\n`).
    pub record_delimiter: Option<String>,
    /// `FieldDelimiter` (COS: `,`).
    pub field_delimiter: Option<String>,
    /// `QuoteCharacter` (COS: `"`).
    pub quote_character: Option<String>,
    /// `QuoteEscapeCharacter` (COS: `"`).
    pub quote_escape_character: Option<String>,
    /// `Comments`: lines starting with this character are skipped.
    pub comments: Option<String>,
    /// `AllowQuotedRecordDelimiter`: whether a quoted field may hold the record delimiter.
    pub allow_quoted_record_delimiter: Option<bool>,
}

/// `InputSerialization/JSON/Type`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JsonType {
    /// `DOCUMENT`: JSON values one after another, each may span lines.
    Document,
    /// `LINES`: one JSON object per line.
    #[default]
    Lines,
}

impl JsonType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            JsonType::Document => "DOCUMENT",
            JsonType::Lines => "LINES",
        }
    }
}

/// `InputSerialization`: the object's format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectInput {
    /// `<CSV>`.
    Csv(CsvInput),
    /// `<JSON><Type>`.
    Json(JsonType),
}

impl Default for SelectInput {
    fn default() -> Self {
        SelectInput::Csv(CsvInput::default())
    }
}

/// `OutputSerialization/CSV`: how the records are written. Each field is sent only when set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvOutput {
    /// `QuoteFields`: `ASNEEDED` or `ALWAYS`.
    pub quote_fields: Option<String>,
    /// `RecordDelimiter` (COS: `\n`).
    pub record_delimiter: Option<String>,
    /// `FieldDelimiter` (COS: `,`).
    pub field_delimiter: Option<String>,
    /// `QuoteCharacter` (COS: `"`).
    pub quote_character: Option<String>,
    /// `QuoteEscapeCharacter` (COS: `"`).
    pub quote_escape_character: Option<String>,
}

/// `OutputSerialization/JSON`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsonOutput {
    /// `RecordDelimiter` (COS: `\n`).
    pub record_delimiter: Option<String>,
}

/// `OutputSerialization`: the records' format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectOutput {
    /// `<CSV>`.
    Csv(CsvOutput),
    /// `<JSON>`.
    Json(JsonOutput),
}

impl Default for SelectOutput {
    fn default() -> Self {
        SelectOutput::Csv(CsvOutput::default())
    }
}

/// Input of `select_object_content`: pure data, no client.
///
/// ```
/// use tencent_cos::api::{SelectInput, JsonType, SelectObjectContentInput};
/// let input = SelectObjectContentInput {
///     key: "logs/a.json".into(),
///     expression: "SELECT s.level FROM COSObject s".into(),
///     input: SelectInput::Json(JsonType::Lines),
///     ..Default::default()
/// };
/// assert_eq!(
///     input.select_request()?,
///     "<SelectRequest><Expression>SELECT s.level FROM COSObject s</Expression><ExpressionType>SQL</ExpressionType>\
///      <InputSerialization><JSON><Type>LINES</Type></JSON></InputSerialization>\
///      <OutputSerialization><CSV></CSV></OutputSerialization></SelectRequest>"
/// );
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SelectObjectContentInput {
    /// The object key.
    pub key: String,
    /// `versionId`: query this version rather than the latest.
    pub version_id: Option<String>,
    /// `Expression`: the SQL, e.g. `SELECT s._1 FROM COSObject s WHERE s._2 > 10`.
    pub expression: String,
    /// `InputSerialization/CompressionType`: `NONE`, `GZIP` or `BZIP2`; not sent when `None`.
    pub compression_type: Option<String>,
    /// `InputSerialization`: CSV or JSON.
    pub input: SelectInput,
    /// `OutputSerialization`: CSV or JSON.
    pub output: SelectOutput,
    /// `RequestProgress/Enabled`: ask for `Progress` events; not sent when `None`.
    pub request_progress: Option<bool>,
}

fn upper_bool(v: bool) -> &'static str {
    if v { "TRUE" } else { "FALSE" }
}

fn optional_leaf(w: &mut XmlWriter, tag: &str, value: &Option<String>, field: &'static str) -> Result<()> {
    match value {
        Some(v) => w.leaf(tag, v, field),
        None => Ok(()),
    }
}

impl SelectObjectContentInput {
    /// The `SelectRequest` body, with `ExpressionType` `SQL` (the only type COS has).
    pub fn select_request(&self) -> Result<String> {
        if self.expression.trim().is_empty() {
            return Err(Error::invalid("expression", "empty: say what to select, e.g. SELECT * FROM COSObject"));
        }
        let mut w = XmlWriter::with_capacity(512 + self.expression.len());
        w.open("SelectRequest");
        w.leaf("Expression", &self.expression, "expression")?;
        w.leaf("ExpressionType", "SQL", "expression_type")?;
        w.open("InputSerialization");
        optional_leaf(&mut w, "CompressionType", &self.compression_type, "compression_type")?;
        match &self.input {
            SelectInput::Csv(c) => {
                w.open("CSV");
                optional_leaf(&mut w, "FileHeaderInfo", &c.file_header_info, "file_header_info")?;
                optional_leaf(&mut w, "RecordDelimiter", &c.record_delimiter, "record_delimiter")?;
                optional_leaf(&mut w, "FieldDelimiter", &c.field_delimiter, "field_delimiter")?;
                optional_leaf(&mut w, "QuoteCharacter", &c.quote_character, "quote_character")?;
                optional_leaf(&mut w, "QuoteEscapeCharacter", &c.quote_escape_character, "quote_escape_character")?;
                optional_leaf(&mut w, "Comments", &c.comments, "comments")?;
                if let Some(v) = c.allow_quoted_record_delimiter {
                    w.leaf("AllowQuotedRecordDelimiter", upper_bool(v), "allow_quoted_record_delimiter")?;
                }
                w.close("CSV");
            }
            SelectInput::Json(t) => {
                w.open("JSON");
                w.leaf("Type", t.as_str(), "json_type")?;
                w.close("JSON");
            }
        }
        w.close("InputSerialization");
        w.open("OutputSerialization");
        match &self.output {
            SelectOutput::Csv(c) => {
                w.open("CSV");
                optional_leaf(&mut w, "QuoteFields", &c.quote_fields, "quote_fields")?;
                optional_leaf(&mut w, "RecordDelimiter", &c.record_delimiter, "record_delimiter")?;
                optional_leaf(&mut w, "FieldDelimiter", &c.field_delimiter, "field_delimiter")?;
                optional_leaf(&mut w, "QuoteCharacter", &c.quote_character, "quote_character")?;
                optional_leaf(&mut w, "QuoteEscapeCharacter", &c.quote_escape_character, "quote_escape_character")?;
                w.close("CSV");
            }
            SelectOutput::Json(j) => {
                w.open("JSON");
                optional_leaf(&mut w, "RecordDelimiter", &j.record_delimiter, "record_delimiter")?;
                w.close("JSON");
            }
        }
        w.close("OutputSerialization");
        if let Some(enabled) = self.request_progress {
            w.open("RequestProgress");
            w.leaf("Enabled", upper_bool(enabled), "request_progress")?;
            w.close("RequestProgress");
        }
        w.close("SelectRequest");
        Ok(w.finish())
    }

    fn request(&self) -> Result<OperationRequest> {
        if self.key.is_empty() {
            return Err(Error::invalid("key", "empty"));
        }
        let body = self.select_request()?;
        let mut request = OperationRequest::new(Method::Post)
            .with_key(self.key.clone())
            .with_query("select", "")
            .with_query("select-type", "2");
        if let Some(v) = &self.version_id {
            request = request.with_query("versionId", v.clone());
        }
        Ok(request.with_xml_body(body))
    }
}

/// The byte counts of a `Stats` or `Progress` event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SelectStats {
    /// `BytesScanned`: bytes of the object read.
    pub bytes_scanned: u64,
    /// `BytesProcessed`: bytes processed (after decompression).
    pub bytes_processed: u64,
    /// `BytesReturned`: bytes of records sent back.
    pub bytes_returned: u64,
}

/// One event of a select answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SelectEvent {
    /// Some records, in the output format (a record may be split across two events).
    Records(Vec<u8>),
    /// The totals, sent once before `End`.
    Stats(SelectStats),
    /// How far the query is, when `request_progress(true)` asked for it.
    Progress(SelectStats),
    /// A keep-alive while nothing matched for a while.
    Cont,
    /// The answer is complete.
    End,
    /// The query failed on the way (after the 200 status was sent).
    Error {
        /// `:error-code`.
        code: String,
        /// `:error-message`.
        message: String,
    },
}

impl SelectEvent {
    /// The event a decoded message carries; `None` for event types this crate does not know.
    ///
    /// ```
    /// use tencent_cos::api::{EventMessage, SelectEvent};
    /// let m = EventMessage {
    ///     headers: vec![(":message-type".into(), "event".into()), (":event-type".into(), "Records".into())],
    ///     payload: b"1,2\n".to_vec(),
    /// };
    /// assert_eq!(SelectEvent::from_message(m)?, Some(SelectEvent::Records(b"1,2\n".to_vec())));
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn from_message(message: EventMessage) -> Result<Option<SelectEvent>> {
        match message.header(":message-type") {
            Some("error") => Ok(Some(SelectEvent::Error {
                code: message.header(":error-code").unwrap_or_default().to_owned(),
                message: message.header(":error-message").unwrap_or_default().to_owned(),
            })),
            Some("event") => Ok(match message.header(":event-type") {
                Some("Records") => Some(SelectEvent::Records(message.payload)),
                Some("Stats") => Some(SelectEvent::Stats(parse_counts(&message.payload, "Stats")?)),
                Some("Progress") => Some(SelectEvent::Progress(parse_counts(&message.payload, "Progress")?)),
                Some("Cont") => Some(SelectEvent::Cont),
                Some("End") => Some(SelectEvent::End),
                _ => None,
            }),
            Some(_) => Ok(None),
            None => Err(Error::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "event stream message without a :message-type header",
            ))),
        }
    }
}

/// `<Stats>` / `<Progress>`: `BytesScanned`, `BytesProcessed`, `BytesReturned`.
fn parse_counts(payload: &[u8], root: &str) -> Result<SelectStats> {
    let doc = parse_document(payload)?;
    let e = Element::root(&doc, root)?;
    Ok(SelectStats {
        bytes_scanned: e.opt_number("BytesScanned")?.unwrap_or(0),
        bytes_processed: e.opt_number("BytesProcessed")?.unwrap_or(0),
        bytes_returned: e.opt_number("BytesReturned")?.unwrap_or(0),
    })
}

/// The events of a select answer, read from its body as they are asked for. Ends after the
/// `End` or `Error` event; a body that stops before `End` yields one error, then `None`.
pub struct SelectEventStream {
    /// Status and every header of the answer.
    pub meta: ResponseMeta,
    body: Box<dyn Read + Send>,
    decoder: EventStreamDecoder,
    done: bool,
}

impl std::fmt::Debug for SelectEventStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelectEventStream").field("meta", &self.meta).field("done", &self.done).finish()
    }
}

/// Bytes read from the body at a time.
const READ_CHUNK: usize = 64 * 1024;

impl SelectEventStream {
    /// Events decoded from `body`, read on demand.
    ///
    /// ```
    /// use tencent_cos::api::{SelectEvent, SelectEventStream, encode_message};
    /// use tencent_cos::http::ResponseMeta;
    /// let mut body = encode_message(&[(":message-type", "event"), (":event-type", "Records")], b"a\n");
    /// body.extend(encode_message(&[(":message-type", "event"), (":event-type", "End")], b""));
    /// let events: Vec<_> = SelectEventStream::new(ResponseMeta::default(), Box::new(std::io::Cursor::new(body)))
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(events, vec![SelectEvent::Records(b"a\n".to_vec()), SelectEvent::End]);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn new(meta: ResponseMeta, body: Box<dyn Read + Send>) -> Self {
        SelectEventStream { meta, body, decoder: EventStreamDecoder::new(), done: false }
    }

    fn advance(&mut self) -> Result<Option<SelectEvent>> {
        let mut chunk = vec![0u8; READ_CHUNK];
        loop {
            while let Some(message) = self.decoder.next_message()? {
                if let Some(event) = SelectEvent::from_message(message)? {
                    return Ok(Some(event));
                }
            }
            let n = self.body.read(&mut chunk)?;
            if n == 0 {
                self.decoder.finish()?;
                return Err(Error::Io(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the select answer ended before its End event",
                )));
            }
            self.decoder.push(&chunk[..n]);
        }
    }
}

impl Iterator for SelectEventStream {
    type Item = Result<SelectEvent>;

    fn next(&mut self) -> Option<Result<SelectEvent>> {
        if self.done {
            return None;
        }
        let item = self.advance().transpose();
        if matches!(item, Some(Ok(SelectEvent::End | SelectEvent::Error { .. }) | Err(_)) | None) {
            self.done = true;
        }
        item
    }
}

/// What `select_object_content(..).send()` returns: the whole answer collected.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SelectObjectContentOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
    /// Every `Records` payload, joined: the selected records in the output format.
    pub records: Vec<u8>,
    /// The `Stats` event (COS sends one before `End`).
    pub stats: Option<SelectStats>,
    /// Each `Progress` event, in order.
    pub progress: Vec<SelectStats>,
}

impl SelectObjectContentOutput {
    /// Collects `events` up to `End`; an `Error` event becomes [`Error::Service`] with the
    /// answer's status and headers.
    ///
    /// ```
    /// use tencent_cos::api::{SelectEvent, SelectObjectContentOutput, SelectStats};
    /// use tencent_cos::http::ResponseMeta;
    /// let stats = SelectStats { bytes_scanned: 9, bytes_processed: 9, bytes_returned: 2 };
    /// let events = [SelectEvent::Records(b"a\n".to_vec()), SelectEvent::Stats(stats), SelectEvent::End];
    /// let out = SelectObjectContentOutput::collect(ResponseMeta::default(), events.into_iter().map(Ok))?;
    /// assert_eq!((out.records.as_slice(), out.stats), (&b"a\n"[..], Some(stats)));
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn collect(meta: ResponseMeta, events: impl IntoIterator<Item = Result<SelectEvent>>) -> Result<Self> {
        let mut out = SelectObjectContentOutput { meta, ..Default::default() };
        for event in events {
            match event? {
                SelectEvent::Records(bytes) => out.records.extend_from_slice(&bytes),
                SelectEvent::Stats(s) => out.stats = Some(s),
                SelectEvent::Progress(p) => out.progress.push(p),
                SelectEvent::Cont => {}
                SelectEvent::End => return Ok(out),
                SelectEvent::Error { code, message } => {
                    let headers = out.meta.headers.clone();
                    return Err(Error::Service(Box::new(ServiceError {
                        status: out.meta.status,
                        code,
                        message,
                        request_id: headers.get("x-cos-request-id").map(str::to_owned),
                        trace_id: headers.get("x-cos-trace-id").map(str::to_owned),
                        headers,
                        ..Default::default()
                    })));
                }
            }
        }
        Err(Error::Io(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the select answer ended before its End event",
        )))
    }
}

impl Operation for SelectObjectContentInput {
    type Output = SelectObjectContentOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        self.request()
    }

    fn parse(&mut self, response: Response) -> Result<SelectObjectContentOutput> {
        let meta = meta_of(&response);
        SelectObjectContentOutput::collect(meta.clone(), SelectEventStream::new(meta, response.body))
    }
}

/// Input of `select_object_content(..).send_stream()`: the same request, answered as a
/// [`SelectEventStream`] read on demand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SelectObjectContentStreamInput(pub SelectObjectContentInput);

impl Operation for SelectObjectContentStreamInput {
    type Output = SelectEventStream;

    fn build(&mut self) -> Result<OperationRequest> {
        self.0.request()
    }

    fn parse(&mut self, response: Response) -> Result<SelectEventStream> {
        Ok(SelectEventStream::new(meta_of(&response), response.body))
    }
}

/// Builder returned by [`Bucket::select_object_content`]; `.send()` or `.send_stream()` runs it.
pub type SelectObjectContent<'a> = Call<'a, SelectObjectContentInput>;

impl SelectObjectContent<'_> {
    /// `InputSerialization/CSV` (the default, with every field left to COS).
    ///
    #[doc = builder_doc!("select_object_content(\"a.csv\", \"SELECT * FROM COSObject\")", "input_csv(tencent_cos::api::CsvInput { file_header_info: Some(\"USE\".into()), ..Default::default() })")]
    pub fn input_csv(mut self, csv: CsvInput) -> Self {
        self.input.input = SelectInput::Csv(csv);
        self
    }

    /// `InputSerialization/JSON/Type`.
    ///
    #[doc = builder_doc!("select_object_content(\"a.json\", \"SELECT s.id FROM COSObject s\")", "input_json(tencent_cos::api::JsonType::Lines)")]
    pub fn input_json(mut self, json_type: JsonType) -> Self {
        self.input.input = SelectInput::Json(json_type);
        self
    }

    /// `InputSerialization/CompressionType`: `NONE`, `GZIP` or `BZIP2`.
    ///
    #[doc = builder_doc!("select_object_content(\"a.csv.gz\", \"SELECT * FROM COSObject\")", "compression_type(\"GZIP\")")]
    pub fn compression_type(mut self, compression: impl Into<String>) -> Self {
        self.input.compression_type = Some(compression.into());
        self
    }

    /// `OutputSerialization/CSV` (the default).
    ///
    #[doc = builder_doc!("select_object_content(\"a.csv\", \"SELECT * FROM COSObject\")", "output_csv(tencent_cos::api::CsvOutput { quote_fields: Some(\"ALWAYS\".into()), ..Default::default() })")]
    pub fn output_csv(mut self, csv: CsvOutput) -> Self {
        self.input.output = SelectOutput::Csv(csv);
        self
    }

    /// `OutputSerialization/JSON`.
    ///
    #[doc = builder_doc!("select_object_content(\"a.csv\", \"SELECT * FROM COSObject\")", "output_json(tencent_cos::api::JsonOutput::default())")]
    pub fn output_json(mut self, json: JsonOutput) -> Self {
        self.input.output = SelectOutput::Json(json);
        self
    }

    /// `RequestProgress/Enabled`: ask for `Progress` events.
    ///
    #[doc = builder_doc!("select_object_content(\"a.csv\", \"SELECT * FROM COSObject\")", "request_progress(true)")]
    pub fn request_progress(mut self, enabled: bool) -> Self {
        self.input.request_progress = Some(enabled);
        self
    }

    /// `versionId`: query this version rather than the latest.
    ///
    #[doc = builder_doc!("select_object_content(\"a.csv\", \"SELECT * FROM COSObject\")", "version_id(\"MTg0NDUxNzgxMjEzNTU3NTk1Mjk\")")]
    pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
        self.input.version_id = Some(version_id.into());
        self
    }

    /// Sends the request and returns its events as an iterator reading the body on demand.
    ///
    /// ```no_run
    /// use tencent_cos::api::SelectEvent;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// for event in bucket.select_object_content("big.csv", "SELECT s._1 FROM COSObject s").send_stream()? {
    ///     if let SelectEvent::Records(bytes) = event? {
    ///         print!("{}", String::from_utf8_lossy(&bytes));
    ///     }
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn send_stream(self) -> Result<SelectEventStream> {
        self.bucket.execute(SelectObjectContentStreamInput(self.input))
    }
}

impl Bucket {
    /// SELECT Object Content: runs `expression` (SQL) over a CSV or JSON object.
    ///
    /// `.send()` collects the whole answer; `.send_stream()` hands the events over as they come.
    ///
    /// ```no_run
    /// use tencent_cos::api::CsvInput;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let out = bucket
    ///     .select_object_content("people.csv", "SELECT s.name FROM COSObject s WHERE s.age > 30")
    ///     .input_csv(CsvInput { file_header_info: Some("USE".into()), ..Default::default() })
    ///     .send()?;
    /// print!("{}", String::from_utf8_lossy(&out.records));
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn select_object_content(
        &self,
        key: impl Into<String>,
        expression: impl Into<String>,
    ) -> SelectObjectContent<'_> {
        SelectObjectContent {
            bucket: self,
            input: SelectObjectContentInput { key: key.into(), expression: expression.into(), ..Default::default() },
        }
    }
}

/// `select_object_content_stream`: the JS SDK's name of the streaming form.
impl Bucket {
    /// The JS SDK's `selectObjectContentStream`: [`select_object_content`](Bucket::select_object_content)
    /// answered by `.send_stream()`.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let events = bucket.select_object_content_stream("a.csv", "SELECT * FROM COSObject").send_stream()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn select_object_content_stream(
        &self,
        key: impl Into<String>,
        expression: impl Into<String>,
    ) -> SelectObjectContent<'_> {
        self.select_object_content(key, expression)
    }
}
