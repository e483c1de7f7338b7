//! Cross-origin resource sharing: `get_bucket_cors`, `put_bucket_cors`, `delete_bucket_cors`.

use crate::api::call::Call;
use crate::api::xml_body::{XmlBody, meta_of};
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Headers, Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml::{Element, XmlWriter};

/// The methods a CORS rule may allow.
const CORS_METHODS: [&str; 5] = ["GET", "PUT", "POST", "DELETE", "HEAD"];

/// One CORS rule (`<CORSRule>`).
///
/// ```
/// use tencent_cos::api::CorsRule;
/// let rule = CorsRule::new()
///     .allowed_origin("https://www.example.com")
///     .allowed_methods(["GET", "HEAD"])
///     .allowed_header("*")
///     .expose_header("ETag")
///     .max_age_seconds(600);
/// assert_eq!(rule.allowed_methods, ["GET", "HEAD"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CorsRule {
    /// ID, optional.
    pub id: Option<String>,
    /// AllowedOrigins, e.g. `https://www.example.com`, `http://*.example.org`, `*`. At least one.
    pub allowed_origins: Vec<String>,
    /// AllowedMethods: `GET`, `PUT`, `POST`, `DELETE`, `HEAD`. At least one.
    pub allowed_methods: Vec<String>,
    /// AllowedHeaders a preflight may ask for (`*` allowed).
    pub allowed_headers: Vec<String>,
    /// ExposeHeaders the browser may read.
    pub expose_headers: Vec<String>,
    /// MaxAgeSeconds: how long a preflight answer may be cached.
    pub max_age_seconds: Option<u64>,
}

impl CorsRule {
    /// An empty rule; add at least one origin and one method.
    pub fn new() -> CorsRule {
        CorsRule::default()
    }

    /// Sets the ID.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Adds an allowed origin.
    pub fn allowed_origin(mut self, origin: impl Into<String>) -> Self {
        self.allowed_origins.push(origin.into());
        self
    }

    /// Adds allowed origins.
    pub fn allowed_origins<S: Into<String>>(mut self, origins: impl IntoIterator<Item = S>) -> Self {
        self.allowed_origins.extend(origins.into_iter().map(Into::into));
        self
    }

    /// Adds an allowed method.
    pub fn allowed_method(mut self, method: impl Into<String>) -> Self {
        self.allowed_methods.push(method.into());
        self
    }

    /// Adds allowed methods.
    pub fn allowed_methods<S: Into<String>>(mut self, methods: impl IntoIterator<Item = S>) -> Self {
        self.allowed_methods.extend(methods.into_iter().map(Into::into));
        self
    }

    /// Adds an allowed header.
    pub fn allowed_header(mut self, header: impl Into<String>) -> Self {
        self.allowed_headers.push(header.into());
        self
    }

    /// Adds allowed headers.
    pub fn allowed_headers<S: Into<String>>(mut self, headers: impl IntoIterator<Item = S>) -> Self {
        self.allowed_headers.extend(headers.into_iter().map(Into::into));
        self
    }

    /// Adds an exposed header.
    pub fn expose_header(mut self, header: impl Into<String>) -> Self {
        self.expose_headers.push(header.into());
        self
    }

    /// Adds exposed headers.
    pub fn expose_headers<S: Into<String>>(mut self, headers: impl IntoIterator<Item = S>) -> Self {
        self.expose_headers.extend(headers.into_iter().map(Into::into));
        self
    }

    /// Sets MaxAgeSeconds.
    pub fn max_age_seconds(mut self, seconds: u64) -> Self {
        self.max_age_seconds = Some(seconds);
        self
    }

    fn validate(&self, index: usize) -> Result<()> {
        if self.allowed_origins.iter().all(|o| o.is_empty()) {
            return Err(Error::invalid("cors_rules", format!("rule {index} needs at least one allowed origin")));
        }
        if self.allowed_methods.is_empty() {
            return Err(Error::invalid("cors_rules", format!("rule {index} needs at least one allowed method")));
        }
        if let Some(m) = self.allowed_methods.iter().find(|m| !CORS_METHODS.contains(&m.as_str())) {
            return Err(Error::invalid(
                "cors_rules",
                format!("rule {index}: method {m:?} is not one of GET, PUT, POST, DELETE, HEAD"),
            ));
        }
        Ok(())
    }

