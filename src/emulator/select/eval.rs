//! Runs a parsed [`Query`] over an object's text: CSV records (with their header) or JSON
//! values, filtered, projected, limited and written in the output format.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::QueryError;
use super::parser::{Column, Cond, Literal, Op, Operand, Query};
use crate::json::{self, Json};

/// `FileHeaderInfo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HeaderInfo {
    None,
    Ignore,
    Use,
}

/// The delimiters and quotes of a CSV, in or out, with COS's defaults filled in.
#[derive(Clone, Debug)]
pub(crate) struct Dialect {
    pub(crate) record: String,
    pub(crate) field: String,
    pub(crate) quote: String,
    pub(crate) escape: String,
}

/// `InputSerialization/CSV`.
#[derive(Clone, Debug)]
pub(crate) struct CsvIn {
    pub(crate) header: HeaderInfo,
    pub(crate) d: Dialect,
    pub(crate) comments: Option<String>,
    pub(crate) allow_quoted_record: bool,
}

/// `InputSerialization`.
#[derive(Clone, Debug)]
pub(crate) enum Input {
    Csv(CsvIn),
    /// JSON values one after another (LINES or DOCUMENT: the same reader).
    Json,
}

/// `OutputSerialization/CSV`.
#[derive(Clone, Debug)]
pub(crate) struct CsvOut {
    pub(crate) always: bool,
    pub(crate) d: Dialect,
}

/// `OutputSerialization`.
#[derive(Clone, Debug)]
pub(crate) enum Output {
    Csv(CsvOut),
    Json { record: String },
}

/// One input record.
enum Row<'a> {
    Csv(&'a [String]),
    Json(&'a Json),
}

/// A value read from a record.
enum Val<'a> {
    Text(&'a str),
    Json(&'a Json),
}

/// The records `query` selects from `text`, written as `output` says.
pub(crate) fn run(query: &Query, input: &Input, output: &Output, text: &str) -> Result<Vec<u8>, QueryError> {
    let mut out = String::new();
    let mut matched = 0u64;
    if query.limit == Some(0) {
        return Ok(Vec::new());
    }
    match input {
        Input::Csv(csv) => {
            let mut records = read_csv(text, csv).into_iter();
            let names = match csv.header {
                HeaderInfo::None => None,
                HeaderInfo::Ignore => {
                    records.next();
                    None
                }
                HeaderInfo::Use => Some(records.next().unwrap_or_default()),
            };
            for column in query_columns(query) {
                if let Column::Name(n) = column {
                    name_index(names.as_deref(), n)?;
                }
            }
            for record in records {
                if emit(query, &Row::Csv(&record), names.as_deref(), output, &mut out)? {
                    matched += 1;
                    if query.limit == Some(matched) {
                        break;
                    }
                }
            }
        }
        Input::Json => {
            let values = json::parse_values(text)
                .map_err(|why| QueryError::new("JSONParsingError", format!("The object is not valid JSON: {why}.")))?;
            for value in &values {
                if emit(query, &Row::Json(value), None, output, &mut out)? {
                    matched += 1;
                    if query.limit == Some(matched) {
                        break;
                    }
                }
            }
        }
    }
    Ok(out.into_bytes())
}

/// Every column the query names, in its projection and its filter.
fn query_columns(query: &Query) -> Vec<&Column> {
    fn walk<'q>(c: &'q Cond, out: &mut Vec<&'q Column>) {
        match c {
            Cond::Cmp(o, _, _) => out.push(&o.column),
            Cond::And(a, b) | Cond::Or(a, b) => {
                walk(a, out);
                walk(b, out);
            }
        }
    }
    let mut out: Vec<&Column> = query.columns.iter().flatten().collect();
    if let Some(f) = &query.filter {
        walk(f, &mut out);
    }
    out
}

/// The position of a named CSV column in the header (exact, then any case).
fn name_index(names: Option<&[String]>, name: &str) -> Result<usize, QueryError> {
    let Some(names) = names else {
        return Err(QueryError::new(
            "EvaluatorBindingDoesNotExist",
            format!("Column {name:?} has no meaning without FileHeaderInfo USE: use _1, _2, ..."),
        ));
    };
    names.iter().position(|n| n == name).or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(name))).ok_or_else(
        || {
            QueryError::new(
                "EvaluatorBindingDoesNotExist",
                format!("Column {name:?} is not in the header of the object."),
            )
        },
    )
}

fn lookup<'a>(row: &Row<'a>, column: &Column, names: Option<&[String]>) -> Result<Option<Val<'a>>, QueryError> {
    match (row, column) {
        (Row::Csv(fields), Column::Index(n)) => Ok(fields.get(n - 1).map(|s| Val::Text(s))),
        (Row::Csv(fields), Column::Name(name)) => Ok(fields.get(name_index(names, name)?).map(|s| Val::Text(s))),
        (Row::Json(_), Column::Index(n)) => Err(QueryError::new(
            "InvalidColumnIndex",
            format!("Positional columns (_{n}) apply to CSV input; name the JSON field (s.field)."),
        )),
        (Row::Json(Json::Object(members)), Column::Name(name)) => Ok(members
            .iter()
            .find(|(k, _)| k == name)
            .or_else(|| members.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .map(|(_, v)| Val::Json(v))),
        (Row::Json(_), Column::Name(_)) => Ok(None),
    }
}

