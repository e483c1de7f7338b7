//! PUT / GET / DELETE `?domaincertificate[&domainname=]`. Only which domains have a certificate
//! is kept (and in a data directory): the certificate and its private key are checked for their
//! PEM headers and then dropped, never stored or logged.
//!
//! | Call | Answer |
//! |---|---|
//! | PUT, a domain not bound with PUT ?domain | 400 InvalidArgument |
//! | PUT, a certificate or key without its PEM header | 400 InvalidArgument |
//! | GET | `<DomainCertificate><Status>ENABLED</Status>`, or 404 NoSuchDomainCertificate (the emulator's code) |
//! | DELETE | 204, or 404 NoSuchDomainCertificate |

use crate::api::bucket_config::XmlConfig;
use crate::api::{DomainCertificate, DomainConfiguration};
use crate::xml::{Element, parse_document};

use super::super::access::Permission;
use super::super::response::{CosError, Outgoing};
use super::bucket_documents::{commit, read_body};
use super::{Ctx, find_bucket, find_bucket_mut, require_bucket};

fn domain_of(ctx: &Ctx<'_>) -> Result<String, CosError> {
    match ctx.req.query("domainname") {
        Some(d) if !d.trim().is_empty() => Ok(d.to_owned()),
        _ => Err(CosError::invalid_argument("The domainname parameter is required.")),
    }
}

fn no_such(domain: &str) -> CosError {
    CosError::new(404, "NoSuchDomainCertificate", format!("The domain {domain:?} has no certificate."))
}

/// The domain names bound to the bucket by PUT ?domain.
fn bound_domains(stored: Option<&String>) -> Vec<String> {
    let Some(xml) = stored else { return Vec::new() };
    let Ok(doc) = parse_document(xml.as_bytes()) else { return Vec::new() };
    Element::root(&doc, DomainConfiguration::ROOT)
        .and_then(DomainConfiguration::read)
        .map(|c| c.rules.into_iter().map(|r| r.name).collect())
        .unwrap_or_default()
}

/// PUT Bucket domain certificate (owner only).
pub(crate) fn put_domain_certificate(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let certificate: DomainCertificate = read_body(ctx)?;
    if !certificate.cert.contains("-----BEGIN CERTIFICATE-----") {
        return Err(CosError::invalid_argument("The certificate is not a PEM certificate."));
    }
    if !certificate.private_key.contains("PRIVATE KEY-----") {
        return Err(CosError::invalid_argument("The private key is not a PEM private key."));
    }
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    let bound = bound_domains(b.configs.documents.get("domain"));
    if let Some(d) = certificate.domains.iter().find(|d| !bound.contains(d)) {
        return Err(CosError::invalid_argument(format!("The domain {d:?} is not bound to this bucket.")));
    }
    commit(ctx, b, |c| c.certified_domains.extend(certificate.domains.iter().cloned()))?;
    Ok(Outgoing::empty(200))
}

/// GET Bucket domain certificate of one domain.
pub(crate) fn get_domain_certificate(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let domain = domain_of(ctx)?;
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    if !b.configs.certified_domains.contains(&domain) {
        return Err(no_such(&domain));
    }
    Ok(Outgoing::xml(b"<DomainCertificate><Status>ENABLED</Status></DomainCertificate>".to_vec()))
}

/// DELETE Bucket domain certificate of one domain.
pub(crate) fn delete_domain_certificate(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let domain = domain_of(ctx)?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    if !b.configs.certified_domains.contains(&domain) {
        return Err(no_such(&domain));
    }
    commit(ctx, b, |c| {
        c.certified_domains.remove(&domain);
    })?;
    Ok(Outgoing::empty(204))
}