    fn write(&self, w: &mut XmlWriter) -> Result<()> {
        const FIELD: &str = "cors_rules";
        w.open("CORSRule");
        if let Some(id) = &self.id {
            w.leaf("ID", id, FIELD)?;
        }
        let lists = [
            ("AllowedOrigin", &self.allowed_origins),
            ("AllowedMethod", &self.allowed_methods),
            ("AllowedHeader", &self.allowed_headers),
            ("ExposeHeader", &self.expose_headers),
        ];
        for (tag, values) in lists {
            for v in values {
                w.leaf(tag, v, FIELD)?;
            }
        }
        if let Some(age) = self.max_age_seconds {
            w.leaf("MaxAgeSeconds", &age.to_string(), FIELD)?;
        }
        w.close("CORSRule");
        Ok(())
    }

    fn from_element(e: Element<'_, '_>) -> Result<CorsRule> {
        let all = |name| e.children(name).map(|c| c.text()).collect();
        Ok(CorsRule {
            id: e.opt_text("ID"),
            allowed_origins: all("AllowedOrigin"),
            allowed_methods: all("AllowedMethod"),
            allowed_headers: all("AllowedHeader"),
            expose_headers: all("ExposeHeader"),
            max_age_seconds: e.opt_number("MaxAgeSeconds")?,
        })
    }
}

/// Input of `get_bucket_cors` (`GET /?cors`): no parameters.
///
/// ```
/// use tencent_cos::api::GetBucketCorsInput;
/// use tencent_cos::operation::Operation;
/// assert_eq!(GetBucketCorsInput.build()?.query, vec![("cors".to_string(), String::new())]);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct GetBucketCorsInput;

/// Output of `get_bucket_cors`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBucketCorsOutput {
    /// CORSRules, in order; empty for a bucket without a CORS configuration.
    pub rules: Vec<CorsRule>,
    /// ResponseVary, when set.
    pub response_vary: Option<bool>,
    /// Status and every response header. For an unconfigured bucket the status is 404 and the
    /// headers hold only `x-cos-request-id` (from the error).
    pub meta: ResponseMeta,
}

impl Operation for GetBucketCorsInput {
    type Output = GetBucketCorsOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Get).with_query("cors", ""))
    }

    fn parse(&mut self, response: Response) -> Result<GetBucketCorsOutput> {
        let body = XmlBody::read(response)?;
        let doc = body.document()?;
        let root = body.root(&doc, "CORSConfiguration")?;
        let rules = root.children("CORSRule").map(CorsRule::from_element).collect::<Result<_>>()?;
        Ok(GetBucketCorsOutput { rules, response_vary: root.opt_bool("ResponseVary")?, meta: body.meta })
    }

    /// A bucket without CORS answers 404 NoSuchCORSConfiguration: no rules, as the JS SDK says.
    fn recover(&mut self, error: Error) -> Result<GetBucketCorsOutput> {
        match error.service() {
            Some(e) if e.status == 404 && e.code == "NoSuchCORSConfiguration" => {
                let mut headers = Headers::new();
                if let Some(id) = &e.request_id {
                    headers.insert("x-cos-request-id", id.clone());
                }
                Ok(GetBucketCorsOutput {
                    rules: Vec::new(),
                    response_vary: None,
                    meta: ResponseMeta { status: 404, headers },
                })
            }
            _ => Err(error),
        }
    }
}

/// Builder returned by [`Bucket::get_bucket_cors`]; `.send()` runs it.
pub type GetBucketCors<'a> = Call<'a, GetBucketCorsInput>;

/// Input of `put_bucket_cors` (`PUT /?cors`): the rules, checked before sending.
///
/// ```
/// use tencent_cos::api::{CorsRule, PutBucketCorsInput};
/// use tencent_cos::operation::Operation;
/// let mut input = PutBucketCorsInput {
///     rules: vec![CorsRule::new().allowed_origin("*").allowed_method("GET")],
///     response_vary: None,
/// };
/// let request = input.build()?;
/// assert_eq!(
///     request.body.as_bytes().unwrap(),
///     b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>\
///       <AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>"
/// );
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct PutBucketCorsInput {
    /// CORSRules: at least one.
    pub rules: Vec<CorsRule>,
    /// ResponseVary: send `Vary: Origin` with CORS answers.
    pub response_vary: Option<bool>,
}

