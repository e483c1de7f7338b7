//! Paging through a listing: one request per page, each page's answer telling where the next
//! one starts.

use std::collections::HashSet;
use std::fmt;

use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::operation::Operation;

/// An input whose answer may continue on another page.
pub trait Paginated: Operation + Clone {
    /// The input of the page after `page`; `None` when `page` is the last, an error when a
    /// truncated page gives no way forward (so a loop can never spin on the same page).
    fn next_page(&self, page: &Self::Output) -> Result<Option<Self>>;

    /// Where this page starts (its markers), when a listing could return to a start it had
    /// already been at: [`Pages`] ends with an error instead of looping (a, b, a, b, ...).
    fn cursor(&self) -> Option<String> {
        None
    }

    /// The same input asking COS to URL-encode the keys it returns (decoded in the output),
    /// unless the caller chose an encoding: a key with a character XML cannot carry (U+0001)
    /// then cannot break the listing. Default: unchanged.
    fn url_encoded(self) -> Self {
        self
    }
}

/// The pages of a listing, fetched lazily, one request per `next`. After an error it ends.
///
/// ```no_run
/// # let client = tencent_cos::Client::builder().secret("id", "key").region("ap-guangzhou").build()?;
/// # let bucket = client.bucket("examplebucket-1250000000");
/// let pages: tencent_cos::api::Pages<'_, _> = bucket.multipart_list().pages();
/// for page in pages {
///     println!("{} uploads", page?.uploads.len());
/// }
/// # Ok::<(), tencent_cos::Error>(())
/// ```
pub struct Pages<'a, I> {
    bucket: &'a Bucket,
    next: Option<I>,
    seen: HashSet<String>,
}

impl<'a, I: Paginated> Pages<'a, I> {
    /// The pages of `first` and its successors.
    pub(crate) fn new(bucket: &'a Bucket, first: I) -> Self {
        Pages { bucket, next: Some(first.url_encoded()), seen: HashSet::new() }
    }
}

impl<I: fmt::Debug> fmt::Debug for Pages<'_, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages").field("bucket", self.bucket).field("next", &self.next).finish()
    }
}

impl<I: Paginated> Iterator for Pages<'_, I> {
    type Item = Result<I::Output>;

    fn next(&mut self) -> Option<Self::Item> {
        let input = self.next.take()?;
        if let Some(cursor) = input.cursor()
            && !self.seen.insert(cursor.clone())
        {
            return Some(Err(Error::Xml(format!(
                "the listing came back to markers it had already visited: {cursor:?}"
            ))));
        }
        let page = self.bucket.execute(input.clone()).and_then(|page| {
            self.next = input.next_page(&page)?;
            Ok(page)
        });
        Some(page)
    }
}
