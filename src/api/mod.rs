//! Every COS call of the JS SDK: one module per resource family, each with pure request
//! builders, pure response parsers, and the builders on [`Client`](crate::Client) /
//! [`Bucket`](crate::Bucket) that send them.
//!
//! # Contracts of the calls
//!
//! ## Global acceleration
//!
//! Global acceleration: `put_bucket_accelerate`, `get_bucket_accelerate`.
//!
//! | Bucket state          | What `get_bucket_accelerate` returns                  |
//! |-----------------------|-------------------------------------------------------|
//! | never set             | `status: None`, `accelerate_type: None`               |
//! | set                   | the `Status` (`Enabled` / `Suspended`) and `Type` sent |
//!
//! ## What the XML bucket-configuration calls share
//!
//! What the XML bucket-configuration calls share (website, referer, encryption, replication, logging, domain, origin, intelligent tiering): a configuration document that is checked, written and read by one type, and the macros that build each call's `*Input` (pure `build`/`parse`), output (typed, keeping status and headers) and builder on `Bucket`.
//!
//! The same types serve the emulator: it reads a PUT body with the client's parser, checks it
//! with the client's validation and stores the client's writing of it, so what a GET returns is
//! the canonical form of what was put.
//!
//! ## Custom domains
//!
//! Custom domains: `put_bucket_domain`, `get_bucket_domain`, `delete_bucket_domain`.
//!
//! | Answer from COS                                 | What `get_bucket_domain` returns        |
//! |-------------------------------------------------|-----------------------------------------|
//! | 200 with `<DomainConfiguration>`                | the rules, `meta.status` 200            |
//! | 404 `NoSuchDomainConfiguration` (never set)     | no rules, `meta.status` 404             |
//! | any other error                                 | the service error                       |
//!
//! (The node SDK passes the 404 on as an error; the code is the emulator's, and read as empty
//! like the other "never configured" answers.)
//!
//! ```
//! use tencent_cos::api::{DomainConfiguration, DomainRule, PutBucketDomainInput};
//! use tencent_cos::operation::Operation;
//! let config = DomainConfiguration { rules: vec![DomainRule::new("www.example.com", "REST")] };
//! assert_eq!(
//!     PutBucketDomainInput { config }.build()?.body.as_bytes().unwrap(),
//!     b"<DomainConfiguration><DomainRule><Status>ENABLED</Status><Name>www.example.com</Name>\
//!       <Type>REST</Type></DomainRule></DomainConfiguration>"
//! );
//! # Ok::<(), tencent_cos::Error>(())
//! ```
//!
//! ## Certificates of custom domains
//!
//! Certificates of custom domains (a Go SDK call, not in the node SDK): `put_bucket_domain_certificate`, `get_bucket_domain_certificate(domain)`, `delete_bucket_domain_certificate(domain)` (`?domaincertificate[&domainname=]`).
//!
//! | Call | Answer | Output |
//! |---|---|---|
//! | put | 200 | status and headers |
//! | get | 200 `<DomainCertificate><Status>` | the status (`ENABLED`) |
//! | delete | 204 | status and headers |
//!
//! The private key is sent in the body (over HTTPS on COS) and never printed: `Debug` shows
//! `<redacted>`, and no error quotes it.
//!
//! ```
//! use tencent_cos::api::{DomainCertificate, PutBucketDomainCertificateInput};
//! use tencent_cos::operation::Operation;
//! let certificate = DomainCertificate::custom("-----BEGIN CERTIFICATE-----..", "-----BEGIN PRIVATE KEY-----..")
//!     .domain("www.example.com");
//! assert!(!format!("{certificate:?}").contains("PRIVATE KEY"));
//! let request = PutBucketDomainCertificateInput { certificate }.build()?;
//! assert_eq!(request.query, [("domaincertificate".to_string(), String::new())]);
//! # Ok::<(), tencent_cos::Error>(())
//! ```
//!
//! ## Default server-side encryption
//!
//! Default server-side encryption: `put_bucket_encryption`, `get_bucket_encryption`, `delete_bucket_encryption`.
//!
//! | Answer from COS                                    | What `get_bucket_encryption` returns           |
//! |----------------------------------------------------|------------------------------------------------|
//! | 200 with `<ServerSideEncryptionConfiguration>`     | the rules, `meta.status` 200                   |
//! | 404 `NoSuchEncryptionConfiguration` (never set)    | no rules, `meta.status` 404                    |
//! | any other error                                    | the service error                              |
//!
//! ```
//! use tencent_cos::api::{EncryptionRule, PutBucketEncryptionInput, ServerSideEncryptionConfiguration};
//! use tencent_cos::operation::Operation;
//! let config = ServerSideEncryptionConfiguration { rules: vec![EncryptionRule::new("AES256")] };
//! let mut input = PutBucketEncryptionInput { config };
//! assert_eq!(
//!     input.build()?.body.as_bytes().unwrap(),
//!     b"<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>\
//!       <SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>\
//!       </ServerSideEncryptionConfiguration>"
//! );
//! # Ok::<(), tencent_cos::Error>(())
//! ```
//!
//! ## Intelligent tiering
//!
//! Intelligent tiering (a Go SDK call, not in the node SDK): the bucket-wide v1 form `put_bucket_intelligent_tiering` / `get_bucket_intelligent_tiering` (`?intelligenttiering`), and the v2 rules by Id `put_bucket_intelligent_tiering_rule` / `get_bucket_intelligent_tiering_rule` / `delete_bucket_intelligent_tiering_rule` / `list_bucket_intelligent_tiering` (`?intelligent-tiering[&id=]`).
//!
//! | Call | Answer | Output |
//! |---|---|---|
//! | v1 get | 200 `<IntelligentTieringConfiguration>` | Status and Transition (an empty status when never set) |
//! | v2 get | 200 `<IntelligentTieringConfiguration>` | Id, Status, Filter, Tiering*, and a v1 Transition if sent |
//! | list | 200 `<ListBucketIntelligentTieringConfigurationsOutput>` | every rule, in order |
//!
//! Elements are written in the order Id, Status, Filter, Transition, Tiering.
//!
//! ```
//! use tencent_cos::api::{IntelligentTieringConfiguration, PutBucketIntelligentTieringInput};
//! use tencent_cos::operation::Operation;
//! let config = IntelligentTieringConfiguration::enabled_after(30);
//! assert_eq!(
//!     PutBucketIntelligentTieringInput { config }.build()?.body.as_bytes().unwrap(),
//!     b"<IntelligentTieringConfiguration><Status>Enabled</Status><Transition><Days>30</Days>\
//!       </Transition></IntelligentTieringConfiguration>"
//! );
//! # Ok::<(), tencent_cos::Error>(())
//! ```
//!
//! ## Bucket lifecycle
//!
//! Bucket lifecycle: `put_bucket_lifecycle`, `get_bucket_lifecycle`, `delete_bucket_lifecycle`.
//!
//! | Answer from COS                                 | What `get_bucket_lifecycle` returns          |
//! |-------------------------------------------------|----------------------------------------------|
//! | 200 with `<LifecycleConfiguration>`             | the rules in order, `meta.status` 200        |
//! | 404 `NoSuchLifecycleConfiguration` (never set)  | no rules, `meta.status` 404 (not an error)   |
//! | any other error                                 | the service error                            |
//!
//! Elements are written in one fixed order: ID, Status, Filter, Transition*, Expiration,
//! NoncurrentVersionTransition*, NoncurrentVersionExpiration, AbortIncompleteMultipartUpload.
//!
//! ## Access logging
//!
//! Access logging: `put_bucket_logging`, `get_bucket_logging`. There is no DELETE in COS: a put of `BucketLoggingStatus::default()` (an empty `<BucketLoggingStatus>`) turns logging off, as the node SDK's demo `deleteBucketLogging` does.
//!
//! | Bucket state      | What `get_bucket_logging` returns            |
//! |-------------------|----------------------------------------------|
//! | never set / off   | `logging_enabled: None` (COS answers an empty `<BucketLoggingStatus>`) |
//! | on                | the target bucket and prefix                 |
//!
//! ```
//! use tencent_cos::api::{BucketLoggingStatus, PutBucketLoggingInput};
//! use tencent_cos::operation::Operation;
//! let config = BucketLoggingStatus::to("logbucket-1250000000", "logs/");
//! assert_eq!(
//!     PutBucketLoggingInput { config }.build()?.body.as_bytes().unwrap(),
//!     b"<BucketLoggingStatus><LoggingEnabled><TargetBucket>logbucket-1250000000</TargetBucket>\
//!       <TargetPrefix>logs/</TargetPrefix></LoggingEnabled></BucketLoggingStatus>"
//! );
//! let off = BucketLoggingStatus::default();
//! assert_eq!(PutBucketLoggingInput { config: off }.build()?.body.as_bytes().unwrap(), b"<BucketLoggingStatus></BucketLoggingStatus>");
//! # Ok::<(), tencent_cos::Error>(())
//! ```
//!
//! ## Object lock
//!
//! Object lock (a Go SDK call, not in the node SDK): `put_bucket_object_lock`, `get_bucket_object_lock` (`?object-lock`). There is no DELETE: once enabled, object lock stays on.
//!
//! | Bucket state | What `get_bucket_object_lock` returns |
//! |---|---|
//! | never set | `object_lock_enabled: None`, no retention (the emulator answers an empty document) |
//! | set | ObjectLockEnabled (`Enabled`) and Rule/DefaultRetention/Days |
//!
//! ```
//! use tencent_cos::api::{ObjectLockConfiguration, PutBucketObjectLockInput};
//! use tencent_cos::operation::Operation;
//! let config = ObjectLockConfiguration::enabled_for_days(30);
//! assert_eq!(
//!     PutBucketObjectLockInput { config }.build()?.body.as_bytes().unwrap(),
//!     b"<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>\
//!       <Days>30</Days></DefaultRetention></Rule></ObjectLockConfiguration>"
//! );
//! # Ok::<(), tencent_cos::Error>(())
//! ```
//!
//! ## Back-to-origin
//!
//! Back-to-origin (mirror / proxy of a missing object): `put_bucket_origin`, `get_bucket_origin`, `delete_bucket_origin`.
//!
//! | Answer from COS                                 | What `get_bucket_origin` returns        |
//! |-------------------------------------------------|-----------------------------------------|
//! | 200 with `<OriginConfiguration>`                | the rules, `meta.status` 200            |
//! | 404 `NoSuchOriginConfiguration` (never set)     | no rules, `meta.status` 404             |
//! | any other error                                 | the service error                       |
//!
//! (The node SDK passes the 404 on as an error; the code is the emulator's, and read as empty
//! like the other "never configured" answers.) Numbered elements (`StandbyHostName_2`,
//! `PrivateStandbyHost_1`) keep their number. Elements are written in the node SDK's order:
//! RulePriority, OriginType, OriginCondition, OriginParameter, OriginInfo.
//!
//! ```
//! use tencent_cos::api::{OriginConfiguration, OriginHost, OriginRule, PutBucketOriginInput};
//! use tencent_cos::operation::Operation;
//! let mut rule = OriginRule::mirror(1, OriginHost::new("origin.example.com"));
//! rule.condition.http_status_code = Some("404".into());
//! let body = PutBucketOriginInput { config: OriginConfiguration { rules: vec![rule] } }.build()?.body;
//! assert_eq!(
//!     body.as_bytes().unwrap(),
//!     b"<OriginConfiguration><OriginRule><RulePriority>1</RulePriority><OriginType>Mirror</OriginType>\
//!       <OriginCondition><HTTPStatusCode>404</HTTPStatusCode></OriginCondition><OriginParameter></OriginParameter>\
//!       <OriginInfo><HostInfo><HostName>origin.example.com</HostName></HostInfo></OriginInfo>\
//!       </OriginRule></OriginConfiguration>"
//! );
//! # Ok::<(), tencent_cos::Error>(())
//! ```
//!
//! ## Bucket policy
//!
//! Bucket policy: `put_bucket_policy`, `get_bucket_policy`, `delete_bucket_policy`.
//!
//! The policy is JSON, kept as a `String` both ways: this crate has no JSON dependency, so it
//! sends your text byte for byte (with `Content-Type: application/json` and its `Content-MD5`)
//! and returns the text COS answers. Build or read it with the JSON library of your choice.
//!
//! | Answer from COS                      | What `get_bucket_policy` returns               |
//! |--------------------------------------|------------------------------------------------|
//! | 200 with the JSON policy             | `policy` = the body as text, `meta.status` 200 |
//! | 404 `NoSuchPolicy` (never set)       | `policy` empty, `meta.status` 404 (no error)   |
//! | any other error                      | the service error                              |
//!
//! ## Hotlink protection
//!
//! Hotlink protection: `put_bucket_referer`, `get_bucket_referer` (COS has no DELETE: put a `Disabled` configuration instead, as the Go SDK's `DeleteReferer` does).
//!
//! | Answer from COS                                  | What `get_bucket_referer` returns                  |
//! |--------------------------------------------------|----------------------------------------------------|
//! | 200 with `<RefererConfiguration>`                | the configuration, `meta.status` 200               |
//! | 404 `NoSuchRefererConfiguration` (never set)     | `RefererConfiguration::default()`, `meta.status` 404 |
//! | any other error                                  | the service error                                  |
//!
//! ```
//! use tencent_cos::api::{PutBucketRefererInput, RefererConfiguration};
//! use tencent_cos::operation::Operation;
//! let config = RefererConfiguration::white_list(["*.example.com"]).empty_referer("Deny");
//! let mut input = PutBucketRefererInput { config };
//! assert_eq!(
//!     input.build()?.body.as_bytes().unwrap(),
//!     b"<RefererConfiguration><Status>Enabled</Status><RefererType>White-List</RefererType>\
//!       <DomainList><Domain>*.example.com</Domain></DomainList>\
//!       <EmptyReferConfiguration>Deny</EmptyReferConfiguration></RefererConfiguration>"
//! );
//! # Ok::<(), tencent_cos::Error>(())
//! ```
//!
//! ## Cross-bucket replication
//!
//! Cross-bucket replication: `put_bucket_replication`, `get_bucket_replication`, `delete_bucket_replication`. COS (and the emulator) accept a put only on a bucket whose versioning is `Enabled`.
//!
//! | Answer from COS                                          | What `get_bucket_replication` returns   |
//! |----------------------------------------------------------|-----------------------------------------|
//! | 200 with `<ReplicationConfiguration>`                    | role and rules, `meta.status` 200       |
//! | 404 `ReplicationConfigurationnotFoundError` (never set)  | empty role, no rules, `meta.status` 404 |
//! | any other error                                          | the service error                       |
//!
//! ```
//! use tencent_cos::api::{PutBucketReplicationInput, ReplicationConfiguration, ReplicationRule};
//! use tencent_cos::operation::Operation;
//! let config = ReplicationConfiguration {
//!     role: "qcs::cam::uin/100000000001:uin/100000000001".into(),
//!     rules: vec![ReplicationRule::new("docs/", "qcs::cos:ap-beijing::dest-1250000000")],
//! };
//! let body = PutBucketReplicationInput { config }.build()?.body;
//! assert!(body.as_bytes().unwrap().ends_with(
//!     b"<Rule><Status>Enabled</Status><Prefix>docs/</Prefix><Destination>\
//!       <Bucket>qcs::cos:ap-beijing::dest-1250000000</Bucket></Destination></Rule></ReplicationConfiguration>"
//! ));
//! # Ok::<(), tencent_cos::Error>(())
//! ```
//!
//! ## Bucket tags
//!
//! Bucket tags: `put_bucket_tagging`, `get_bucket_tagging`, `delete_bucket_tagging`.
//!
//! | Answer from COS                      | What `get_bucket_tagging` returns             |
//! |--------------------------------------|-----------------------------------------------|
//! | 200 with `<Tagging>`                 | the tags in order, `meta.status` 200          |
//! | 404 `NoSuchTagSet` (never tagged)    | no tags, `meta.status` 404 (not an error)     |
//! | any other error                      | the service error                             |
//!
//! ## Bucket versioning
//!
//! Bucket versioning: `put_bucket_versioning`, `get_bucket_versioning`.
//!
//! | Bucket state                       | What `get_bucket_versioning` returns           |
//! |------------------------------------|------------------------------------------------|
//! | never set                          | `status: None` (COS sends no `<Status>`)       |
//! | `Enabled` / `Suspended`            | `Some(VersioningStatus::Enabled / Suspended)`  |
//! | a status this crate does not know  | `Some(VersioningStatus::Other(text))`          |
//!
//! ## Static website hosting
//!
//! Static website hosting: `put_bucket_website`, `get_bucket_website`, `delete_bucket_website`.
//!
//! | Answer from COS                                  | What `get_bucket_website` returns                  |
//! |--------------------------------------------------|----------------------------------------------------|
//! | 200 with `<WebsiteConfiguration>`                | the configuration, `meta.status` 200               |
//! | 404 `NoSuchWebsiteConfiguration` (never set)     | `WebsiteConfiguration::default()`, `meta.status` 404 |
//! | any other error                                  | the service error                                  |
//!
//! Elements are written in the node SDK's order: IndexDocument, RedirectAllRequestsTo,
//! AutoAddressing, ErrorDocument, RoutingRules (each rule: Condition, then Redirect).
//!
//! ```
//! use tencent_cos::api::{PutBucketWebsiteInput, RoutingRule, WebsiteConfiguration};
//! use tencent_cos::operation::Operation;
//! let config = WebsiteConfiguration::index("index.html")
//!     .routing_rule(RoutingRule::on_error_code("404").replace_key_with("404.html"));
//! let mut input = PutBucketWebsiteInput { config };
//! assert_eq!(
//!     input.build()?.body.as_bytes().unwrap(),
//!     b"<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument>\
//!       <RoutingRules><RoutingRule><Condition><HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>\
//!       </Condition><Redirect><ReplaceKeyWith>404.html</ReplaceKeyWith></Redirect></RoutingRule>\
//!       </RoutingRules></WebsiteConfiguration>"
//! );
//! # Ok::<(), tencent_cos::Error>(())
//! ```
//!
//! ## `get_object`
//!
//! `get_object`: a download with ranges, conditions and response-header overrides, its body streamed.
//!
//! The body resumes: when it breaks off after N bytes (the connection closed or reset, no byte
//! for `read_timeout`, a stall below `min_throughput`), the next read continues it with the
//! same GET carrying `Range: bytes=N-` (`bytes=first+N-last` for a range) and `If-Match` with
//! the first answer's ETag, within the call's retry budget (`max_retries + 1` requests in all)
//! and after checking its cancel token. The reader never sees a byte twice or misses one: a
//! resume answer must be a 206 of exactly the missing bytes of the same ETag, or the read fails
//! (a 412 as that service error, anything else as an [`Error::Integrity`](crate::Error::Integrity)). An answer without
//! an ETag is not resumed. Once the budget is spent, the read fails with what broke the body:
//! [`Error::Io`](crate::Error::Io), or a [`TransportErrorKind::Timeout`](crate::TransportErrorKind::Timeout).
//!
//! ## `restore_object`
//!
//! `restore_object` (`POST /{key}?restore`): a temporary readable copy of an ARCHIVE or DEEP_ARCHIVE object, for `days` days.
//!
//! | COS answers | meaning |
//! |---|---|
//! | 202 | the restore started (COS takes minutes to hours; the emulator is done at once) |
//! | 200 | the object was already restored: the copy's expiry moves to `days` from now |
//! | 409 RestoreAlreadyInProgress | a restore is still running (an error) |
//! | 403 InvalidObjectState | not an archived object (an error) |
//!
//! Until the restore is done a GET of the object is 403 InvalidObjectState; HEAD shows its
//! progress in `x-cos-restore` (`ongoing-request="false", expiry-date="..."` once done), read it
//! with `meta.headers.get("x-cos-restore")`.
//!
//! ## `list_object_versions`
//!
//! `list_object_versions` (`GET /?versions`): every version and delete marker of a bucket's keys, a page at a time ([`ListObjectVersions::send`]), page after page ([`ListObjectVersions::pages`]) or entry after entry ([`Bucket::list_object_versions_iter`](crate::Bucket::list_object_versions_iter)).
//!
//! | what | behaviour |
//! |---|---|
//! | encoding | `encoding-type=url` is always asked for (as node's recorded call does) and keys, prefixes and markers are decoded, so a key with a character XML cannot carry lists safely |
//! | order | entries in the order COS sends them: by key, newest version first; [`ListObjectVersionsOutput::entries`] keeps versions and delete markers interleaved |
//! | paging | `NextKeyMarker` / `NextVersionIdMarker` of a truncated page start the next (the last entry when COS sends none); a page that does not move, or markers that come back to a place already visited (a, b, a), end with `Error::Xml` instead of looping |
//! | bad input | `max_keys` outside 1..=1000: `Error::InvalidArgument { field: "max_keys" }`, no request |
//!
//! ## Object tags
//!
//! Object tags: `put_object_tagging`, `get_object_tagging`, `delete_object_tagging` (`/{key}?tagging`, optionally of one version), and the `x-cos-tagging` header that tags an object as it is written (`put_object`, `multipart_init`, `put_object_copy`). The tags, their XML and its parser are those of the bucket calls ([`Tag`]).
//!
//! | Answer from COS                      | What `get_object_tagging` returns             |
//! |--------------------------------------|-----------------------------------------------|
//! | 200 with `<Tagging>`                 | the tags in order (none for an untagged object)|
//! | 404 `NoSuchTagSet`                   | no tags, `meta.status` 404 (not an error)     |
//! | any other error (404 NoSuchKey, ...) | the service error                             |
//!
//! COS allows 10 tags per object, keys of at most 128 characters and values of at most 256;
//! it refuses more with 400 InvalidTag (the emulator too).
//!
//! ## `append_object`
//!
//! `append_object` (`POST /{key}?append&position=N`): adds bytes at the end of an Appendable object, creating it at position 0.
//!
//! | COS answers | meaning |
//! |---|---|
//! | 200 | appended; `x-cos-next-append-position` is where the next append goes (the new length) |
//! | 409 PositionNotEqualToLength | `position` is not the object's length (or not 0 for a new one) |
//! | 409 ObjectNotAppendable | the key holds a normal object (written by PUT, copy or multipart) |
//!
//! An object made by appends is of type `appendable` (`x-cos-object-type` on HEAD and GET,
//! [`ObjectProperties::object_type`](crate::api::ObjectProperties::object_type)). Its content
//! headers, ACL and tags are those of the first append.
//!
//! ## `select_object_content`
//!
//! `select_object_content` (`POST /{key}?select&select-type=2`): runs an SQL expression over a CSV or JSON object on COS and answers the matching records as an event stream (its framing is below).
//!
//! Two ways to read the answer:
//!
//! | call | gives |
//! |---|---|
//! | `.send()` | [`SelectObjectContentOutput`]: every `Records` payload joined, the `Stats`, each `Progress`; an `Error` event is returned as an [`Error::Service`](crate::Error::Service) with its code and message |
//! | `.send_stream()` | [`SelectEventStream`]: an iterator of [`SelectEvent`]s read from the body as they arrive, in bounded memory |
//!
//! A stream that ends before its `End` event (or inside a message) is an error either way, as
//! is a message whose CRC-32 does not hold; events of types this crate does not know are
//! skipped.
//!
//! ## The event-stream framing of `select_object_content` answers
//!
//! The event-stream framing of `select_object_content` answers (AWS's `application/vnd.amazon.eventstream`, which COS uses unchanged): pure encoding and decoding, no I/O.
//!
//! A message is
//!
//! | bytes | field |
//! |---|---|
//! | 4 | total length of the message, big-endian (at least 16) |
//! | 4 | length of the headers |
//! | 4 | CRC-32 of the 8 bytes before it (the prelude CRC) |
//! | headers length | headers: name length (1 byte), name, value type (1 byte), value |
//! | the rest | payload |
//! | 4 | CRC-32 of everything before it (the message CRC) |
//!
//! Header values of type 7 (string: 2-byte length, then UTF-8) are kept; values of the other
//! types are read over and dropped (COS sends strings only). Both CRCs are checked; a message
//! longer than [`MAX_MESSAGE`] is refused before it is buffered.
//!
//! ## Inventory reports
//!
//! Inventory reports: `put_bucket_inventory`, `get_bucket_inventory`, `list_bucket_inventory` (paged with a continuation token), `delete_bucket_inventory`, and the JS SDK's `post_bucket_inventory` (`POST /?inventory&id=`, a one-shot inventory job with the same body). Each configuration has an Id, sent as `?inventory&id=`.
//!
//! | Call | Answer | Output |
//! |---|---|---|
//! | `get_bucket_inventory(id)` | 200 `<InventoryConfiguration>` | the configuration (`IsEnabled` read in any case: COS sends `True`) |
//! | `list_bucket_inventory()` | 200 `<ListInventoryConfigurationResult>` | the page's configurations, `is_truncated`, `next_continuation_token` (a repeated `<IsTruncated>`: the last wins) |
//! | `put` / `post` / `delete` | 200 / 200 / 204 | status and headers |
//!
//! Elements are written in the node SDK's order: Id, IsEnabled, Destination, Schedule, Filter,
//! IncludedObjectVersions, OptionalFields (node maps `SSECOS` to `<SSE-COS>`; here it is
//! `destination.sse_cos`).
//!
//! ```
//! use tencent_cos::api::{InventoryConfiguration, PutBucketInventoryInput};
//! use tencent_cos::operation::Operation;
//! let config = InventoryConfiguration::new("daily", "qcs::cos:ap-guangzhou::reports-1250000000");
//! let request = PutBucketInventoryInput { config }.build()?;
//! assert_eq!(request.query, [("inventory".to_string(), String::new()), ("id".to_string(), "daily".to_string())]);
//! assert_eq!(
//!     request.body.as_bytes().unwrap(),
//!     b"<InventoryConfiguration><Id>daily</Id><IsEnabled>true</IsEnabled><Destination><COSBucketDestination>\
//!       <Format>CSV</Format><Bucket>qcs::cos:ap-guangzhou::reports-1250000000</Bucket></COSBucketDestination>\
//!       </Destination><Schedule><Frequency>Daily</Frequency></Schedule>\
//!       <IncludedObjectVersions>All</IncludedObjectVersions></InventoryConfiguration>"
//! );
//! # Ok::<(), tencent_cos::Error>(())
//! ```
//!
//! ## The presigned POST Object form
//!
//! The presigned POST Object form: the fields a server hands a browser so that it uploads one file with `POST /` (multipart/form-data) straight to a bucket, within a policy the server chose. Pure functions: no request is sent.
//!
//! COS's POST Object signature (its "signature protection" section), step by step:
//!
//! | Step | Value |
//! |---|---|
//! | KeyTime | `start;end` (Unix seconds), sent as `q-key-time`, and as `q-sign-time` in the policy |
//! | Policy | JSON `{"expiration":"<ISO 8601>","conditions":[..]}`; its conditions include `{"q-sign-algorithm":"sha1"}`, `{"q-ak":<SecretId>}`, `{"q-sign-time":<KeyTime>}`; sent base64 as `policy` |
//! | SignKey | hex HMAC-SHA1(SecretKey, KeyTime) |
//! | StringToSign | hex SHA1(the policy JSON, not its base64) |
//! | Signature | hex HMAC-SHA1(SignKey, StringToSign), sent as `q-signature` |
//!
//! Conditions: an exact match (`{"field":"value"}`, or `["eq","$field","value"]` when read),
//! `["starts-with","$field","prefix"]`, `["content-length-range",min,max]`. Fields COS checks:
//! `key` (after `${filename}` is replaced), `bucket`, `acl`, `Content-Type`, `Cache-Control`,
//! `success_action_status`, `success_action_redirect`, `x-cos-meta-*`, ...
//!
//! ```
//! use tencent_cos::Credentials;
//! use tencent_cos::api::{PostCondition, PostObjectForm};
//! let form = PostObjectForm::new("examplebucket-1250000000", "ap-guangzhou", "uploads/${filename}")
//!     .key_time(1_700_000_000, 1_700_003_600)
//!     .condition(PostCondition::starts_with("key", "uploads/"))
//!     .condition(PostCondition::content_length_range(1, 10 * 1024 * 1024))
//!     .field("Content-Type", "image/png")
//!     .sign(&Credentials::new("AKIDexample", "secret"))?;
//! assert_eq!(form.url, "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/");
//! let names: Vec<&str> = form.fields.iter().map(|(n, _)| n.as_str()).collect();
//! assert_eq!(names, ["key", "policy", "q-sign-algorithm", "q-ak", "q-key-time", "q-signature", "Content-Type"]);
//! assert_eq!(form.field("q-key-time"), Some("1700000000;1700003600"));
//! # Ok::<(), tencent_cos::Error>(())
//! ```
//!
//! ## Object retention
//!
//! Object retention (object lock, a Go SDK call, not in the node SDK): `put_object_retention` and `get_object_retention` (`PUT` / `GET /{key}?retention`, body `<Retention>`).
//!
//! A retained object (version) can be neither deleted nor overwritten until `RetainUntilDate`;
//! the date can be moved later, never earlier. A bucket with object lock
//! ([`get_bucket_object_lock`](crate::Bucket::get_bucket_object_lock)) gives each new object
//! its default retention.
//!
//! | request | the emulator answers |
//! |---|---|
//! | PUT on a bucket without object lock | 400 InvalidRequest |
//! | PUT with a date earlier than the object's | 403 AccessDenied |
//! | GET of an object never retained | 404 NoSuchObjectLockConfiguration |
//! | DELETE of a retained version, or a write replacing it | 403 AccessDenied |
//!
//! ```
//! use tencent_cos::api::{PutObjectRetentionInput, Retention};
//! use tencent_cos::operation::Operation;
//! let mut input = PutObjectRetentionInput {
//!     key: "ledger/2026.csv".into(),
//!     retention: Retention::compliance_until("2030-01-01T00:00:00.000Z"),
//!     version_id: None,
//! };
//! let request = input.build()?;
//! assert_eq!(request.query, vec![("retention".to_string(), String::new())]);
//! assert_eq!(
//!     request.body.as_bytes().unwrap(),
//!     b"<Retention><RetainUntilDate>2030-01-01T00:00:00.000Z</RetainUntilDate><Mode>COMPLIANCE</Mode></Retention>"
//! );
//! # Ok::<(), tencent_cos::Error>(())
//! ```

