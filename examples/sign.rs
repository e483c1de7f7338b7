//! Prints a signed request and a presigned URL, with the keys in `COS_SECRET_ID` /
//! `COS_SECRET_KEY` or example keys. Nothing is sent.

use tencent_cos::unversioned::signing::sign_parts;
use tencent_cos::{Client, Credentials};

fn main() -> Result<(), tencent_cos::Error> {
    let id = std::env::var("COS_SECRET_ID").unwrap_or_else(|_| "AKIDEXAMPLE0000000000000000000000000".into());
    let key = std::env::var("COS_SECRET_KEY").unwrap_or_else(|_| "ExampleSecretKey0000000000000000".into());
    let region = std::env::var("COS_REGION").unwrap_or_else(|_| "ap-guangzhou".into());
    let bucket_name = std::env::var("COS_BUCKET").unwrap_or_else(|_| "examplebucket-1250000000".into());
    let client = Client::builder().credentials(Credentials::new(&id, &key)).region(&region).build()?;
    let bucket = client.bucket(&bucket_name);

    let host = client.config().bucket_host(&bucket_name, &region);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let auth = sign_parts(
        &id,
        &key,
        "GET",
        "/notes/hello.txt",
        std::iter::empty(),
        [("Host", host.as_str())].into_iter(),
        now - 1,
        now + 899,
    );
    println!("GET /notes/hello.txt HTTP/1.1\nHost: {host}\nAuthorization: {auth}\n");
    println!("presigned URL (10 minutes):\n{}", bucket.get_object_url("notes/hello.txt").expires(600).build()?);
    Ok(())
}
