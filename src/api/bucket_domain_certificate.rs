//! Certificates of custom domains (a Go SDK call, not in the node SDK):
//! `put_bucket_domain_certificate`, `get_bucket_domain_certificate(domain)`,
//! `delete_bucket_domain_certificate(domain)` (`?domaincertificate[&domainname=]`).

use crate::api::bucket_config::{XmlConfig, trimmed};
use crate::api::call::Call;
use crate::api::xml_body::{XmlBody, meta_of};
use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::http::{Method, Response, ResponseMeta};
use crate::operation::{Operation, OperationRequest};
use crate::xml::{Element, XmlWriter};

const FIELD: &str = "domain_certificate";

/// `<DomainCertificate>` of a put: a custom certificate and the domains it serves.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DomainCertificate {
    /// CertificateInfo/CertType (`CustomCert`).
    pub cert_type: String,
    /// CustomCert/Cert: the certificate chain, PEM.
    pub cert: String,
    /// CustomCert/PrivateKey: the key, PEM (never printed).
    pub private_key: String,
    /// DomainList/DomainName: the custom domains (bound with `put_bucket_domain` first).
    pub domains: Vec<String>,
}

impl std::fmt::Debug for DomainCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DomainCertificate")
            .field("cert_type", &self.cert_type)
            .field("cert", &self.cert)
            .field("private_key", &"<redacted>")
            .field("domains", &self.domains)
            .finish()
    }
}

impl DomainCertificate {
    /// A custom certificate (PEM chain and key), for no domain yet.
    pub fn custom(cert: impl Into<String>, private_key: impl Into<String>) -> Self {
        DomainCertificate {
            cert_type: "CustomCert".into(),
            cert: cert.into(),
            private_key: private_key.into(),
            domains: Vec::new(),
        }
    }

    /// Adds a domain the certificate serves.
    pub fn domain(mut self, name: impl Into<String>) -> Self {
        self.domains.push(name.into());
        self
    }
}

impl XmlConfig for DomainCertificate {
    const ROOT: &'static str = "DomainCertificate";

    fn validate(&self) -> Result<()> {
        if self.cert_type != "CustomCert" {
            return Err(Error::invalid(FIELD, format!("CertType {:?} is not CustomCert", self.cert_type)));
        }
        if self.cert.trim().is_empty() || self.private_key.trim().is_empty() {
            return Err(Error::invalid(FIELD, "the certificate and its private key are both needed"));
        }
        if self.domains.is_empty() {
            return Err(Error::invalid(FIELD, "at least one domain is needed"));
        }
        if let Some(i) = self.domains.iter().position(|d| d.trim().is_empty()) {
            return Err(Error::invalid(FIELD, format!("domain {i} is empty")));
        }
        Ok(())
    }

    fn write_children(&self, w: &mut XmlWriter) -> Result<()> {
        w.open("CertificateInfo");
        w.leaf("CertType", &self.cert_type, FIELD)?;
        w.open("CustomCert");
        w.leaf("Cert", &self.cert, FIELD)?;
        w.leaf("PrivateKey", &self.private_key, FIELD)?;
        w.close("CustomCert");
        w.close("CertificateInfo");
        w.open("DomainList");
        for d in &self.domains {
            w.leaf("DomainName", d, FIELD)?;
        }
        w.close("DomainList");
        Ok(())
    }

    fn read(root: Element<'_, '_>) -> Result<Self> {
        let info = root.child("CertificateInfo");
        let custom = info.and_then(|i| i.child("CustomCert"));
        Ok(DomainCertificate {
            cert_type: info.and_then(|i| trimmed(&i, "CertType")).unwrap_or_default(),
            cert: custom.and_then(|c| c.opt_text("Cert")).unwrap_or_default(),
            private_key: custom.and_then(|c| c.opt_text("PrivateKey")).unwrap_or_default(),
            domains: match root.child("DomainList") {
                Some(l) => l.children("DomainName").map(|d| d.text()).collect(),
                None => Vec::new(),
            },
        })
    }
}

fn check_domain(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid(FIELD, "the domain name is empty"));
    }
    Ok(())
}

/// Input of `put_bucket_domain_certificate` (`PUT /?domaincertificate`).
#[derive(Clone, Debug, Default)]
pub struct PutBucketDomainCertificateInput {
    /// The certificate, checked before sending.
    pub certificate: DomainCertificate,
}

/// Output of `put_bucket_domain_certificate` and `delete_bucket_domain_certificate`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DomainCertificateOutput {
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for PutBucketDomainCertificateInput {
    type Output = DomainCertificateOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        let body = self.certificate.to_xml()?;
        Ok(OperationRequest::new(Method::Put).with_query("domaincertificate", "").with_xml_body(body))
    }

    fn parse(&mut self, response: Response) -> Result<DomainCertificateOutput> {
        Ok(DomainCertificateOutput { meta: meta_of(&response) })
    }
}

