//! What the XML bucket-configuration calls share (website, referer, encryption, replication,
//! logging, domain, origin, intelligent tiering): a configuration document that is checked,
//! written and read by one type, and the macros that build each call's `*Input` (pure
//! `build`/`parse`), output (typed, keeping status and headers) and builder on `Bucket`.

use crate::error::{Error, Result};
use crate::xml::{Element, XmlWriter};

/// A configuration document: its root, its checks, its writer and its reader.
pub(crate) trait XmlConfig: Sized {
    /// The root element (`WebsiteConfiguration`).
    const ROOT: &'static str;
    /// Refuses what COS would refuse, naming the field.
    fn validate(&self) -> Result<()>;

    /// Writes the children of the root.
    fn write_children(&self, w: &mut XmlWriter) -> Result<()>;

    /// Reads the root element.
    fn read(root: Element<'_, '_>) -> Result<Self>;

    /// The whole document, checked.
    fn to_xml(&self) -> Result<String> {
        self.validate()?;
        let mut w = XmlWriter::with_capacity(256);
        w.open(Self::ROOT);
        self.write_children(&mut w)?;
        w.close(Self::ROOT);
        Ok(w.finish())
    }
}

/// Writes `<tag>text</tag>` when `text` is set.
pub(crate) fn opt_leaf(w: &mut XmlWriter, tag: &str, text: &Option<String>, field: &'static str) -> Result<()> {
    if let Some(t) = text {
        w.leaf(tag, t, field)?;
    }
    Ok(())
}

/// The text of child `name`, trimmed of the indentation some answers carry around values that
/// are names (statuses, types); `None` when absent.
pub(crate) fn trimmed(e: &Element<'_, '_>, name: &str) -> Option<String> {
    e.opt_text(name).map(|s| s.trim().to_owned())
}

/// `Err` naming `field` when `value` is not one of `allowed`.
pub(crate) fn one_of(field: &'static str, what: &str, value: &str, allowed: &[&str]) -> Result<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid(field, format!("{what} {value:?} is not one of {}", allowed.join(", "))))
    }
}

/// The output for a "never configured" 404: the empty configuration, status 404, and the
/// request id of the error as the only header.
pub(crate) fn empty_meta(e: &crate::error::ServiceError) -> crate::http::ResponseMeta {
    let mut headers = crate::http::Headers::new();
    if let Some(id) = &e.request_id {
        headers.insert("x-cos-request-id", id.clone());
    }
    crate::http::ResponseMeta { status: e.status, headers }
}

/// GET `/?$query`: `$input` (unit struct), `$output { $field: $config, meta }`, builder
/// `$builder`, and `Bucket::$method`. `empty: [codes]` lists the 404 codes read as the empty
/// (default) configuration, as the node SDK does.
macro_rules! config_get {
    (
        $config:ty, $query:literal, $field:ident, empty: [$($code:literal),*],
        $method:ident, $builder:ident, $input:ident, $output:ident, $doc:literal
    ) => {
        #[doc = concat!("Input of `", stringify!($method), "` (`GET /?", $query, "`): no parameters.")]
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $input;

        #[doc = concat!("Output of `", stringify!($method), "`.")]
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        pub struct $output {
            #[doc = concat!("The configuration (", stringify!($config), "); its default when none is set.")]
            pub $field: $config,
            /// Status and every response header (404 with only `x-cos-request-id` when a "never
            /// configured" error was read as empty).
            pub meta: $crate::http::ResponseMeta,
        }

        impl $crate::operation::Operation for $input {
            type Output = $output;

            fn build(&mut self) -> $crate::error::Result<$crate::operation::OperationRequest> {
                Ok($crate::operation::OperationRequest::new($crate::http::Method::Get).with_query($query, ""))
            }

            fn parse(&mut self, response: $crate::http::Response) -> $crate::error::Result<$output> {
                let body = $crate::api::xml_body::XmlBody::read(response)?;
                let doc = body.document()?;
                let root = body.root(&doc, <$config as $crate::api::bucket_config::XmlConfig>::ROOT)?;
                let $field = <$config as $crate::api::bucket_config::XmlConfig>::read(root)?;
                Ok($output { $field, meta: body.meta })
            }

            fn recover(&mut self, error: $crate::error::Error) -> $crate::error::Result<$output> {
                let codes: &[&str] = &[$($code),*];
                match error.service() {
                    Some(e) if e.status == 404 && codes.contains(&e.code.as_str()) => Ok($output {
                        $field: Default::default(),
                        meta: $crate::api::bucket_config::empty_meta(e),
                    }),
                    _ => Err(error),
                }
            }
        }

        #[doc = concat!("Builder returned by [`Bucket::", stringify!($method), "`](crate::Bucket::", stringify!($method), "); `.send()` runs it.")]
        pub type $builder<'a> = $crate::api::call::Call<'a, $input>;

        impl $crate::client::Bucket {
            #[doc = $doc]
            pub fn $method(&self) -> $builder<'_> {
                $builder { bucket: self, input: $input }
            }
        }
    };
}

