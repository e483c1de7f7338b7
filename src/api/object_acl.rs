//! `get_object_acl` and `put_object_acl`: the object half of the ACL calls (written once, in
//! [`acl_calls`](super::acl_calls)).

pub use super::acl_calls::{
    GetObjectAcl, GetObjectAclInput, GetObjectAclOutput, PutObjectAcl, PutObjectAclInput, PutObjectAclOutput,
};
