//! Writing a report to a file (`--output FILE`): checked before any work, written through a
//! private temporary file in the same directory and renamed into place, so a killed run never
//! leaves half a report and a planted link never redirects the write.
//!
//! - [`OutputFile::check`] runs before the first AWS call or probe: the directory must exist and
//!   accept a new file (a temporary file is created exclusively and removed again), and the path
//!   must not be a directory. A bad path is a usage error, not a report lost after the audit.
//! - [`OutputFile::write`] creates the temporary file with `O_CREAT | O_EXCL` (`create_new`: an
//!   existing file or symbolic link of that name, dangling or not, is refused, never followed)
//!   under an unpredictable name (`.NAME.<16 random hex digits>.tmp`, from the system's random
//!   source), with mode `0600` (the umask can only narrow it). A report that already exists keeps
//!   its permission bits (a `0600` report stays `0600`, a `0644` one stays `0644`); its owner and
//!   group become the writer's, as with any replacement by rename. The data is flushed to disk, then
//!   renamed over the target (atomic within one file system), and the directory is synced.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use ring::rand::{SecureRandom, SystemRandom};

/// Mode of a new report: readable and writable by its owner only (reports name every listener).
pub const NEW_FILE_MODE: u32 = 0o600;

/// How many random names are tried before giving up (each clash means someone else created a
/// file of that name in the meantime).
const NAME_ATTEMPTS: usize = 8;

