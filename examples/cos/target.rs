//! Where the commands go: real COS (at its public domain or `COS_ENDPOINT`), an emulator at a
//! URL, or an emulator in this process; and the client for it.

use std::time::Duration;

use tencent_cos::emulator::{DEFAULT_REGION, DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY, Emulator};
use tencent_cos::{Client, ClientBuilder, Credentials};

use super::cli::Env;

/// Progress reports every 100 ms (the SDK's default is a second): a smooth bar.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// What stderr says when the command runs on an emulator made for it alone.
pub const EPHEMERAL_NOTE: &str = "no COS_SECRET_ID/COS_SECRET_KEY and no COS_EMULATOR_URL: using an emulator in this \
     process, empty at start and gone at exit (to keep state, run `cargo run --example emulator -- --addr \
     127.0.0.1:9000` and set COS_EMULATOR_URL=http://127.0.0.1:9000)";

/// A client for the chosen target.
pub struct Connection {
    /// The client, progress reported every 100 ms.
    pub client: Client,
    /// Its region: where buckets are made and copies are read from.
    pub region: String,
    /// What `-v` prints: the kind of target, its region or URL, never a secret.
    pub description: String,
    /// Where requests go, as an error that could not reach it says (never a secret).
    pub endpoint: String,
    /// True when the target is an emulator made for this command only.
    pub ephemeral: bool,
}

/// Chooses the target from `env` and builds its client. An error is a configuration error:
/// keys half set, keys without a region, keys together with `COS_EMULATOR_URL`, `COS_ENDPOINT`
/// without keys, a bad URL or region.
pub fn connect(env: &Env) -> Result<Connection, String> {
    let from_yaml;
    let config = coscli_config(env);
    let from_cos_yaml = config.is_some();
    let env = match config {
        Some(vars) => {
            from_yaml = Env { vars, ..env.clone() };
            &from_yaml
        }
        None => env,
    };
    let (id, key) = (env.var("COS_SECRET_ID"), env.var("COS_SECRET_KEY"));
    let token = env.var("COS_SECURITY_TOKEN");
    let url = env.var("COS_EMULATOR_URL");
    let endpoint = env.var("COS_ENDPOINT");
    let builder = Client::builder().progress_interval(PROGRESS_INTERVAL);
    match (id, key) {
        (Some(id), Some(key)) => {
            if url.is_some() {
                return Err("both COS_SECRET_ID/COS_SECRET_KEY (real COS) and COS_EMULATOR_URL are set: \
                            unset one of them"
                    .into());
            }
            let region = env.var("COS_REGION").ok_or(
                "COS_REGION is not set: real COS needs the region of the buckets (e.g. COS_REGION=ap-guangzhou)",
            )?;
            let mut credentials = Credentials::new(id, key);
            if let Some(token) = token {
                credentials = credentials.with_security_token(token);
            }
            let keys = if token.is_some() { "temporary keys" } else { "permanent keys" };
            let mut builder = builder.credentials(credentials);
            let at_url = endpoint.is_some_and(|e| e.contains("://"));
            let (at, reached) = match endpoint {
                Some(e) if e.contains("://") => {
                    builder = builder.endpoint_url(e);
                    (format!(" at {e}"), e.to_owned())
                }
                Some(template) => {
                    if template.contains('/') || template.chars().any(char::is_whitespace) {
                        return Err(format!(
                            "COS_ENDPOINT={template:?}: a host template ({{Bucket}}.cos.{{Region}}.example.com) \
                             or an http(s):// URL"
                        ));
                    }
                    builder = builder.domain(template);
                    (format!(" at {template}"), format!("https://{template}"))
                }
                None => (String::new(), format!("https://{{Bucket}}.cos.{region}.myqcloud.com")),
            };
            let source = if from_cos_yaml { "~/.cos.yaml" } else { "COS_SECRET_ID/COS_SECRET_KEY" };
            let description = format!("real COS{at}, region {region}, {keys} from {source}");
            let named = endpoint.filter(|_| at_url);
            finish(builder, region, description, reached, false)
                .map_err(|e| named.map_or_else(|| e.clone(), |u| format!("COS_ENDPOINT={u:?}: {e}")))
        }
        (Some(_), None) => Err("COS_SECRET_ID is set but COS_SECRET_KEY is not".into()),
        (None, Some(_)) => Err("COS_SECRET_KEY is set but COS_SECRET_ID is not".into()),
        (None, None) if token.is_some() => {
            Err("COS_SECURITY_TOKEN is set without COS_SECRET_ID and COS_SECRET_KEY".into())
        }
        (None, None) if endpoint.is_some() => Err("COS_ENDPOINT is set without COS_SECRET_ID and COS_SECRET_KEY \
                                                   (for an emulator, set COS_EMULATOR_URL)"
            .into()),
        (None, None) => {
            let region = env.var("COS_REGION").unwrap_or(DEFAULT_REGION);
            let builder = builder.secret(DEFAULT_SECRET_ID, DEFAULT_SECRET_KEY);
            if let Some(url) = url {
                let builder = builder.endpoint_url(url);
                let description = format!("the emulator at {url}, region {region}");
                finish(builder, region, description, url.to_owned(), false)
                    .map_err(|e| format!("COS_EMULATOR_URL={url:?}: {e}"))
            } else if let Some(transport) = &env.transport {
                let description = format!("an emulator in this process, region {region}");
                finish(builder.transport(transport.clone()), region, description, "the emulator".into(), false)
            } else {
                let description = format!("a new emulator in this process (gone at exit), region {region}");
                finish(builder.transport(Emulator::new()), region, description, "the emulator".into(), true)
            }
        }
    }
}

/// coscli's `~/.cos.yaml` as `COS_*` variables, when no `COS_*` variable is set and the file
/// has a secretid and a secretkey: `cos.base`'s secretid, secretkey, sessiontoken, and the
/// region and endpoint of the first bucket entry (an endpoint without a scheme is a host after
/// the bucket: `{Bucket}.ENDPOINT`). A line reader for that shape, not a YAML parser.
pub fn coscli_config(env: &Env) -> Option<std::collections::BTreeMap<String, String>> {
    if Env::NAMES.iter().any(|n| env.var(n).is_some()) {
        return None;
    }
    let text = std::fs::read_to_string(env.home.as_ref()?.join(".cos.yaml")).ok()?;
    let mut vars = std::collections::BTreeMap::new();
    for line in text.lines() {
        let line = line.trim().trim_start_matches("- ");
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
        let var = match name.trim() {
            "secretid" => "COS_SECRET_ID",
            "secretkey" => "COS_SECRET_KEY",
            "sessiontoken" => "COS_SECURITY_TOKEN",
            "region" => "COS_REGION",
            "endpoint" => "COS_ENDPOINT",
            _ => continue,
        };
        if value.is_empty() || vars.contains_key(var) {
            continue;
        }
        let value = if var == "COS_ENDPOINT" && !value.contains("://") && !value.contains('{') {
            format!("{{Bucket}}.{value}")
        } else {
            value.to_owned()
        };
        vars.insert(var.to_owned(), value);
    }
    (vars.contains_key("COS_SECRET_ID") && vars.contains_key("COS_SECRET_KEY")).then_some(vars)
}

fn finish(
    builder: ClientBuilder,
    region: &str,
    description: String,
    endpoint: String,
    ephemeral: bool,
) -> Result<Connection, String> {
    let client = builder.region(region).build().map_err(|e| e.to_string())?;
    Ok(Connection { client, region: region.to_owned(), description, endpoint, ephemeral })
}