/// PUT `/?$query` with the configuration as the body, checked before sending.
macro_rules! config_put {
    ($config:ty, $query:literal, $method:ident, $builder:ident, $input:ident, $output:ident, $doc:literal) => {
        #[doc = concat!("Input of `", stringify!($method), "` (`PUT /?", $query, "`): the configuration, checked before sending.")]
        #[derive(Clone, Debug, Default)]
        pub struct $input {
            /// The configuration to set (replaces the bucket's).
            pub config: $config,
        }

        #[doc = concat!("Output of `", stringify!($method), "`.")]
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        pub struct $output {
            /// Status and every response header.
            pub meta: $crate::http::ResponseMeta,
        }

        impl $crate::operation::Operation for $input {
            type Output = $output;

            fn build(&mut self) -> $crate::error::Result<$crate::operation::OperationRequest> {
                let body = $crate::api::bucket_config::XmlConfig::to_xml(&self.config)?;
                Ok($crate::operation::OperationRequest::new($crate::http::Method::Put)
                    .with_query($query, "")
                    .with_xml_body(body))
            }

            fn parse(&mut self, response: $crate::http::Response) -> $crate::error::Result<$output> {
                Ok($output { meta: $crate::api::xml_body::meta_of(&response) })
            }
        }

        #[doc = concat!("Builder returned by [`Bucket::", stringify!($method), "`](crate::Bucket::", stringify!($method), "); `.send()` runs it.")]
        pub type $builder<'a> = $crate::api::call::Call<'a, $input>;

        impl $crate::client::Bucket {
            #[doc = $doc]
            pub fn $method(&self, config: $config) -> $builder<'_> {
                $builder { bucket: self, input: $input { config } }
            }
        }
    };
}

/// DELETE `/?$query`.
macro_rules! config_delete {
    ($query:literal, $method:ident, $builder:ident, $input:ident, $output:ident, $doc:literal) => {
        #[doc = concat!("Input of `", stringify!($method), "` (`DELETE /?", $query, "`): no parameters.")]
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $input;

        #[doc = concat!("Output of `", stringify!($method), "`.")]
        #[derive(Clone, Debug, Default, PartialEq, Eq)]
        pub struct $output {
            /// Status and every response header.
            pub meta: $crate::http::ResponseMeta,
        }

        impl $crate::operation::Operation for $input {
            type Output = $output;

            fn build(&mut self) -> $crate::error::Result<$crate::operation::OperationRequest> {
                Ok($crate::operation::OperationRequest::new($crate::http::Method::Delete).with_query($query, ""))
            }

            fn parse(&mut self, response: $crate::http::Response) -> $crate::error::Result<$output> {
                Ok($output { meta: $crate::api::xml_body::meta_of(&response) })
            }
        }

        #[doc = concat!("Builder returned by [`Bucket::", stringify!($method), "`](crate::Bucket::", stringify!($method), "); `.send()` runs it.")]
        pub type $builder<'a> = $crate::api::call::Call<'a, $input>;

        impl $crate::client::Bucket {
            #[doc = $doc]
            pub fn $method(&self) -> $builder<'_> {
                $builder { bucket: self, input: $input }
            }
        }
    };
}

pub(crate) use {config_delete, config_get, config_put};
