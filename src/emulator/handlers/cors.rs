//! PUT / GET / DELETE ?cors, the OPTIONS preflight evaluated against the rules, and the
//! `Access-Control-*` headers of actual cross-origin requests.

use crate::http::Method;
use crate::xml::{Element, parse_document};

use super::super::Inner;
use super::super::access::Permission;
use super::super::request::Incoming;
use super::super::response::{CosError, Outgoing};
use super::super::router::Target;
use super::super::store::{CorsConfig, CorsRule};
use super::super::xml_out::Xml;
use super::{Ctx, find_bucket, find_bucket_in, find_bucket_mut, require_bucket, xml_body};

/// Most rules one configuration may hold.
const MAX_RULES: usize = 100;
/// Methods a rule may allow.
const METHODS: &[&str] = &["GET", "PUT", "POST", "DELETE", "HEAD"];

fn parse_cors(body: &[u8]) -> Result<CorsConfig, CosError> {
    let bad = |why: String| CosError::malformed_xml(format!("The XML you provided was not well-formed: {why}"));
    let doc = parse_document(body).map_err(|e| bad(e.to_string()))?;
    let root = Element::root(&doc, "CORSConfiguration").map_err(|e| bad(e.to_string()))?;
    let texts = |e: &Element<'_, '_>, name: &'static str| -> Vec<String> {
        e.children(name).map(|c| c.text().trim().to_owned()).filter(|t| !t.is_empty()).collect()
    };
    let mut rules = Vec::new();
    for r in root.children("CORSRule") {
        let allowed_methods: Vec<String> = texts(&r, "AllowedMethod").iter().map(|m| m.to_ascii_uppercase()).collect();
        if let Some(m) = allowed_methods.iter().find(|m| !METHODS.contains(&m.as_str())) {
            return Err(CosError::invalid_argument(format!("Unsupported AllowedMethod {m:?} in the CORS rule.")));
        }
        let rule = CorsRule {
            id: r.opt_text("ID").filter(|s| !s.is_empty()),
            allowed_origins: texts(&r, "AllowedOrigin"),
            allowed_methods,
            allowed_headers: texts(&r, "AllowedHeader"),
            expose_headers: texts(&r, "ExposeHeader"),
            max_age_seconds: r.opt_number("MaxAgeSeconds").map_err(|e| bad(e.to_string()))?,
        };
        if rule.allowed_origins.is_empty() || rule.allowed_methods.is_empty() {
            return Err(bad("every <CORSRule> needs an <AllowedOrigin> and an <AllowedMethod>".into()));
        }
        rules.push(rule);
    }
    if rules.is_empty() || rules.len() > MAX_RULES {
        return Err(bad(format!("between 1 and {MAX_RULES} <CORSRule> elements are needed")));
    }
    let response_vary = root.opt_text("ResponseVary").map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    Ok(CorsConfig { rules, response_vary })
}

/// PUT Bucket CORS (owner only).
pub(crate) fn put_bucket_cors(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let config = parse_cors(&xml_body(ctx)?)?;
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    let old = b.cors.replace(config);
    if let Err(e) = ctx.inner.persist(|d| d.save_bucket(b)) {
        b.cors = old;
        return Err(e);
    }
    Ok(Outgoing::empty(200))
}

/// GET Bucket CORS: 404 NoSuchCORSConfiguration when none is set.
pub(crate) fn get_bucket_cors(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let state = ctx.inner.read_state();
    let b = find_bucket(&state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    let config = b
        .cors
        .as_ref()
        .ok_or_else(|| CosError::new(404, "NoSuchCORSConfiguration", "The CORS configuration does not exist."))?;
    let mut x = Xml::new();
    x.open("CORSConfiguration");
    for r in &config.rules {
        x.open("CORSRule");
        if let Some(id) = &r.id {
            x.leaf("ID", id);
        }
        for (tag, values) in [
            ("AllowedOrigin", &r.allowed_origins),
            ("AllowedMethod", &r.allowed_methods),
            ("AllowedHeader", &r.allowed_headers),
            ("ExposeHeader", &r.expose_headers),
        ] {
            for v in values {
                x.leaf(tag, v);
            }
        }
        if let Some(age) = r.max_age_seconds {
            x.leaf_display("MaxAgeSeconds", age);
        }
        x.close("CORSRule");
    }
    if let Some(vary) = &config.response_vary {
        x.leaf("ResponseVary", vary);
    }
    x.close("CORSConfiguration");
    Ok(Outgoing::xml(x.finish()))
}

/// DELETE Bucket CORS.
pub(crate) fn delete_bucket_cors(ctx: &Ctx<'_>, bucket: &str) -> Result<Outgoing, CosError> {
    let mut state = ctx.inner.write_state();
    let b = find_bucket_mut(&mut state, ctx, bucket)?;
    require_bucket(b, &ctx.principal, Permission::FullControl)?;
    let old = b.cors.take();
    if let Err(e) = ctx.inner.persist(|d| d.save_bucket(b)) {
        b.cors = old;
        return Err(e);
    }
    Ok(Outgoing::empty(204))
}

/// `*` matches any run of characters; ASCII case is ignored when `fold` is set.
fn wildcard(pattern: &str, text: &str, fold: bool) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let eq = |a: u8, b: u8| if fold { a.eq_ignore_ascii_case(&b) } else { a == b };
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if eq(c, t[ti]) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi.min(p.len())..].iter().all(|&c| c == b'*')
}

