//! `options_object`: a CORS preflight.

use crate::api::call::Call;
use crate::api::object::{builder_doc, header_text, push_header};
use crate::api::xml_body::meta_of;
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Headers, Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};

/// Input of `options_object`: pure data, no client.
///
/// ```
/// use tencent_cos::api::OptionsObjectInput;
/// use tencent_cos::operation::Operation;
/// let mut input = OptionsObjectInput {
///     key: "a.txt".into(),
///     origin: "https://www.example.com".into(),
///     access_control_request_method: "PUT".into(),
///     access_control_request_headers: None,
/// };
/// assert_eq!(input.build()?.headers.get("Origin"), Some("https://www.example.com"));
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptionsObjectInput {
    /// The object key.
    pub key: String,
    /// `Origin` (required).
    pub origin: String,
    /// `Access-Control-Request-Method` (required).
    pub access_control_request_method: String,
    /// `Access-Control-Request-Headers`.
    pub access_control_request_headers: Option<String>,
}

/// What `options_object` returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OptionsObjectOutput {
    /// Status and every header.
    pub meta: ResponseMeta,
    /// True for a 403: the bucket's CORS rules do not allow this request (or it has none).
    pub options_forbidden: bool,
    /// `Access-Control-Allow-Origin`.
    pub access_control_allow_origin: Option<String>,
    /// `Access-Control-Allow-Methods`, split at commas.
    pub access_control_allow_methods: Vec<String>,
    /// `Access-Control-Allow-Headers`, split at commas.
    pub access_control_allow_headers: Vec<String>,
    /// `Access-Control-Expose-Headers`, split at commas.
    pub access_control_expose_headers: Vec<String>,
    /// `Access-Control-Max-Age`, in seconds; `None` when absent or not a number.
    pub access_control_max_age: Option<u64>,
}

fn comma_list(headers: &Headers, name: &str) -> Vec<String> {
    headers
        .get(name)
        .map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default()
}

impl Operation for OptionsObjectInput {
    type Output = OptionsObjectOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        if self.origin.is_empty() {
            return Err(Error::invalid("origin", "is required"));
        }
        if self.access_control_request_method.is_empty() {
            return Err(Error::invalid("access_control_request_method", "is required"));
        }
        let mut request = OperationRequest::new(Method::Options).with_key(self.key.clone());
        let h = &mut request.headers;
        push_header(h, "Origin", Some(&self.origin));
        push_header(h, "Access-Control-Request-Method", Some(&self.access_control_request_method));
        push_header(h, "Access-Control-Request-Headers", self.access_control_request_headers.as_deref());
        Ok(request)
    }

    fn parse(&mut self, response: Response) -> Result<OptionsObjectOutput> {
        let h = &response.headers;
        Ok(OptionsObjectOutput {
            options_forbidden: response.status == 403,
            access_control_allow_origin: header_text(h, "access-control-allow-origin"),
            access_control_allow_methods: comma_list(h, "access-control-allow-methods"),
            access_control_allow_headers: comma_list(h, "access-control-allow-headers"),
            access_control_expose_headers: comma_list(h, "access-control-expose-headers"),
            access_control_max_age: h.get("access-control-max-age").and_then(|v| v.trim().parse().ok()),
            meta: meta_of(&response),
        })
    }

    fn accepts_status(&self, status: u16) -> bool {
        (200..300).contains(&status) || status == 403
    }
}

/// Builder returned by [`Bucket::options_object`]; `.send()` runs it.
pub type OptionsObject<'a> = Call<'a, OptionsObjectInput>;

impl OptionsObject<'_> {
    /// `Access-Control-Request-Headers`: the headers the real request will carry.
    ///
    #[doc = builder_doc!("options_object(\"a.txt\")", "origin(\"https://www.example.com\").access_control_request_method(\"PUT\").access_control_request_headers(\"content-type,x-cos-meta-author\")")]
    pub fn access_control_request_headers(mut self, headers: impl Into<String>) -> Self {
        self.input.access_control_request_headers = Some(headers.into());
        self
    }

    /// `Origin` (required): the site the cross-origin request would come from.
    ///
    #[doc = builder_doc!("options_object(\"a.txt\")", "origin(\"https://www.example.com\").access_control_request_method(\"GET\")")]
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.input.origin = origin.into();
        self
    }

    /// `Access-Control-Request-Method` (required): the method of the real request.
    ///
    #[doc = builder_doc!("options_object(\"a.txt\")", "origin(\"https://www.example.com\").access_control_request_method(\"PUT\")")]
    pub fn access_control_request_method(mut self, method: impl Into<String>) -> Self {
        self.input.access_control_request_method = method.into();
        self
    }
}

impl Bucket {
    /// OPTIONS Object: asks whether a cross-origin request from [`origin`](OptionsObject::origin)
    /// with [`access_control_request_method`](OptionsObject::access_control_request_method)
    /// would be allowed. A 403 is `options_forbidden: true`, not an error.
    ///
    /// A missing `origin` or `access_control_request_method` fails before any request.
    ///
    /// ```no_run
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let out = bucket.options_object("a.txt").origin("https://www.example.com").access_control_request_method("PUT").send()?;
    /// if !out.options_forbidden {
    ///     println!("allowed: {:?}", out.access_control_allow_methods);
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn options_object(&self, key: impl Into<String>) -> OptionsObject<'_> {
        OptionsObject { bucket: self, input: OptionsObjectInput { key: key.into(), ..Default::default() } }
    }
}
