//! One writer per data directory: an OS file lock on `radar.lock`, held for
//! the life of the process. The OS releases it when the process dies, so a
//! lock file left behind by a crash never blocks the next run. The file
//! holds the pid of the holder, for the "already running" message.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use fs4::fs_std::FileExt;

/// Name of the lock file in the data directory.
pub const LOCK_FILE: &str = "radar.lock";

/// Held while this process writes to a data directory.
#[derive(Debug)]
pub struct DataLock {
    _file: File,
    path: PathBuf,
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error(
        "radar is already running on data directory {dir} (pid {pid}); stop it first or wait for it to finish"
    )]
    Held {
        /// The data directory.
        dir: String,
        /// The holder's pid, as written in the lock file.
        pid: String,
    },
    /// The lock file could not be opened.
    #[error("cannot open lock file {path}: {source}")]
    Io {
        /// The lock file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl DataLock {
    /// Takes the lock on `dir` (created when missing) without waiting.
    pub fn acquire(dir: &Path) -> Result<DataLock, LockError> {
        let path = dir.join(LOCK_FILE);
        let io = |source| LockError::Io {
            path: path.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        if !file.try_lock_exclusive().map_err(io)? {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            let pid = pid.trim();
            return Err(LockError::Held {
                dir: dir.display().to_string(),
                pid: if pid.is_empty() {
                    "unknown".into()
                } else {
                    pid.to_string()
                },
            });
        }
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(DataLock { _file: file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_writer_is_refused_and_a_stale_file_is_not() {
        let dir = tempfile::tempdir().unwrap();
        // A stale lock file from a crashed process: content, but no OS lock.
        std::fs::write(dir.path().join(LOCK_FILE), "999999").unwrap();
        let first = DataLock::acquire(dir.path()).unwrap();
        let err = DataLock::acquire(dir.path()).unwrap_err().to_string();
        assert!(err.contains("already running"), "{err}");
        assert!(err.contains(&std::process::id().to_string()), "{err}");
        drop(first);
        assert!(DataLock::acquire(dir.path()).is_ok());
    }
}