pub(crate) mod acl;
pub(crate) mod acl_calls;
mod acl_headers;
pub(crate) mod bucket;
pub(crate) mod bucket_accelerate;
pub(crate) mod bucket_config;
pub(crate) mod bucket_domain;
pub(crate) mod bucket_domain_certificate;
pub(crate) mod bucket_encryption;
pub(crate) mod bucket_intelligent_tiering;
pub(crate) mod bucket_inventory;
pub(crate) mod bucket_lifecycle;
pub(crate) mod bucket_list;
pub(crate) mod bucket_logging;
pub(crate) mod bucket_object_lock;
pub(crate) mod bucket_origin;
pub(crate) mod bucket_policy;
pub(crate) mod bucket_referer;
pub(crate) mod bucket_replication;
pub(crate) mod bucket_tagging;
pub(crate) mod bucket_versioning;
pub(crate) mod bucket_website;
pub(crate) mod call;
pub(crate) mod cors;
pub(crate) mod event_stream;
mod listing;
pub(crate) mod multipart;
pub(crate) mod multipart_complete;
pub(crate) mod multipart_copy;
pub(crate) mod multipart_list;
pub(crate) mod multipart_list_part;
pub(crate) mod object;
pub(crate) mod object_append;
pub(crate) mod object_attributes;
pub(crate) mod object_copy;
pub(crate) mod object_copy_source;
pub(crate) mod object_delete;
pub(crate) mod object_get;
pub(crate) mod object_head;
pub(crate) mod object_options;
pub(crate) mod object_put;
pub(crate) mod object_restore;
pub(crate) mod object_retention;
pub(crate) mod object_select;
pub(crate) mod object_tagging;
pub(crate) mod object_versions;
pub(crate) mod pages;
pub(crate) mod post_form;
pub(crate) mod service;
pub(crate) mod storage_class;
mod xml_body;

