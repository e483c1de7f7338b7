//! The SQL the emulator's select understands, parsed into a [`Query`]; anything else is a
//! [`QueryError`] naming what was not understood (see `mod.rs` for the subset).

use super::QueryError;

/// A column: `_N` (1-based position) or a name (a CSV header name, a JSON field).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Column {
    Index(usize),
    Name(String),
}

/// The left side of a comparison: a column, maybe `CAST(.. AS INT|FLOAT|...)` (numeric).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Operand {
    pub(crate) column: Column,
    pub(crate) numeric: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A literal: its text, and whether it was a number (unquoted).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Literal {
    pub(crate) text: String,
    pub(crate) number: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cond {
    Cmp(Operand, Op, Literal),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

/// `SELECT projection FROM COSObject [alias] [WHERE filter] [LIMIT n]`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Query {
    /// `None` for `*`.
    pub(crate) columns: Option<Vec<Column>>,
    pub(crate) filter: Option<Cond>,
    pub(crate) limit: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    /// A bare identifier or keyword.
    Word(String),
    /// A `"quoted"` identifier.
    Quoted(String),
    Number(String),
    Str(String),
    Sym(&'static str),
}

/// What the emulator understands, said in every refusal of syntax.
const SUBSET: &str = "SELECT * | col[, col] FROM COSObject [alias] [WHERE col op literal [AND|OR ...]] [LIMIT n]";

fn unsupported(why: impl std::fmt::Display) -> QueryError {
    QueryError::new("UnsupportedSyntax", format!("{why}; the emulator understands {SUBSET}."))
}

fn tokenize(sql: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token::Word(chars[start..i].iter().collect()));
        } else if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            out.push(Token::Number(chars[start..i].iter().collect()));
        } else if c == '\'' || c == '"' {
            let mut text = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(unsupported(format!("a {c}quoted{c} text is never closed"))),
                    Some(&q) if q == c && chars.get(i + 1) == Some(&c) => {
                        text.push(c);
                        i += 2;
                    }
                    Some(&q) if q == c => {
                        i += 1;
                        break;
                    }
                    Some(&other) => {
                        text.push(other);
                        i += 1;
                    }
                }
            }
            out.push(if c == '\'' { Token::Str(text) } else { Token::Quoted(text) });
        } else {
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let sym = match two.as_str() {
                "!=" => Some("!="),
                "<>" => Some("<>"),
                "<=" => Some("<="),
                ">=" => Some(">="),
                _ => None,
            };
            if let Some(sym) = sym {
                out.push(Token::Sym(sym));
                i += 2;
                continue;
            }
            let sym = match c {
                '*' => "*",
                ',' => ",",
                '.' => ".",
                '(' => "(",
                ')' => ")",
                '=' => "=",
                '<' => "<",
                '>' => ">",
                _ => return Err(unsupported(format!("the character {c:?} is not part of the supported SQL"))),
            };
            out.push(Token::Sym(sym));
            i += 1;
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    /// `(qualifier, column)` as written, checked against the alias once FROM is read.
    qualifiers: Vec<String>,
}