fn origin_allowed(rule: &CorsRule, origin: &str) -> bool {
    rule.allowed_origins.iter().any(|o| wildcard(o, origin, true))
}

/// The `Access-Control-Allow-Origin` value for a matched rule: `*` when the rule allows every
/// origin, else the origin itself.
fn allow_origin(rule: &CorsRule, origin: &str) -> String {
    if rule.allowed_origins.iter().any(|o| o == "*") { "*".to_owned() } else { origin.to_owned() }
}

fn vary(config: &CorsConfig, out: &mut Outgoing) {
    if config.response_vary.as_deref().is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        out.headers.append("Vary", "Origin,Access-Control-Request-Headers,Access-Control-Request-Method");
    }
}

/// OPTIONS Object / Bucket: the preflight, evaluated against the bucket's rules. No signature is
/// needed (browsers never sign a preflight).
pub(crate) fn preflight(inner: &Inner, req: &Incoming, target: &Target) -> Result<Outgoing, CosError> {
    let Target::Bucket { bucket, region, .. } = target else {
        return Err(CosError::method_not_allowed());
    };
    let (Some(origin), Some(method)) = (req.header("origin"), req.header("access-control-request-method")) else {
        return Err(CosError::new(
            400,
            "BadRequest",
            "Insufficient information: a preflight needs Origin and Access-Control-Request-Method.",
        ));
    };
    let requested: Vec<&str> = req
        .header("access-control-request-headers")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    let state = inner.read_state();
    let b = find_bucket_in(&state, bucket, region.as_deref())?;
    let forbidden = |why: &str| CosError::new(403, "AccessForbidden", format!("CORSResponse: {why}"));
    let config = b.cors.as_ref().ok_or_else(|| forbidden("CORS is not enabled for this bucket."))?;
    let rule = config
        .rules
        .iter()
        .find(|r| {
            origin_allowed(r, origin)
                && r.allowed_methods.iter().any(|m| m == method)
                && requested.iter().all(|h| r.allowed_headers.iter().any(|a| wildcard(a, h, true)))
        })
        .ok_or_else(|| {
            forbidden(
                "This CORS request is not allowed. This is usually because the evaluation of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
            )
        })?;
    let mut out = Outgoing::empty(200)
        .with_header("Access-Control-Allow-Origin", allow_origin(rule, origin))
        .with_header("Access-Control-Allow-Methods", rule.allowed_methods.join(","));
    if !requested.is_empty() {
        out.headers.append("Access-Control-Allow-Headers", requested.join(","));
    }
    if !rule.expose_headers.is_empty() {
        out.headers.append("Access-Control-Expose-Headers", rule.expose_headers.join(","));
    }
    if let Some(age) = rule.max_age_seconds {
        out.headers.append("Access-Control-Max-Age", age.to_string());
    }
    vary(config, &mut out);
    Ok(out)
}

/// Adds `Access-Control-Allow-Origin` (and the exposed headers) to the answer of a request with
/// an `Origin` that a rule allows for its method.
pub(crate) fn decorate(inner: &Inner, req: &Incoming, target: &Target, mut out: Outgoing) -> Outgoing {
    let (Some(origin), Target::Bucket { bucket, region, .. }) = (req.header("origin"), target) else {
        return out;
    };
    let state = inner.read_state();
    let Ok(b) = find_bucket_in(&state, bucket, region.as_deref()) else {
        return out;
    };
    let Some(config) = &b.cors else {
        return out;
    };
    let method = match req.method {
        Method::Head => "HEAD",
        m => m.as_str(),
    };
    if let Some(rule) =
        config.rules.iter().find(|r| origin_allowed(r, origin) && r.allowed_methods.iter().any(|m| m == method))
    {
        out.headers.append("Access-Control-Allow-Origin", allow_origin(rule, origin));
        if !rule.expose_headers.is_empty() {
            out.headers.append("Access-Control-Expose-Headers", rule.expose_headers.join(","));
        }
        vary(config, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("*", "anything", false));
        assert!(wildcard("http://*.example.org", "http://a.b.example.org", true));
        assert!(!wildcard("http://*.example.org", "https://a.example.org", true));
        assert!(wildcard("x-cos-meta-*", "X-COS-META-Author", true));
        assert!(wildcard("a*b*c", "aXXbYYc", false));
        assert!(!wildcard("a*b*c", "aXXbYY", false));
        assert!(wildcard("", "", false));
        assert!(!wildcard("", "a", false));
        assert!(wildcard("**", "", false));
    }

    #[test]
    fn parses_rules() {
        let c = parse_cors(b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>get</AllowedMethod><MaxAgeSeconds>5</MaxAgeSeconds></CORSRule></CORSConfiguration>").unwrap();
        assert_eq!(c.rules[0].allowed_methods, vec!["GET"]);
        assert_eq!(c.rules[0].max_age_seconds, Some(5));
        assert!(parse_cors(b"<CORSConfiguration/>").is_err());
        assert!(parse_cors(b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>").is_err());
        assert!(
            parse_cors(
                b"<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>"
            )
            .is_err()
        );
    }
}