/// Input of `get_bucket_domain_certificate` (`GET /?domaincertificate&domainname=`).
#[derive(Clone, Debug, Default)]
pub struct GetBucketDomainCertificateInput {
    /// The domain.
    pub domain_name: String,
}

/// Output of `get_bucket_domain_certificate`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetBucketDomainCertificateOutput {
    /// Status of the domain's certificate (`ENABLED`).
    pub status: String,
    /// Status and every response header.
    pub meta: ResponseMeta,
}

impl Operation for GetBucketDomainCertificateInput {
    type Output = GetBucketDomainCertificateOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        check_domain(&self.domain_name)?;
        Ok(OperationRequest::new(Method::Get)
            .with_query("domaincertificate", "")
            .with_query("domainname", self.domain_name.clone()))
    }

    fn parse(&mut self, response: Response) -> Result<GetBucketDomainCertificateOutput> {
        let body = XmlBody::read(response)?;
        let doc = body.document()?;
        let root = body.root(&doc, "DomainCertificate")?;
        Ok(GetBucketDomainCertificateOutput { status: trimmed(&root, "Status").unwrap_or_default(), meta: body.meta })
    }
}

/// Input of `delete_bucket_domain_certificate` (`DELETE /?domaincertificate&domainname=`).
#[derive(Clone, Debug, Default)]
pub struct DeleteBucketDomainCertificateInput {
    /// The domain.
    pub domain_name: String,
}

impl Operation for DeleteBucketDomainCertificateInput {
    type Output = DomainCertificateOutput;

    fn build(&mut self) -> Result<OperationRequest> {
        check_domain(&self.domain_name)?;
        Ok(OperationRequest::new(Method::Delete)
            .with_query("domaincertificate", "")
            .with_query("domainname", self.domain_name.clone()))
    }

    fn parse(&mut self, response: Response) -> Result<DomainCertificateOutput> {
        Ok(DomainCertificateOutput { meta: meta_of(&response) })
    }
}

impl Bucket {
    /// Sets the certificate of custom domains of the bucket.
    ///
    /// ```no_run
    /// use tencent_cos::api::DomainCertificate;
    /// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
    /// # let (cert_pem, key_pem) = (String::new(), String::new());
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// bucket.put_bucket_domain_certificate(DomainCertificate::custom(cert_pem, key_pem).domain("www.example.com")).send()?;
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn put_bucket_domain_certificate(
        &self,
        certificate: DomainCertificate,
    ) -> Call<'_, PutBucketDomainCertificateInput> {
        Call { bucket: self, input: PutBucketDomainCertificateInput { certificate } }
    }

    /// Reads the status of the certificate of `domain_name`.
    pub fn get_bucket_domain_certificate(
        &self,
        domain_name: impl Into<String>,
    ) -> Call<'_, GetBucketDomainCertificateInput> {
        Call { bucket: self, input: GetBucketDomainCertificateInput { domain_name: domain_name.into() } }
    }

    /// Removes the certificate of `domain_name`.
    pub fn delete_bucket_domain_certificate(
        &self,
        domain_name: impl Into<String>,
    ) -> Call<'_, DeleteBucketDomainCertificateInput> {
        Call { bucket: self, input: DeleteBucketDomainCertificateInput { domain_name: domain_name.into() } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::parse_document;

    /// Any text XML can carry (a seeded mix of markup, CR, tabs, wide and astral characters)
    /// reads back the same from the body the writer makes.
    #[test]
    fn any_text_round_trips_through_the_writer() {
        const PIECES: &[&str] =
            &["&", "<", ">", "\"", "'", "\r", "\r\n", "\t", " ", "a", "é", "中", "😀", "]]>", "\u{FFFD}"];
        let mut seed: u64 = 0xD0C3_0001;
        let mut next = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize
        };
        for case in 0..500 {
            let mut text = |n: usize| (0..n).map(|_| PIECES[next() % PIECES.len()]).collect::<String>();
            let certificate = DomainCertificate {
                cert_type: "CustomCert".into(),
                cert: format!("c{}", text(case % 13)),
                private_key: format!("k{}", text(case % 7)),
                domains: (0..1 + case % 3).map(|_| format!("d{}", text(case % 5))).collect(),
            };
            let xml = certificate.to_xml().unwrap();
            let doc = parse_document(xml.as_bytes()).unwrap();
            let read = DomainCertificate::read(Element::root(&doc, DomainCertificate::ROOT).unwrap()).unwrap();
            assert_eq!(read, certificate, "seed case {case}: {xml}");
        }
    }
}
