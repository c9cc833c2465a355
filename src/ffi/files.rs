//! What a path names (`csod_file_kind`), so that a caller reads regular
//! files only: opening a FIFO for reading blocks until a writer comes, a
//! device may never end.

use std::os::raw::c_char;

use super::args::*;
use super::error::guard;

/// `csod_file_kind`: nothing exists at the path.
pub const CSOD_FILE_MISSING: i32 = 0;
/// `csod_file_kind`: a regular file (symbolic links are followed).
pub const CSOD_FILE_REGULAR: i32 = 1;
/// `csod_file_kind`: a directory.
pub const CSOD_FILE_DIRECTORY: i32 = 2;
/// `csod_file_kind`: something else: a named pipe (FIFO), a socket, a
/// character or block device.
pub const CSOD_FILE_OTHER: i32 = 3;

#[cfg(unix)]
fn file_kind(path: &str) -> Result<i32, String> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(CSOD_FILE_REGULAR),
        Ok(m) if m.is_dir() => Ok(CSOD_FILE_DIRECTORY),
        Ok(_) => Ok(CSOD_FILE_OTHER),
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                || e.raw_os_error() == Some(libc::ENOTDIR) =>
        {
            Ok(CSOD_FILE_MISSING)
        }
        Err(e) => Err(format!("cannot examine {:?}: {}", path, e)),
    }
}

#[cfg(windows)]
fn file_kind(path: &str) -> Result<i32, String> {
    use std::os::windows::fs::OpenOptionsExt;
    use std::os::windows::io::AsRawHandle;
    #[link(name = "kernel32")]
    extern "system" {
        fn GetFileType(handle: *mut std::os::raw::c_void) -> u32;
    }
    const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;
    const FILE_TYPE_DISK: u32 = 1;
    // Opened for no access at all (attributes only), directories too.
    let f = std::fs::OpenOptions::new()
        .access_mode(0)
        .share_mode(7)
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
        .open(path);
    let f = match f {
        Ok(f) => f,
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                || e.raw_os_error() == Some(3) /* ERROR_PATH_NOT_FOUND */ =>
        {
            return Ok(CSOD_FILE_MISSING)
        }
        Err(e) => return Err(format!("cannot examine {:?}: {}", path, e)),
    };
    if unsafe { GetFileType(f.as_raw_handle() as *mut _) } != FILE_TYPE_DISK {
        return Ok(CSOD_FILE_OTHER);
    }
    match f.metadata() {
        Ok(m) if m.is_dir() => Ok(CSOD_FILE_DIRECTORY),
        Ok(_) => Ok(CSOD_FILE_REGULAR),
        Err(e) => Err(format!("cannot examine {:?}: {}", path, e)),
    }
}

/// What `path` (UTF-8, NUL-terminated) names, without opening it for
/// reading: `CSOD_FILE_REGULAR`, `CSOD_FILE_DIRECTORY`, `CSOD_FILE_OTHER`
/// (FIFO, socket, device: do not read it) or `CSOD_FILE_MISSING`; -1 on bad
/// input or when the system cannot tell (see `csod_last_error`).
///
/// # Safety
/// `path` is NULL or a valid NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn csod_file_kind(path: *const c_char) -> i32 {
    guard(|| {
        let path = str_arg(path, "path")?;
        file_kind(path)
    })
    .unwrap_or(-1)
}

/// UTF-16 form of `csod_file_kind`.
///
/// # Safety
/// `path` is NULL or a valid NUL-terminated UTF-16 string.
#[no_mangle]
pub unsafe extern "C" fn csod_file_kind_w(path: *const u16) -> i32 {
    guard(|| {
        let path = wstr_arg(path, "path")?;
        file_kind(&path)
    })
    .unwrap_or(-1)
}

#[cfg(test)]
mod tests {
    use super::super::error::csod_last_error;
    use super::*;
    use std::ffi::CStr;

    #[cfg(unix)]
    #[test]
    fn file_kinds_of_regular_files_folders_fifos_sockets_and_devices() {
        use std::ffi::CString;
        let dir = std::env::temp_dir().join(format!("csod-file-kind-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.txt");
        std::fs::write(&file, "x").unwrap();
        let fifo = dir.join("fifo");
        let c = CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let sock = dir.join("sock");
        let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let link = dir.join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let kind = |p: &std::path::Path| {
            let c = CString::new(p.to_str().unwrap()).unwrap();
            unsafe { csod_file_kind(c.as_ptr()) }
        };
        let kind_w = |p: &std::path::Path| {
            let w: Vec<u16> = p.to_str().unwrap().encode_utf16().chain(Some(0)).collect();
            unsafe { csod_file_kind_w(w.as_ptr()) }
        };
        for k in [kind, kind_w] {
            assert_eq!(k(&file), CSOD_FILE_REGULAR);
            assert_eq!(k(&link), CSOD_FILE_REGULAR);
            assert_eq!(k(&dir), CSOD_FILE_DIRECTORY);
            assert_eq!(k(&fifo), CSOD_FILE_OTHER);
            assert_eq!(k(&sock), CSOD_FILE_OTHER);
            assert_eq!(k(std::path::Path::new("/dev/null")), CSOD_FILE_OTHER);
            assert_eq!(k(&dir.join("missing")), CSOD_FILE_MISSING);
            assert_eq!(k(&file.join("under-a-file")), CSOD_FILE_MISSING);
        }
        assert_eq!(unsafe { csod_file_kind(std::ptr::null()) }, -1);
        assert!(unsafe { CStr::from_ptr(csod_last_error()) }
            .to_str()
            .unwrap()
            .contains("path is NULL"));
        let bad = [b'a' as u16, 0xD800, 0];
        assert_eq!(unsafe { csod_file_kind_w(bad.as_ptr()) }, -1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
