//! [`StorageClass`]: the `x-cos-storage-class` header and the `StorageClass` element, in requests
//! and in every output that reports one (object properties, listings, uploads, parts, lifecycle
//! transitions, replication destinations).

use std::fmt;

/// A COS storage class: the classes COS names, and [`StorageClass::Other`] for any it adds later
/// (`#[non_exhaustive]`: a class COS adds may become a named variant in a later release).
///
/// Parsing ([`From<&str>`](StorageClass#impl-From<%26str>-for-StorageClass)) knows a named class
/// in any ASCII case, because COS itself answers `Standard` in `ListParts` and
/// `ListMultipartUploads` but `STANDARD` elsewhere; [`as_str`](StorageClass::as_str) and
/// `Display` give the wire form COS documents (`STANDARD_IA`), which is what a request sends.
/// A value COS does not name is kept and sent exactly as given. Comparing with a string
/// (`class == "STANDARD"`) parses the string the same way.
///
/// ```
/// use tencent_cos::api::StorageClass;
///
/// assert_eq!(StorageClass::from("STANDARD_IA"), StorageClass::StandardIa);
/// assert_eq!(StorageClass::from("Standard"), StorageClass::Standard);
/// assert_eq!(StorageClass::StandardIa.as_str(), "STANDARD_IA");
/// assert_eq!(StorageClass::Archive.to_string(), "ARCHIVE");
/// assert_eq!(StorageClass::from("COLDEST"), StorageClass::Other("COLDEST".into()));
/// assert_eq!(StorageClass::from("COLDEST").as_str(), "COLDEST");
/// assert!(StorageClass::Standard == "STANDARD");
/// assert!(StorageClass::Other("COLDEST".into()) != "coldest");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StorageClass {
    /// `STANDARD`.
    Standard,
    /// `STANDARD_IA`.
    StandardIa,
    /// `ARCHIVE`.
    Archive,
    /// `DEEP_ARCHIVE`.
    DeepArchive,
    /// `INTELLIGENT_TIERING`.
    IntelligentTiering,
    /// `MAZ_STANDARD`.
    MazStandard,
    /// `MAZ_STANDARD_IA`.
    MazStandardIa,
    /// `MAZ_INTELLIGENT_TIERING`.
    MazIntelligentTiering,
    /// `MAZ_ARCHIVE`.
    MazArchive,
    /// Any other value, kept and sent exactly as given.
    Other(String),
}

impl StorageClass {
    /// Every class COS names, in the order of its documentation.
    ///
    /// ```
    /// use tencent_cos::api::StorageClass;
    /// assert_eq!(StorageClass::KNOWN.len(), 9);
    /// assert!(StorageClass::KNOWN.iter().all(|c| StorageClass::from(c.as_str()) == *c));
    /// ```
    pub const KNOWN: [StorageClass; 9] = [
        StorageClass::Standard,
        StorageClass::StandardIa,
        StorageClass::Archive,
        StorageClass::DeepArchive,
        StorageClass::IntelligentTiering,
        StorageClass::MazStandard,
        StorageClass::MazStandardIa,
        StorageClass::MazIntelligentTiering,
        StorageClass::MazArchive,
    ];

    /// The wire value: `STANDARD_IA` for [`StorageClass::StandardIa`], the string itself for
    /// [`StorageClass::Other`].
    ///
    /// ```
    /// use tencent_cos::api::StorageClass;
    /// assert_eq!(StorageClass::MazStandardIa.as_str(), "MAZ_STANDARD_IA");
    /// ```
    pub fn as_str(&self) -> &str {
        match self {
            StorageClass::Standard => "STANDARD",
            StorageClass::StandardIa => "STANDARD_IA",
            StorageClass::Archive => "ARCHIVE",
            StorageClass::DeepArchive => "DEEP_ARCHIVE",
            StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
            StorageClass::MazStandard => "MAZ_STANDARD",
            StorageClass::MazStandardIa => "MAZ_STANDARD_IA",
            StorageClass::MazIntelligentTiering => "MAZ_INTELLIGENT_TIERING",
            StorageClass::MazArchive => "MAZ_ARCHIVE",
            StorageClass::Other(s) => s,
        }
    }