/// The text of a value for comparisons and CSV output; `None` for null.
fn text_of<'a>(v: &Val<'a>) -> Option<Cow<'a, str>> {
    match v {
        Val::Text(s) => Some(Cow::Borrowed(s)),
        Val::Json(Json::Null) => None,
        Val::Json(Json::Str(s)) => Some(Cow::Borrowed(s)),
        Val::Json(Json::Number(n)) => Some(Cow::Borrowed(n)),
        Val::Json(Json::Bool(b)) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Val::Json(other) => {
            let mut s = String::new();
            json::write(other, &mut s);
            Some(Cow::Owned(s))
        }
    }
}

fn holds(cond: &Cond, row: &Row<'_>, names: Option<&[String]>) -> Result<bool, QueryError> {
    match cond {
        Cond::And(a, b) => Ok(holds(a, row, names)? && holds(b, row, names)?),
        Cond::Or(a, b) => Ok(holds(a, row, names)? || holds(b, row, names)?),
        Cond::Cmp(operand, op, literal) => {
            let value = lookup(row, &operand.column, names)?;
            let Some(text) = value.as_ref().and_then(text_of) else { return Ok(false) };
            Ok(compare(&text, operand, literal)?.is_some_and(|ord| matches_op(ord, *op)))
        }
    }
}

/// Numbers when both sides are numbers (or a CAST asks for one), else text.
fn compare(text: &str, operand: &Operand, literal: &Literal) -> Result<Option<Ordering>, QueryError> {
    let value = text.trim().parse::<f64>().ok();
    let lit = literal.number.or_else(|| literal.text.trim().parse::<f64>().ok());
    if operand.numeric {
        let cast_failed = |what: &str| {
            QueryError::new("CastFailed", format!("Attempt to convert {what:?} to a number using CAST failed."))
        };
        let v = value.ok_or_else(|| cast_failed(text))?;
        let l = lit.ok_or_else(|| cast_failed(&literal.text))?;
        return Ok(v.partial_cmp(&l));
    }
    Ok(match (value, lit) {
        (Some(v), Some(l)) => v.partial_cmp(&l),
        _ => Some(text.cmp(literal.text.as_str())),
    })
}

fn matches_op(ord: Ordering, op: Op) -> bool {
    match op {
        Op::Eq => ord == Ordering::Equal,
        Op::Ne => ord != Ordering::Equal,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
    }
}

/// Writes the record when it matches; says whether it did.
fn emit(
    query: &Query,
    row: &Row<'_>,
    names: Option<&[String]>,
    output: &Output,
    out: &mut String,
) -> Result<bool, QueryError> {
    if let Some(filter) = &query.filter
        && !holds(filter, row, names)?
    {
        return Ok(false);
    }
    // (key for JSON output, value)
    let mut cells: Vec<(Cow<'_, str>, Option<Val<'_>>)> = Vec::new();
    match (&query.columns, row) {
        (None, Row::Csv(fields)) => {
            for (i, f) in fields.iter().enumerate() {
                let key = names
                    .and_then(|n| n.get(i))
                    .map_or_else(|| Cow::Owned(format!("_{}", i + 1)), |n| Cow::Borrowed(n.as_str()));
                cells.push((key, Some(Val::Text(f))));
            }
        }
        (None, Row::Json(value)) => match output {
            Output::Json { record } => {
                json::write(value, out);
                out.push_str(record);
                return Ok(true);
            }
            Output::Csv(_) => match value {
                Json::Object(members) => {
                    cells.extend(members.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), Some(Val::Json(v)))));
                }
                other => cells.push((Cow::Borrowed("_1"), Some(Val::Json(other)))),
            },
        },
        (Some(columns), _) => {
            for c in columns {
                let key = match c {
                    Column::Index(n) => Cow::Owned(format!("_{n}")),
                    Column::Name(n) => Cow::Borrowed(n.as_str()),
                };
                cells.push((key, lookup(row, c, names)?));
            }
        }
    }
    match output {
        Output::Csv(csv) => {
            for (i, (_, v)) in cells.iter().enumerate() {
                if i > 0 {
                    out.push_str(&csv.d.field);
                }
                let text = v.as_ref().and_then(text_of).unwrap_or_default();
                write_csv_field(&text, csv, out);
            }
            out.push_str(&csv.d.record);
        }
        Output::Json { record } => {
            out.push('{');
            let mut first = true;
            for (key, v) in &cells {
                let Some(v) = v else { continue };
                if !first {
                    out.push(',');
                }
                first = false;
                json::write_str(key, out);
                out.push(':');
                match v {
                    Val::Text(s) => json::write_str(s, out),
                    Val::Json(j) => json::write(j, out),
                }
            }
            out.push('}');
            out.push_str(record);
        }
    }
    Ok(true)
}