const KEYWORDS: &[&str] = &[
    "SELECT", "FROM", "WHERE", "LIMIT", "AND", "OR", "AS", "CAST", "NOT", "ORDER", "GROUP", "BY", "HAVING", "JOIN",
    "UNION", "OFFSET",
];

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn is_keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn expect_keyword(&mut self, kw: &str) -> Result<(), QueryError> {
        if self.is_keyword(kw) {
            self.at += 1;
            Ok(())
        } else {
            Err(unsupported(format!("expected {kw}, found {}", describe(self.peek()))))
        }
    }

    fn is_sym(&self, sym: &str) -> bool {
        matches!(self.peek(), Some(Token::Sym(s)) if *s == sym)
    }

    /// `[qualifier.]name`: `_N`, a word or a `"quoted"` name.
    fn column(&mut self) -> Result<Column, QueryError> {
        let first = self.name_part()?;
        if self.is_sym(".") {
            self.at += 1;
            let (name, quoted) = self.name_part()?;
            self.qualifiers.push(first.0);
            return column_of(name, quoted);
        }
        column_of(first.0, first.1)
    }

    fn name_part(&mut self) -> Result<(String, bool), QueryError> {
        match self.next() {
            Some(Token::Word(w)) if !KEYWORDS.iter().any(|k| w.eq_ignore_ascii_case(k)) => Ok((w, false)),
            Some(Token::Quoted(q)) => Ok((q, true)),
            other => Err(unsupported(format!("expected a column, found {}", describe(other.as_ref())))),
        }
    }

    fn operand(&mut self) -> Result<Operand, QueryError> {
        if !self.is_keyword("CAST") {
            return Ok(Operand { column: self.column()?, numeric: false });
        }
        self.at += 1;
        if !self.is_sym("(") {
            return Err(unsupported("CAST must be followed by ("));
        }
        self.at += 1;
        let column = self.column()?;
        self.expect_keyword("AS")?;
        let numeric = match self.next() {
            Some(Token::Word(t)) => match t.to_ascii_uppercase().as_str() {
                "INT" | "INTEGER" | "FLOAT" | "DECIMAL" | "NUMERIC" => true,
                "STRING" => false,
                _ => {
                    return Err(unsupported(format!(
                        "CAST to {t} (supported: INT, INTEGER, FLOAT, DECIMAL, NUMERIC, STRING)"
                    )));
                }
            },
            other => return Err(unsupported(format!("expected a type after AS, found {}", describe(other.as_ref())))),
        };
        if !self.is_sym(")") {
            return Err(unsupported("CAST(... AS type must be closed with )"));
        }
        self.at += 1;
        Ok(Operand { column, numeric })
    }

    fn comparison(&mut self) -> Result<Cond, QueryError> {
        let left = self.operand()?;
        let op = match self.next() {
            Some(Token::Sym("=")) => Op::Eq,
            Some(Token::Sym("!=" | "<>")) => Op::Ne,
            Some(Token::Sym("<")) => Op::Lt,
            Some(Token::Sym("<=")) => Op::Le,
            Some(Token::Sym(">")) => Op::Gt,
            Some(Token::Sym(">=")) => Op::Ge,
            other => {
                return Err(unsupported(format!(
                    "expected a comparison (= != <> < <= > >=), found {}",
                    describe(other.as_ref())
                )));
            }
        };
        let right = match self.next() {
            Some(Token::Str(s)) => Literal { text: s, number: None },
            Some(Token::Number(n)) => match n.parse::<f64>() {
                Ok(v) => Literal { text: n, number: Some(v) },
                Err(_) => return Err(unsupported(format!("{n} is not a number"))),
            },
            other => {
                return Err(unsupported(format!(
                    "a column is compared with a literal ('text' or a number), found {}",
                    describe(other.as_ref())
                )));
            }
        };
        Ok(Cond::Cmp(left, op, right))
    }

    fn conjunction(&mut self) -> Result<Cond, QueryError> {
        let mut cond = self.comparison()?;
        while self.is_keyword("AND") {
            self.at += 1;
            cond = Cond::And(Box::new(cond), Box::new(self.comparison()?));
        }
        Ok(cond)
    }

    fn disjunction(&mut self) -> Result<Cond, QueryError> {
        let mut cond = self.conjunction()?;
        while self.is_keyword("OR") {
            self.at += 1;
            cond = Cond::Or(Box::new(cond), Box::new(self.conjunction()?));
        }
        Ok(cond)
    }
}

fn column_of(name: String, quoted: bool) -> Result<Column, QueryError> {
    if !quoted
        && let Some(digits) = name.strip_prefix('_')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return match digits.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(Column::Index(n)),
            _ => Err(QueryError::new(
                "InvalidColumnIndex",
                format!("The column index {name} is invalid: columns are _1, _2, ..."),
            )),
        };
    }
    Ok(Column::Name(name))
}

fn describe(t: Option<&Token>) -> String {
    match t {
        None => "the end of the expression".into(),
        Some(Token::Word(w)) => format!("{w:?}"),
        Some(Token::Quoted(q)) => format!("\"{q}\""),
        Some(Token::Number(n)) => n.clone(),
        Some(Token::Str(s)) => format!("'{s}'"),
        Some(Token::Sym(s)) => format!("{s:?}"),
    }
}