/// Why a report file cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The path names no file (empty, `..`, or ends in `/`).
    #[error("--output {}: not a file name; give the path of a file", path.display())]
    NotAFileName {
        /// The path given.
        path: PathBuf,
    },
    /// The path is a directory.
    #[error("--output {}: is a directory; give a file name", path.display())]
    IsADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// The directory does not exist, or is not a directory.
    #[error(
        "--output {}: the directory {} does not exist (create it, or give another path)",
        path.display(),
        dir.display()
    )]
    NoDirectory {
        /// The path given.
        path: PathBuf,
        /// Its directory.
        dir: PathBuf,
    },
    /// A file cannot be created in the directory (permissions, read-only file system, full disk).
    #[error(
        "--output {}: cannot create a file in {}: {source} (give a writable location)",
        path.display(),
        dir.display()
    )]
    NotWritable {
        /// The path given.
        path: PathBuf,
        /// Its directory.
        dir: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// Writing, syncing or renaming failed.
    #[error("--output {}: {source}", path.display())]
    Write {
        /// The path given.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
}

/// A report destination that has been checked (see the module documentation).
#[derive(Debug)]
pub struct OutputFile {
    path: PathBuf,
    dir: PathBuf,
    name: String,
}

impl OutputFile {
    /// Checks that a report can be written at `path`: not a directory, in an existing directory
    /// where a new file can be created. Leaves nothing behind.
    pub fn check(path: &Path) -> Result<Self, OutputError> {
        let name = match path.file_name() {
            Some(name) if !path.as_os_str().to_string_lossy().ends_with('/') => {
                name.to_string_lossy().into_owned()
            }
            _ if path.is_dir() => {
                return Err(OutputError::IsADirectory {
                    path: path.to_path_buf(),
                });
            }
            _ => {
                return Err(OutputError::NotAFileName {
                    path: path.to_path_buf(),
                });
            }
        };
        if path.is_dir() {
            return Err(OutputError::IsADirectory {
                path: path.to_path_buf(),
            });
        }
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(OutputError::NoDirectory {
                path: path.to_path_buf(),
                dir,
            });
        }
        let output = Self {
            path: path.to_path_buf(),
            dir,
            name,
        };
        let (probe, file) = output
            .create_temporary()
            .map_err(|source| output.unwritable(source))?;
        drop(file);
        fs::remove_file(&probe).map_err(|source| output.unwritable(source))?;
        Ok(output)
    }

    /// The path given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes the report with `write` to a fresh temporary file, then renames it over the path.
    /// On any error the temporary file is removed and the previous report is left as it was.
    pub fn write(
        &self,
        write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
    ) -> Result<(), OutputError> {
        let (temporary, file) = self
            .create_temporary()
            .map_err(|source| self.unwritable(source))?;
        let result = (|| -> io::Result<()> {
            if let Some(mode) = self.existing_mode() {
                set_mode(&file, mode)?;
            }
            let mut writer = BufWriter::new(file);
            write(&mut writer)?;
            writer.flush()?;
            writer.get_ref().sync_all()?;
            drop(writer);
            fs::rename(&temporary, &self.path)
        })();
        if let Err(source) = result {
            let _ = fs::remove_file(&temporary);
            return Err(OutputError::Write {
                path: self.path.clone(),
                source,
            });
        }
        // The rename is durable once the directory is; a failure here loses nothing written.
        if let Ok(dir) = File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    fn unwritable(&self, source: io::Error) -> OutputError {
        OutputError::NotWritable {
            path: self.path.clone(),
            dir: self.dir.clone(),
            source,
        }
    }

    /// The permission bits of the report being replaced, when it is a regular file.
    fn existing_mode(&self) -> Option<u32> {
        let metadata = fs::symlink_metadata(&self.path).ok()?;
        metadata.is_file().then(|| permission_bits(&metadata))
    }

    /// Creates `.NAME.<random>.tmp` in the directory, exclusively, mode 0600.
    fn create_temporary(&self) -> io::Result<(PathBuf, File)> {
        let mut last = None;
        for _ in 0..NAME_ATTEMPTS {
            let candidate = self
                .dir
                .join(format!(".{}.{}.tmp", self.name, random_hex()?));
            match private_options().open(&candidate) {
                Ok(file) => return Ok((candidate, file)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("no free temporary file name")))
    }
}

/// 16 hex digits from the system's random source.
fn random_hex() -> io::Result<String> {
    let mut bytes = [0u8; 8];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| io::Error::other("the system random source failed"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    // `create_new` is O_CREAT | O_EXCL: it fails on any existing name, symbolic links included.
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(NEW_FILE_MODE);
    }
    options
}

#[cfg(unix)]
fn permission_bits(metadata: &fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    metadata.permissions().mode() & 0o777
}

#[cfg(not(unix))]
fn permission_bits(_metadata: &fs::Metadata) -> u32 {
    NEW_FILE_MODE
}

#[cfg(unix)]
fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &File, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::{PermissionsExt, symlink};

    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "elbtls-output-{name}-{}-{}",
            std::process::id(),
            random_hex().unwrap()
        ));
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_missing_directory_or_a_directory_path_is_refused_before_work() {
        let dir = scratch("check");
        let err = OutputFile::check(&dir.join("no-such-dir/report.json")).unwrap_err();
        assert!(matches!(err, OutputError::NoDirectory { .. }), "{err}");
        assert!(err.to_string().starts_with("--output "), "{err}");
        assert!(err.to_string().contains("does not exist"), "{err}");
        let err = OutputFile::check(&dir).unwrap_err();
        assert!(matches!(err, OutputError::IsADirectory { .. }), "{err}");
        // A file where the directory should be.
        fs::write(dir.join("plain"), "x").unwrap();
        let err = OutputFile::check(&dir.join("plain/report.json")).unwrap_err();
        assert!(matches!(err, OutputError::NoDirectory { .. }), "{err}");
        // A good path: checked, and nothing left behind.
        OutputFile::check(&dir.join("report.json")).unwrap();
        assert_eq!(entries(&dir), ["plain"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_new_report_is_private_and_an_existing_one_keeps_its_mode() {
        let dir = scratch("mode");
        let path = dir.join("report.json");
        let output = OutputFile::check(&path).unwrap();
        output.write(|w| w.write_all(b"first")).unwrap();
        assert_eq!(mode(&path), 0o600);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        output.write(|w| w.write_all(b"second")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "second");
        assert_eq!(mode(&path), 0o640);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        output.write(|w| w.write_all(b"third")).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(entries(&dir), ["report.json"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn planted_links_are_never_followed() {
        let dir = scratch("links");
        let victim = dir.join("victim");
        fs::write(&victim, "precious").unwrap();
        // The name the old code used, and a guess at every name.
        let pid = std::process::id();
        symlink(&victim, dir.join(format!(".report.json.{pid}.tmp"))).unwrap();
        let path = dir.join("report.json");
        let output = OutputFile::check(&path).unwrap();
        output.write(|w| w.write_all(b"report")).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(fs::read_to_string(&path).unwrap(), "report");
        assert!(
            !fs::symlink_metadata(&path)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        // Every temporary name is fresh: creating one over an existing link fails.
        let link = dir.join("link");
        symlink(&victim, &link).unwrap();
        assert_eq!(
            private_options().open(&link).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn temporary_names_are_unpredictable() {
        let dir = scratch("names");
        let output = OutputFile::check(&dir.join("r")).unwrap();
        let (a, _) = output.create_temporary().unwrap();
        let (b, _) = output.create_temporary().unwrap();
        assert_ne!(a, b);
        let name = a.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with(".r.") && name.ends_with(".tmp"), "{name}");
        assert!(!name.contains(&std::process::id().to_string()), "{name}");
        assert_eq!(mode(&a), 0o600);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_render_leaves_the_previous_report_and_no_temporary_file() {
        let dir = scratch("fail");
        let path = dir.join("report.json");
        fs::write(&path, "previous").unwrap();
        let output = OutputFile::check(&path).unwrap();
        let err = output
            .write(|w| {
                w.write_all(b"half")?;
                Err(io::Error::other("render failed"))
            })
            .unwrap_err();
        assert!(err.to_string().contains("render failed"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "previous");
        assert_eq!(entries(&dir), ["report.json"]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
