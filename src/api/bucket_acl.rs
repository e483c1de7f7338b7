//! `get_bucket_acl` and `put_bucket_acl`: the bucket half of the ACL calls (written once, in
//! [`acl_calls`](super::acl_calls)).

pub use super::acl_calls::{
    GetBucketAcl, GetBucketAclInput, GetBucketAclOutput, PutBucketAcl, PutBucketAclInput, PutBucketAclOutput,
};
