//! Content types by extension, shared by the client and the emulator: the type `upload_file` /
//! `upload_files` send for a key with a known extension, as the node SDK's `uploadFile` does
//! (`transfer/upload.rs`), and the type the emulator stores for an object written without one
//! (the key's extension's, else `application/octet-stream`, as COS does).

/// Extensions (lower case, without the dot) and their types.
pub(crate) const TYPES: &[(&str, &str)] = &[
    ("7z", "application/x-7z-compressed"),
    ("avi", "video/x-msvideo"),
    ("bmp", "image/bmp"),
    ("css", "text/css"),
    ("csv", "text/csv"),
    ("doc", "application/msword"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("gif", "image/gif"),
    ("gz", "application/gzip"),
    ("htm", "text/html"),
    ("html", "text/html"),
    ("ico", "image/x-icon"),
    ("jpeg", "image/jpeg"),
    ("jpg", "image/jpeg"),
    ("js", "application/javascript"),
    ("json", "application/json"),
    ("m4a", "audio/mp4"),
    ("md", "text/markdown"),
    ("mov", "video/quicktime"),
    ("mp3", "audio/mpeg"),
    ("mp4", "video/mp4"),
    ("mpeg", "video/mpeg"),
    ("ogg", "audio/ogg"),
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("ppt", "application/vnd.ms-powerpoint"),
    ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("rar", "application/x-rar-compressed"),
    ("svg", "image/svg+xml"),
    ("tar", "application/x-tar"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("ttf", "font/ttf"),
    ("txt", "text/plain"),
    ("wasm", "application/wasm"),
    ("wav", "audio/wav"),
    ("webm", "video/webm"),
    ("webp", "image/webp"),
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("xls", "application/vnd.ms-excel"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("xml", "application/xml"),
    ("yaml", "application/x-yaml"),
    ("yml", "application/x-yaml"),
    ("zip", "application/zip"),
];

/// What COS answers for an object with no type of its own.
pub(crate) const DEFAULT_TYPE: &str = "application/octet-stream";

/// The type of `key`'s extension (case-insensitive; only the last path segment counts), else
/// [`DEFAULT_TYPE`].
#[cfg_attr(not(feature = "emulator"), allow(dead_code))]
pub(crate) fn type_of_key(key: &str) -> &'static str {
    known_type_of_key(key).unwrap_or(DEFAULT_TYPE)
}

/// The type of `key`'s extension when the table knows it.
pub(crate) fn known_type_of_key(key: &str) -> Option<&'static str> {
    let name = key.rsplit('/').next().unwrap_or(key);
    let (_, ext) = name.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    TYPES.iter().find(|(e, _)| *e == ext).map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_unique() {
        assert!(TYPES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(TYPES.len() >= 40);
    }

    #[test]
    fn by_extension() {
        assert_eq!(type_of_key("a.zip"), "application/zip");
        assert_eq!(type_of_key("dir/PHOTO.JPG"), "image/jpeg");
        assert_eq!(type_of_key("x.tar.gz"), "application/gzip");
        assert_eq!(type_of_key("noext"), DEFAULT_TYPE);
        assert_eq!(type_of_key("a.unknownext"), DEFAULT_TYPE);
        assert_eq!(type_of_key("dir.txt/file"), DEFAULT_TYPE);
        assert_eq!(type_of_key("trailing."), DEFAULT_TYPE);
        assert_eq!(type_of_key(".txt"), "text/plain");
        assert_eq!(known_type_of_key("notes 2.md"), Some("text/markdown"));
        assert_eq!(known_type_of_key("a.unknownext"), None);
    }
}
