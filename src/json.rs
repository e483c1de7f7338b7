//! Just enough JSON for the POST Object policy (`api::post_form`) and the emulator's JSON-lines
//! select: a value parser (numbers kept as written, members in order) and a compact writer.
//! Nesting is bounded so hostile input cannot exhaust the stack; nothing panics.

/// A JSON value; object members keep their order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(String),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

const MAX_DEPTH: usize = 64;

/// Every value of `text`, one after another, separated by whitespace.
#[cfg_attr(not(feature = "emulator"), allow(dead_code))] // JSON-lines select only
pub(crate) fn parse_values(text: &str) -> Result<Vec<Json>, String> {
    let mut p = Reader { b: text.as_bytes(), at: 0 };
    let mut out = Vec::new();
    loop {
        p.skip_ws();
        if p.at >= p.b.len() {
            return Ok(out);
        }
        out.push(p.value(0)?);
    }
}

/// The one value of `text`, with nothing but whitespace after it.
pub(crate) fn parse_document(text: &str) -> Result<Json, String> {
    let mut p = Reader { b: text.as_bytes(), at: 0 };
    let value = p.value(0)?;
    p.skip_ws();
    if p.at != p.b.len() {
        return Err(p.err("text after the JSON value"));
    }
    Ok(value)
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn skip_ws(&mut self) {
        while self.b.get(self.at).is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn err(&self, what: &str) -> String {
        format!("{what} at byte {}", self.at)
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, String> {
        if self.b[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.err("an unknown word"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, String> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting deeper than 64"));
        }
        self.skip_ws();
        match self.b.get(self.at) {
            None => Err(self.err("the end of the input where a value was expected")),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b'[') => {
                self.at += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.b.get(self.at) == Some(&b']') {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_ws();
                    match self.b.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b']') => {
                            self.at += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(self.err("expected , or ]")),
                    }
                }
            }
            Some(b'{') => {
                self.at += 1;
                let mut members = Vec::new();
                self.skip_ws();
                if self.b.get(self.at) == Some(&b'}') {
                    self.at += 1;
                    return Ok(Json::Object(members));
                }
                loop {
                    self.skip_ws();
                    if self.b.get(self.at) != Some(&b'"') {
                        return Err(self.err("expected a member name"));
                    }
                    let name = self.string()?;
                    self.skip_ws();
                    if self.b.get(self.at) != Some(&b':') {
                        return Err(self.err("expected :"));
                    }
                    self.at += 1;
                    members.push((name, self.value(depth + 1)?));
                    self.skip_ws();
                    match self.b.get(self.at) {
                        Some(b',') => self.at += 1,
                        Some(b'}') => {
                            self.at += 1;
                            return Ok(Json::Object(members));
                        }
                        _ => return Err(self.err("expected , or }")),
                    }
                }
            }
            Some(c) if *c == b'-' || c.is_ascii_digit() => {
                let start = self.at;
                self.at += 1;
                while self
                    .b
                    .get(self.at)
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
                {
                    self.at += 1;
                }
                let text = String::from_utf8_lossy(&self.b[start..self.at]).into_owned();
                if text.parse::<f64>().is_err() {
                    return Err(self.err("a malformed number"));
                }
                Ok(Json::Number(text))
            }
            Some(_) => Err(self.err("an unexpected character")),
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let hex = self.b.get(self.at..self.at + 4).ok_or_else(|| self.err("a short \\u escape"))?;
        let hex = std::str::from_utf8(hex).map_err(|_| self.err("a bad \\u escape"))?;
        let code = u32::from_str_radix(hex, 16).map_err(|_| self.err("a bad \\u escape"))?;
        self.at += 4;
        Ok(code)
    }

    fn string(&mut self) -> Result<String, String> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            match self.b.get(self.at) {
                None => return Err(self.err("a string never closed")),
                Some(b'"') => {
                    self.at += 1;
                    return String::from_utf8(out).map_err(|_| self.err("a string that is not UTF-8"));
                }
                Some(b'\\') => {
                    let c = self.b.get(self.at + 1).copied();
                    self.at += 2;
                    let push =
                        |out: &mut Vec<u8>, c: char| out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                    match c {
                        Some(b'"') => out.push(b'"'),
                        Some(b'\\') => out.push(b'\\'),
                        Some(b'/') => out.push(b'/'),
                        Some(b'b') => out.push(8),
                        Some(b'f') => out.push(12),
                        Some(b'n') => out.push(b'\n'),
                        Some(b'r') => out.push(b'\r'),
                        Some(b't') => out.push(b'\t'),
                        Some(b'u') => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) && self.b[self.at..].starts_with(b"\\u") {
                                self.at += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("a broken \\u surrogate pair"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            push(
                                &mut out,
                                char::from_u32(code).ok_or_else(|| self.err("a \\u escape that is no character"))?,
                            );
                        }
                        _ => return Err(self.err("an unknown escape")),
                    }
                }
                Some(&c) => {
                    out.push(c);
                    self.at += 1;
                }
            }
        }
    }
}

/// Compact JSON text of `v`.
#[cfg_attr(not(feature = "emulator"), allow(dead_code))] // JSON-lines select only
pub(crate) fn write(v: &Json, out: &mut String) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(n),
        Json::Str(s) => write_str(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Json::Object(members) => {
            out.push('{');
            for (i, (name, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(name, out);
                out.push(':');
                write(value, out);
            }
            out.push('}');
        }
    }
}

/// A JSON string literal.
pub(crate) fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_compactly() {
        let text = "{\"a\": 1.50, \"b\" : [true,false,null], \"c\":\"x\\\"y\\u00e9\\n\"}\n{}\n  [ ]";
        let values = parse_values(text).unwrap();
        assert_eq!(values.len(), 3);
        let mut out = String::new();
        write(&values[0], &mut out);
        assert_eq!(out, "{\"a\":1.50,\"b\":[true,false,null],\"c\":\"x\\\"y\u{e9}\\n\"}");
        for bad in
            ["{", "{\"a\" 1}", "[1,]", "tru", "\"open", "-", "{\"a\":1}}", &"[".repeat(100), "\"\\ud800\\u0041\""]
        {
            assert!(parse_values(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_values("\"\\ud83d\\ude00\"").unwrap(), [Json::Str("\u{1F600}".into())]);
        assert_eq!(parse_document(" [1] ").unwrap(), Json::Array(vec![Json::Number("1".into())]));
        assert!(parse_document("[1] [2]").is_err());
    }
}