/// Output of `put_bucket_cors`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutBucketCorsOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for PutBucketCorsInput {
    type Output = PutBucketCorsOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        // CORSRules is optional in the reference: no rules send an empty configuration and COS
        // decides (to remove every rule, `delete_bucket_cors` is the call COS documents).
        for (i, rule) in self.rules.iter().enumerate() {
            rule.validate(i)?;
        }
        let mut w = XmlWriter::with_capacity(64 + 400 * self.rules.len());
        w.open("CORSConfiguration");
        for rule in &self.rules {
            rule.write(&mut w)?;
        }
        if let Some(vary) = self.response_vary {
            w.leaf("ResponseVary", if vary { "true" } else { "false" }, "response_vary")?;
        }
        w.close("CORSConfiguration");
        Ok(OperationRequest::new(Method::Put).with_query("cors", "").with_xml_body(w.finish()))
    }

    fn parse(&mut self, response: Response) -> Result<PutBucketCorsOutput> {
        Ok(PutBucketCorsOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::put_bucket_cors`]; every parameter is a method, `.send()` runs it.
pub type PutBucketCors<'a> = Call<'a, PutBucketCorsInput>;

impl PutBucketCors<'_> {
    /// Adds a rule (CORSRules).
    ///
    /// ```no_run
    /// use tencent_cos::api::CorsRule;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_cors()
    ///     .rule(CorsRule::new().allowed_origin("*").allowed_methods(["GET", "HEAD"]).max_age_seconds(600))
    ///     .send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn rule(mut self, rule: CorsRule) -> Self {
        self.input.rules.push(rule);
        self
    }

    /// Adds rules (CORSRules).
    ///
    /// ```no_run
    /// use tencent_cos::api::CorsRule;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let rules = vec![
    ///     CorsRule::new().allowed_origin("https://a.example.com").allowed_method("GET"),
    ///     CorsRule::new().allowed_origin("https://b.example.com").allowed_method("PUT"),
    /// ];
    /// bucket.put_bucket_cors().rules(rules).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn rules(mut self, rules: impl IntoIterator<Item = CorsRule>) -> Self {
        self.input.rules.extend(rules);
        self
    }

    /// ResponseVary: answer CORS requests with `Vary: Origin`.
    ///
    /// ```no_run
    /// use tencent_cos::api::CorsRule;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_cors()
    ///     .rule(CorsRule::new().allowed_origin("*").allowed_method("GET"))
    ///     .response_vary(true)
    ///     .send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn response_vary(mut self, on: bool) -> Self {
        self.input.response_vary = Some(on);
        self
    }
}

/// Input of `delete_bucket_cors` (`DELETE /?cors`): no parameters.
///
/// ```
/// use tencent_cos::api::DeleteBucketCorsInput;
/// use tencent_cos::http::Method;
/// use tencent_cos::operation::Operation;
/// assert_eq!(DeleteBucketCorsInput.build()?.method, Method::Delete);
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct DeleteBucketCorsInput;

/// Output of `delete_bucket_cors`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteBucketCorsOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for DeleteBucketCorsInput {
    type Output = DeleteBucketCorsOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        Ok(OperationRequest::new(Method::Delete).with_query("cors", ""))
    }

    fn parse(&mut self, response: Response) -> Result<DeleteBucketCorsOutput> {
        Ok(DeleteBucketCorsOutput { meta: meta_of(&response) })
    }
}

/// Builder returned by [`Bucket::delete_bucket_cors`]; `.send()` runs it.
pub type DeleteBucketCors<'a> = Call<'a, DeleteBucketCorsInput>;

impl Bucket {
    /// Reads the bucket's CORS rules; an unconfigured bucket has none (not an error).
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// for rule in bucket.get_bucket_cors().send()?.rules {
    ///     println!("{:?} may {:?}", rule.allowed_origins, rule.allowed_methods);
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn get_bucket_cors(&self) -> GetBucketCors<'_> {
        GetBucketCors { bucket: self, input: GetBucketCorsInput }
    }

    /// Replaces the bucket's CORS rules.
    ///
    /// ```no_run
    /// use tencent_cos::api::CorsRule;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_cors()
    ///     .rule(CorsRule::new().allowed_origin("https://www.example.com").allowed_methods(["GET", "PUT"]))
    ///     .send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_bucket_cors(&self) -> PutBucketCors<'_> {
        PutBucketCors { bucket: self, input: PutBucketCorsInput::default() }
    }

    /// Removes the bucket's CORS configuration.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.delete_bucket_cors().send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn delete_bucket_cors(&self) -> DeleteBucketCors<'_> {
        DeleteBucketCors { bucket: self, input: DeleteBucketCorsInput }
    }
}