    /// The named class whose wire value is `value` in any ASCII case.
    fn named(value: &str) -> Option<StorageClass> {
        Self::KNOWN.into_iter().find(|c| c.as_str().eq_ignore_ascii_case(value))
    }
}

impl From<&str> for StorageClass {
    /// A named class when `value` is its wire string in any ASCII case, else
    /// [`StorageClass::Other`] holding `value` unchanged.
    fn from(value: &str) -> Self {
        Self::named(value).unwrap_or_else(|| StorageClass::Other(value.to_owned()))
    }
}

impl From<String> for StorageClass {
    fn from(value: String) -> Self {
        Self::named(&value).unwrap_or(StorageClass::Other(value))
    }
}

impl From<&String> for StorageClass {
    fn from(value: &String) -> Self {
        StorageClass::from(value.as_str())
    }
}

impl Default for StorageClass {
    /// [`StorageClass::Standard`]: the class COS gives an object stored without one, and the
    /// one it means by sending no `x-cos-storage-class` header.
    ///
    /// ```
    /// assert_eq!(tencent_cos::api::StorageClass::default(), tencent_cos::api::StorageClass::Standard);
    /// ```
    fn default() -> Self {
        StorageClass::Standard
    }
}

impl fmt::Display for StorageClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for StorageClass {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for StorageClass {
    /// True when `other` parses to this class (see [`StorageClass::from`]).
    fn eq(&self, other: &str) -> bool {
        match (self, Self::named(other)) {
            (StorageClass::Other(s), None) => s == other,
            (_, Some(named)) => *self == named,
            (_, None) => false,
        }
    }
}

impl PartialEq<&str> for StorageClass {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialEq<String> for StorageClass {
    fn eq(&self, other: &String) -> bool {
        *self == *other.as_str()
    }
}

impl PartialEq<StorageClass> for str {
    fn eq(&self, other: &StorageClass) -> bool {
        *other == *self
    }
}

impl PartialEq<StorageClass> for &str {
    fn eq(&self, other: &StorageClass) -> bool {
        *other == **self
    }
}

#[cfg(test)]
mod tests {
    use super::StorageClass;

    #[test]
    fn storage_class_known_round_trip_in_any_case() {
        let wire = [
            "STANDARD",
            "STANDARD_IA",
            "ARCHIVE",
            "DEEP_ARCHIVE",
            "INTELLIGENT_TIERING",
            "MAZ_STANDARD",
            "MAZ_STANDARD_IA",
            "MAZ_INTELLIGENT_TIERING",
            "MAZ_ARCHIVE",
        ];
        for (class, wire) in StorageClass::KNOWN.iter().zip(wire) {
            assert_eq!(class.as_str(), wire);
            assert_eq!(class.to_string(), wire);
            assert_eq!(StorageClass::from(wire), *class);
            assert_eq!(StorageClass::from(wire.to_owned()), *class);
            assert_eq!(StorageClass::from(wire.to_ascii_lowercase().as_str()), *class);
            assert!(*class == wire);
            assert!(wire == *class);
        }
        assert_eq!(StorageClass::from("Standard"), StorageClass::Standard);
        assert_eq!(StorageClass::from("Standard").to_string(), "STANDARD");
        assert_eq!(StorageClass::from("Standard_IA"), StorageClass::StandardIa);
    }

    #[test]
    fn storage_class_other_kept_exactly() {
        for raw in ["COLDEST", "Coldest", "  STANDARD_IA", "STANDARD ", ""] {
            let class = StorageClass::from(raw);
            assert_eq!(class, StorageClass::Other(raw.to_owned()));
            assert_eq!((class.as_str(), class.to_string().as_str()), (raw, raw));
            assert!(class == raw);
        }
        assert!(StorageClass::Other("COLDEST".into()) != "coldest");
        assert!(StorageClass::Standard != "STANDARD_IA");
        assert!(StorageClass::Standard != "COLDEST");
        assert!(StorageClass::Other("x".into()) != "STANDARD");
    }
}
