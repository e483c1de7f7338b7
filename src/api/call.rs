//! The one builder type of the calls: the bucket a call runs on and the call's input.

use crate::client::{Bucket, CallOptions};
use crate::error::Result;
use crate::operation::Operation;

/// A call ready to send: the bucket it runs on and its input, an [`Operation`].
///
/// Every `Bucket` method of a call returns one, named by an alias such as
/// [`HeadObject`](super::HeadObject) (`Call<'a, HeadObjectInput>`). The setters of a call are
/// methods of its alias; [`send`](Call::send) runs the input through the client's pipeline
/// (endpoint, signing, retries within one budget, error mapping), and
/// [`send_with`](Call::send_with) does so with per-call options such as a cancel token.
///
/// `get_object` and `put_object` return builders of their own ([`GetObject`](super::GetObject),
/// [`PutObject`](super::PutObject)): besides the input they carry a progress callback wrapped
/// around the body (and, for `put_object`, a file that failed to open, reported by `send`).
/// `get_service` has no bucket ([`GetService`](super::GetService)). All three have `send` and
/// `send_with` too.
///
/// ```no_run
/// use tencent_cos::api::{Call, HeadObjectInput};
/// use tencent_cos::{CallOptions, CancelToken};
/// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
/// let bucket = client.bucket("examplebucket-1250000000");
/// let call: Call<'_, HeadObjectInput> = bucket.head_object("a.txt").if_match("\"etag\"");
/// assert_eq!(call.input().key, "a.txt");
/// let head = call.send_with(&CallOptions::new().cancel(CancelToken::new()))?;
/// # Ok::<(), tencent_cos::Error>(())
/// ```
#[must_use = "call .send() to run the request"]
#[derive(Debug)]
pub struct Call<'a, I> {
    pub(crate) bucket: &'a Bucket,
    pub(crate) input: I,
}

impl<'a, I> Call<'a, I> {
    /// The input as the setters have filled it so far.
    pub fn input(&self) -> &I {
        &self.input
    }

    /// The input, to run it later with [`Bucket::execute`] or keep it.
    pub fn into_input(self) -> I {
        self.input
    }

    /// The bucket the call runs on.
    pub fn bucket(&self) -> &'a Bucket {
        self.bucket
    }
}

impl<I: Operation> Call<'_, I> {
    /// Sends the request (see the `Bucket` method that made the call for what it returns and
    /// which errors come before any request).
    pub fn send(self) -> Result<I::Output> {
        self.bucket.execute(self.input)
    }

    /// Sends the request with per-call options: a cancel token, a body-sent observer.
    pub fn send_with(self, options: &CallOptions) -> Result<I::Output> {
        self.bucket.execute_with(self.input, options)
    }
}
