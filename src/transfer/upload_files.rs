//! `upload_file` (a simple put below SliceSize, multipart above) and `upload_files` (many
//! files, FileParallelLimit at once, one aggregated progress).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::client::Bucket;
use crate::error::{Error, Result};
use crate::transfer::progress::{ProgressCallback, ProgressInfo, ProgressTracker};
use crate::transfer::task::{TaskHandle, TransferOutput};
use crate::transfer::upload::{UploadOptions, start_upload, upload_option_setters};

/// Builder of [`Bucket::upload_file`].
#[must_use = "call .start() or .send() to run the upload"]
pub struct UploadFile<'a> {
    bucket: &'a Bucket,
    key: String,
    path: PathBuf,
    slice_size: Option<u64>,
    options: UploadOptions,
}

impl Bucket {
    /// Uploads a file: one `put_object` when it is at most SliceSize (default 1 MiB), a
    /// resumable [`slice_upload_file`](Bucket::slice_upload_file) above (the JS `uploadFile`).
    ///
    /// ```no_run
    /// let client = tencent_cos::Client::from_env()?;
    /// let out = client.bucket("examplebucket-1250000000").upload_file("a.txt", "./a.txt").send()?;
    /// println!("{}", out.etag);
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn upload_file(&self, key: impl Into<String>, path: impl AsRef<Path>) -> UploadFile<'_> {
        UploadFile {
            bucket: self,
            key: key.into(),
            path: path.as_ref().to_owned(),
            slice_size: None,
            options: UploadOptions::default(),
        }
    }

    /// Uploads many files, FileParallelLimit at once (the JS `uploadFiles`). Each file gets
    /// its own result, in the order given; `on_progress` sees one aggregated progress.
    ///
    /// ```no_run
    /// let client = tencent_cos::Client::from_env()?;
    /// let bucket = client.bucket("examplebucket-1250000000");
    /// let results = bucket
    ///     .upload_files([("a.txt", "./a.txt"), ("b.bin", "./b.bin")])
    ///     .on_progress(|p| eprintln!("{:.0}%", p.fraction * 100.0))
    ///     .send();
    /// for (key, result) in results {
    ///     println!("{key}: {:?}", result.map(|o| o.etag));
    /// }
    /// # Ok::<(), tencent_cos::Error>(())
    /// ```
    pub fn upload_files<K, P>(&self, files: impl IntoIterator<Item = (K, P)>) -> UploadFiles<'_>
    where
        K: Into<String>,
        P: AsRef<Path>,
    {
        UploadFiles {
            bucket: self,
            files: files.into_iter().map(|(k, p)| (k.into(), p.as_ref().to_owned())).collect(),
            slice_size: None,
            options: UploadOptions::default(),
            on_file_finish: None,
        }
    }
}

fn is_multipart(bucket: &Bucket, path: &Path, slice_size: Option<u64>) -> Result<bool> {
    let size =
        std::fs::metadata(path).map_err(|e| Error::invalid("file_path", format!("{}: {e}", path.display())))?.len();
    Ok(size > slice_size.unwrap_or(bucket.client().config().slice_size))
}

impl UploadFile<'_> {
    upload_option_setters!();

    /// Above this size the upload is multipart (SliceSize; default from the client, 1 MiB).
    pub fn slice_size(mut self, bytes: u64) -> Self {
        self.slice_size = Some(bytes);
        self
    }

    /// Queues the upload and returns its task handle.
    pub fn start(self) -> Result<TaskHandle> {
        let multipart = is_multipart(self.bucket, &self.path, self.slice_size)?;
        start_upload(self.bucket, self.key, self.path, self.options, multipart)
    }

    /// Runs the upload and blocks until it is done.
    pub fn send(self) -> Result<TransferOutput> {
        self.start()?.wait()
    }
}

type FileFinish = Arc<dyn Fn(&str, &Result<TransferOutput>) + Send + Sync>;

/// Builder of [`Bucket::upload_files`].
#[must_use = "call .send() to run the uploads"]
pub struct UploadFiles<'a> {
    bucket: &'a Bucket,
    files: Vec<(String, PathBuf)>,
    slice_size: Option<u64>,
    options: UploadOptions,
    on_file_finish: Option<FileFinish>,
}

impl UploadFiles<'_> {
    upload_option_setters!();

    /// Above this size a file is uploaded in parts (SliceSize).
    pub fn slice_size(mut self, bytes: u64) -> Self {
        self.slice_size = Some(bytes);
        self
    }

    /// Called as each file finishes, with its key and result (the JS `onFileFinish`).
    pub fn on_file_finish(mut self, f: impl Fn(&str, &Result<TransferOutput>) + Send + Sync + 'static) -> Self {
        self.on_file_finish = Some(Arc::new(f));
        self
    }

    /// Queues every file and blocks until all are done; one result per file, in order.
    /// A file that cannot even start (missing, unreadable) gets its error without stopping
    /// the others.
    pub fn send(self) -> Vec<(String, Result<TransferOutput>)> {
        let sizes: Vec<u64> =
            self.files.iter().map(|(_, p)| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)).collect();
        let total = sizes.iter().sum();
        let aggregate = Arc::new(ProgressTracker::new(
            total,
            self.bucket.client().config().progress_interval,
            self.options.on_progress.clone(),
        ));
        let mut handles = Vec::with_capacity(self.files.len());
        for (key, path) in &self.files {
            let mut options = self.options.clone();
            // Each file feeds its growth into the aggregate instead of calling the user.
            let last = Arc::new(Mutex::new(0u64));
            let agg = aggregate.clone();
            let per_file: ProgressCallback = Arc::new(move |p: &ProgressInfo| {
                let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                if p.loaded > *last {
                    agg.add(p.loaded - *last);
                    *last = p.loaded;
                }
            });
            options.on_progress = Some(per_file);
            let started = is_multipart(self.bucket, path, self.slice_size)
                .and_then(|multipart| start_upload(self.bucket, key.clone(), path.clone(), options, multipart));
            handles.push((key.clone(), started));
        }
        let mut all_ok = true;
        let results: Vec<(String, Result<TransferOutput>)> = handles
            .into_iter()
            .map(|(key, started)| {
                let result = started.and_then(TaskHandle::wait);
                all_ok &= result.is_ok();
                if let Some(cb) = &self.on_file_finish {
                    cb(&key, &result);
                }
                (key, result)
            })
            .collect();
        if all_ok {
            aggregate.finish();
        }
        results
    }
}
