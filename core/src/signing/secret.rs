//! [`Secret`] and [`Secrets`]: the shared key bytes, and the set a service
//! accepts. Neither ever shows its bytes: `Debug` prints a placeholder and
//! there is no `Display`.

use std::fmt;
use std::path::{Path, PathBuf};

/// The fewest bytes a secret may have: shorter ones are guessable.
pub const MIN_SECRET_LEN: usize = 16;

/// Why a secret or a secret file was refused. Never holds the secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The secret is shorter than [`MIN_SECRET_LEN`] bytes.
    #[error("a secret must have at least {min} bytes, this one has {len}")]
    TooShort {
        /// Its length in bytes.
        len: usize,
        /// [`MIN_SECRET_LEN`].
        min: usize,
    },
    /// A secret file could not be read.
    #[error("cannot read the secret file {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A secret file holds no secret (only empty lines).
    #[error("the secret file {} holds no secret", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A line of a secret file is not a valid secret.
    #[error("line {line} of the secret file {} is not a valid secret", path.display())]
    Line {
        /// The file.
        path: PathBuf,
        /// The line number, from 1.
        line: usize,
        /// What is wrong with it.
        #[source]
        source: Box<SecretError>,
    },
    /// No secret file was named.
    #[error("no secret file was given")]
    NoFile,
}

/// A shared secret: the HMAC key of signed calls.
///
/// ```
/// use switchboard::signing::Secret;
///
/// let secret = Secret::new("correct horse battery staple")?;
/// assert_eq!(format!("{secret:?}"), "Secret(***)");
/// assert!(Secret::new("short").is_err());
/// # Ok::<(), switchboard::signing::SecretError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// The secret `bytes`.
    ///
    /// # Errors
    /// [`SecretError::TooShort`] below [`MIN_SECRET_LEN`] bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, SecretError> {
        let bytes = bytes.into();
        if bytes.len() < MIN_SECRET_LEN {
            return Err(SecretError::TooShort {
                len: bytes.len(),
                min: MIN_SECRET_LEN,
            });
        }
        Ok(Self(bytes))
    }

    /// The key bytes, for the MAC.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The secrets a service accepts, at least one. The first is the one a
/// caller signs with ([`signing`](Self::signing)); the others are still
/// accepted, so that a secret can be rotated without downtime.
///
/// ```
/// use switchboard::signing::{Secret, Secrets};
///
/// let secrets = Secrets::parse("new secret, sixteen+ bytes\n\nold secret, sixteen+ bytes\n")?;
/// assert_eq!(secrets.len(), 2);
/// assert_eq!(secrets.signing(), &Secret::new("new secret, sixteen+ bytes")?);
/// assert_eq!(format!("{secrets:?}"), "Secrets(2 × ***)");
/// # Ok::<(), switchboard::signing::SecretError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secrets(Vec<Secret>);

impl Secrets {
    /// The set of one secret.
    pub fn new(first: Secret) -> Self {
        Self(vec![first])
    }

    /// Also accepts `other` (after the ones already held).
    #[must_use]
    pub fn with(mut self, other: Secret) -> Self {
        self.0.push(other);
        self
    }

    /// The secrets of `text`, one a line: each line without its
    /// surrounding whitespace is a secret, empty lines are skipped.
    ///
    /// # Errors
    /// [`SecretError::Empty`] (with an empty path) when no line holds a
    /// secret, [`SecretError::Line`] for a line too short to be one.
    pub fn parse(text: &str) -> Result<Self, SecretError> {
        Self::parse_from(text, Path::new(""))
    }

    /// The secrets of every file in `paths`, in order, each read as
    /// [`parse`](Self::parse) does.
    ///
    /// # Errors
    /// [`SecretError::NoFile`] for no path; [`SecretError::Read`] for a
    /// file that cannot be read, and as [`parse`](Self::parse) for its
    /// text, naming the file.
    pub fn read_files<P: AsRef<Path>>(
        paths: impl IntoIterator<Item = P>,
    ) -> Result<Self, SecretError> {
        let mut all: Vec<Secret> = Vec::new();
        for path in paths {
            let path = path.as_ref();
            let text = std::fs::read_to_string(path).map_err(|source| SecretError::Read {
                path: path.to_owned(),
                source,
            })?;
            all.extend(Self::parse_from(&text, path)?.0);
        }
        if all.is_empty() {
            return Err(SecretError::NoFile);
        }
        Ok(Self(all))
    }

    fn parse_from(text: &str, path: &Path) -> Result<Self, SecretError> {
        let mut secrets = Vec::new();
        for (at, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let secret = Secret::new(line).map_err(|source| SecretError::Line {
                path: path.to_owned(),
                line: at + 1,
                source: Box::new(source),
            })?;
            secrets.push(secret);
        }
        if secrets.is_empty() {
            return Err(SecretError::Empty {
                path: path.to_owned(),
            });
        }
        Ok(Self(secrets))
    }

    /// The secret callers sign with: the first.
    pub fn signing(&self) -> &Secret {
        // `new`, `parse` and `read_files` never make an empty set.
        &self.0[0]
    }

    /// How many secrets are accepted.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always `false`: a set holds at least one secret.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every accepted secret, the signing one first.
    pub fn iter(&self) -> impl Iterator<Item = &Secret> {
        self.0.iter()
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({} × ***)", self.0.len())
    }
}