fn write_csv_field(text: &str, csv: &CsvOut, out: &mut String) {
    let needs = csv.always
        || text.contains(csv.d.field.as_str())
        || text.contains(csv.d.record.as_str())
        || text.contains(csv.d.quote.as_str())
        || text.contains(['\n', '\r']);
    if !needs {
        out.push_str(text);
        return;
    }
    out.push_str(&csv.d.quote);
    out.push_str(&text.replace(csv.d.quote.as_str(), &format!("{}{}", csv.d.escape, csv.d.quote)));
    out.push_str(&csv.d.quote);
}

/// The records of a CSV text: fields split on the delimiter, quotes removed (a quoted field
/// may hold the field delimiter, an escaped quote, and with AllowQuotedRecordDelimiter the
/// record delimiter), comment lines and empty lines skipped. A `\r` before a `\n` record
/// delimiter is dropped.
pub(crate) fn read_csv(text: &str, csv: &CsvIn) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut quoted = false;
    let mut at = 0;
    let end_record = |fields: &mut Vec<String>, cur: &mut String, quoted: bool, records: &mut Vec<Vec<String>>| {
        if !quoted && csv.d.record == "\n" && cur.ends_with('\r') {
            cur.pop();
        }
        fields.push(std::mem::take(cur));
        let record = std::mem::take(fields);
        if !(record.len() == 1 && record[0].is_empty() && !quoted) {
            records.push(record);
        }
    };
    while at < text.len() {
        let rest = &text[at..];
        if in_quotes {
            if !csv.d.escape.is_empty()
                && rest.starts_with(csv.d.escape.as_str())
                && rest[csv.d.escape.len()..].starts_with(csv.d.quote.as_str())
                && (csv.d.escape != csv.d.quote || !rest[csv.d.escape.len()..].is_empty())
            {
                cur.push_str(&csv.d.quote);
                at += csv.d.escape.len() + csv.d.quote.len();
            } else if rest.starts_with(csv.d.quote.as_str()) {
                in_quotes = false;
                at += csv.d.quote.len();
            } else if !csv.allow_quoted_record && rest.starts_with(csv.d.record.as_str()) {
                in_quotes = false;
                end_record(&mut fields, &mut cur, quoted, &mut records);
                quoted = false;
                at += csv.d.record.len();
            } else {
                let c = rest.chars().next().unwrap_or_default();
                cur.push(c);
                at += c.len_utf8();
            }
            continue;
        }
        let record_start = fields.is_empty() && cur.is_empty() && !quoted;
        if record_start && csv.comments.as_deref().is_some_and(|c| !c.is_empty() && rest.starts_with(c)) {
            at += rest.find(csv.d.record.as_str()).map_or(rest.len(), |i| i + csv.d.record.len());
        } else if cur.is_empty() && !quoted && !csv.d.quote.is_empty() && rest.starts_with(csv.d.quote.as_str()) {
            in_quotes = true;
            quoted = true;
            at += csv.d.quote.len();
        } else if rest.starts_with(csv.d.field.as_str()) {
            fields.push(std::mem::take(&mut cur));
            quoted = false;
            at += csv.d.field.len();
        } else if rest.starts_with(csv.d.record.as_str()) {
            end_record(&mut fields, &mut cur, quoted, &mut records);
            quoted = false;
            at += csv.d.record.len();
        } else {
            let c = rest.chars().next().unwrap_or_default();
            cur.push(c);
            at += c.len_utf8();
        }
    }
    if !fields.is_empty() || !cur.is_empty() || quoted {
        end_record(&mut fields, &mut cur, quoted, &mut records);
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_in() -> CsvIn {
        CsvIn {
            header: HeaderInfo::None,
            d: Dialect { record: "\n".into(), field: ",".into(), quote: "\"".into(), escape: "\"".into() },
            comments: Some("#".into()),
            allow_quoted_record: false,
        }
    }

    #[test]
    fn csv_records() {
        let text = "a,b\r\n# a comment\n\n\"x,1\",\"say \"\"hi\"\"\"\n\"multi\nline\",2\nlast,é";
        let got = read_csv(text, &csv_in());
        let want: Vec<Vec<&str>> =
            vec![vec!["a", "b"], vec!["x,1", "say \"hi\""], vec!["multi"], vec!["line\"", "2"], vec!["last", "é"]];
        assert_eq!(got, want.iter().map(|r| r.iter().map(|s| s.to_string()).collect::<Vec<_>>()).collect::<Vec<_>>());
        let allow = CsvIn { allow_quoted_record: true, ..csv_in() };
        assert_eq!(read_csv("\"multi\nline\",2\n", &allow), vec![vec!["multi\nline".to_string(), "2".to_string()]]);
    }
}
