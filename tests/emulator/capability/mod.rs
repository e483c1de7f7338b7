//! The capability suite: every API of the reference, the error cases of COS's authentication,
//! temporary keys and presigned URLs, through the crate's typed builders -- run twice, against
//! the emulator in-process (`mod in_process`) and against its HTTP front on a port the OS picks,
//! through `UreqTransport` (`mod over_http`).
//!
//! Each capability is one function taking an [`Env`]; `capabilities!` makes a test of it for
//! each front.

use crate::support::capability_support;

// The capabilities, by family (`tests/emulator/capability/*.rs`).
mod access;
mod acl_cors;
mod buckets;
mod multipart;
mod objects;

use capability_support::{Env, Front};

macro_rules! capabilities {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod in_process {
            $(
                #[test]
                fn $name() {
                    super::$module::$name(&super::Env::new(super::Front::InProcess));
                }
            )*
        }
        mod over_http {
            $(
                #[test]
                fn $name() {
                    super::$module::$name(&super::Env::new(super::Front::Http));
                }
            )*
        }
    };
}

capabilities! {
    buckets::get_service_lists_buckets,
    buckets::bucket_lifecycle,
    buckets::get_bucket_listing,
    objects::put_object_bodies,
    objects::object_metadata,
    objects::head_object_conditions,
    objects::get_object_ranges_conditions_overrides,
    objects::put_object_copy,
    objects::delete_objects,
    objects::tricky_keys,
    acl_cors::bucket_acl,
    acl_cors::object_acl,
    acl_cors::cors_rules_and_preflight,
    multipart::multipart_upload_flow,
    multipart::upload_part_copy,
    multipart::multipart_errors,
    multipart::multipart_listings_and_abort,
    multipart::managed_uploads,
    access::authentication_errors,
    access::anonymous_access,
    access::temporary_credentials,
    access::presigned_urls,
}