pub use acl::*;
pub use acl_calls::*;
pub use bucket::*;
pub use bucket_accelerate::*;
pub use bucket_domain::*;
pub use bucket_domain_certificate::*;
pub use bucket_encryption::*;
pub use bucket_intelligent_tiering::*;
pub use bucket_inventory::*;
pub use bucket_lifecycle::*;
pub use bucket_list::*;
pub use bucket_logging::*;
pub use bucket_object_lock::*;
pub use bucket_origin::*;
pub use bucket_policy::*;
pub use bucket_referer::*;
pub use bucket_replication::*;
pub use bucket_tagging::*;
pub use bucket_versioning::*;
pub use bucket_website::*;
pub use call::Call;
pub use cors::*;
pub use event_stream::*;
pub use multipart::*;
pub use multipart_complete::*;
pub use multipart_copy::*;
pub use multipart_list::*;
pub use multipart_list_part::*;
pub use object::*;
pub use object_append::*;
pub use object_attributes::*;
pub use object_copy::*;
pub use object_copy_source::*;
pub use object_delete::*;
pub use object_get::*;
pub use object_head::*;
pub use object_options::*;
pub use object_put::*;
pub use object_restore::*;
pub use object_retention::*;
pub use object_select::*;
pub use object_tagging::*;
pub use object_versions::*;
pub use pages::*;
pub use post_form::*;
pub use service::*;
pub use storage_class::*;