/// Parses `sql` as the supported subset.
pub(crate) fn parse(sql: &str) -> Result<Query, QueryError> {
    let mut p = Parser { tokens: tokenize(sql)?, at: 0, qualifiers: Vec::new() };
    p.expect_keyword("SELECT")?;
    let columns = if p.is_sym("*") {
        p.at += 1;
        None
    } else {
        let mut columns = vec![p.column()?];
        while p.is_sym(",") {
            p.at += 1;
            columns.push(p.column()?);
        }
        Some(columns)
    };
    p.expect_keyword("FROM")?;
    match p.next() {
        Some(Token::Word(w)) if w.eq_ignore_ascii_case("COSObject") => {}
        other => return Err(unsupported(format!("FROM names COSObject, not {}", describe(other.as_ref())))),
    }
    let mut alias = None;
    if let Some(Token::Word(w)) = p.peek()
        && !KEYWORDS.iter().any(|k| w.eq_ignore_ascii_case(k))
    {
        alias = Some(w.clone());
        p.at += 1;
    }
    let filter = if p.is_keyword("WHERE") {
        p.at += 1;
        Some(p.disjunction()?)
    } else {
        None
    };
    let limit = if p.is_keyword("LIMIT") {
        p.at += 1;
        match p.next() {
            Some(Token::Number(n)) => {
                Some(n.parse::<u64>().map_err(|_| unsupported(format!("LIMIT takes a whole number, not {n}")))?)
            }
            other => return Err(unsupported(format!("LIMIT takes a whole number, not {}", describe(other.as_ref())))),
        }
    } else {
        None
    };
    if let Some(t) = p.peek() {
        return Err(unsupported(format!("unexpected {} after the query", describe(Some(t)))));
    }
    for q in &p.qualifiers {
        let known = alias.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(q)) || q.eq_ignore_ascii_case("COSObject");
        if !known {
            return Err(QueryError::new(
                "EvaluatorBindingDoesNotExist",
                format!("{q} is neither COSObject nor the alias given after FROM."),
            ));
        }
    }
    Ok(Query { columns, filter, limit })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> Column {
        Column::Name(n.into())
    }

    #[test]
    fn the_subset_parses() {
        let q = parse("select * from COSObject").unwrap();
        assert_eq!(q, Query { columns: None, filter: None, limit: None });
        let q = parse("SELECT s._1, s.\"the name\", age FROM cosobject s WHERE s._3 >= 10 AND name <> 'O''Brien' OR _2 = -1.5 LIMIT 3")
            .unwrap();
        assert_eq!(q.columns, Some(vec![Column::Index(1), name("the name"), name("age")]));
        assert_eq!(q.limit, Some(3));
        let cmp = |c, op, text: &str, number| {
            Cond::Cmp(Operand { column: c, numeric: false }, op, Literal { text: text.into(), number })
        };
        assert_eq!(
            q.filter,
            Some(Cond::Or(
                Box::new(Cond::And(
                    Box::new(cmp(Column::Index(3), Op::Ge, "10", Some(10.0))),
                    Box::new(cmp(name("name"), Op::Ne, "O'Brien", None)),
                )),
                Box::new(cmp(Column::Index(2), Op::Eq, "-1.5", Some(-1.5))),
            ))
        );
        let q = parse("Select s._1 from COSObject s where cast(s._3 as int) > 100").unwrap();
        assert!(matches!(q.filter, Some(Cond::Cmp(Operand { numeric: true, .. }, Op::Gt, _))));
    }

    #[test]
    fn everything_else_is_refused_with_a_reason() {
        for (sql, code, says) in [
            ("SELECT count(*) FROM COSObject", "UnsupportedSyntax", "expected FROM, found \"(\""),
            ("SELECT * FROM other", "UnsupportedSyntax", "FROM names COSObject"),
            ("SELECT * FROM COSObject WHERE _1 LIKE 'a%'", "UnsupportedSyntax", "expected a comparison"),
            ("SELECT * FROM COSObject WHERE _1 = _2", "UnsupportedSyntax", "compared with a literal"),
            ("SELECT * FROM COSObject LIMIT x", "UnsupportedSyntax", "LIMIT takes a whole number"),
            ("SELECT * FROM COSObject ORDER BY _1", "UnsupportedSyntax", "unexpected \"ORDER\""),
            ("SELECT _0 FROM COSObject", "InvalidColumnIndex", "_0"),
            ("SELECT t._1 FROM COSObject s", "EvaluatorBindingDoesNotExist", "t is neither"),
            ("SELECT * FROM COSObject WHERE _1 = 'open", "UnsupportedSyntax", "never closed"),
            ("SELECT * FROM COSObject; DROP", "UnsupportedSyntax", "';'"),
            ("", "UnsupportedSyntax", "expected SELECT, found the end"),
        ] {
            let e = parse(sql).unwrap_err();
            assert_eq!(e.code, code, "{sql}");
            assert!(e.message.contains(says), "{sql}: {}", e.message);
        }
    }
}
