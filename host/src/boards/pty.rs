//! [PtyBoard]: a [SimBoard] behind a pseudo-terminal pair (`openpty`), so the real serial code
//! (`serialport` on the slave path, e.g. /dev/pts/3) talks to it as to a USB-UART. A thread owns
//! the master side; [PtyBoard::unplug] (or an `unplug_at` fault) closes it, which the host sees
//! as a hang-up, like a pulled cable. The board's state outlives the pty, so a new [PtyBoard]
//! on the same board is "the same board, plugged back in".

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::sim::SimBoard;

/// A partial frame older than this is abandoned (the host resends after its own, longer timeout).
pub const IDLE_GAP: Duration = Duration::from_millis(30);

pub struct PtyBoard {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    hung_up: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

fn check(r: libc::c_int, what: &str) -> io::Result<()> {
    if r < 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(e.kind(), format!("{what}: {e}")));
    }
    Ok(())
}

impl PtyBoard {
    pub fn spawn(board: Arc<Mutex<SimBoard>>) -> io::Result<Self> {
        let (mut master, mut slave) = (-1, -1);
        // SAFETY: out-pointers for two fds; no name buffer, no termios/winsize.
        check(unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), std::ptr::null()) }, "openpty")?;
        let mut name = [0 as libc::c_char; 128];
        // SAFETY: buffer with its length; ptsname_r NUL-terminates.
        let r = unsafe { libc::ptsname_r(master, name.as_mut_ptr(), name.len()) };
        if r != 0 {
            // SAFETY: both fds are ours.
            unsafe { (libc::close(master), libc::close(slave)) };
            return Err(io::Error::from_raw_os_error(r));
        }
        // SAFETY: ptsname_r wrote a NUL-terminated string.
        let path = PathBuf::from(unsafe { std::ffi::CStr::from_ptr(name.as_ptr()) }.to_string_lossy().into_owned());
        // Raw mode from the start (no echo, no line editing) in case a client does not set it.
        // SAFETY: termios is plain data, filled by tcgetattr.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(slave, &mut t) == 0 {
                libc::cfmakeraw(&mut t);
                libc::tcsetattr(slave, libc::TCSANOW, &t);
            }
        }
        let (stop, hung_up) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let (s, h) = (stop.clone(), hung_up.clone());
        let thread = std::thread::spawn(move || {
            serve(master, &board, &s);
            h.store(true, Ordering::SeqCst);
            // SAFETY: the fds are owned by this thread; closing the master is the hang-up. Our
            // slave fd is held until now so that the master never reads EIO between clients.
            unsafe { (libc::close(master), libc::close(slave)) };
        });
        Ok(Self { path, stop, hung_up, thread: Some(thread) })
    }

    /// The slave's path, for `serialport::new(path, baud)`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True once the pty is closed (by [Self::unplug] or a fault).
    pub fn hung_up(&self) -> bool {
        self.hung_up.load(Ordering::SeqCst)
    }

    /// Closes the pty: the host's next read or write fails.
    pub fn unplug(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for PtyBoard {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Polls the master, feeds the board, writes its answers; returns on stop or an unplug fault.
fn serve(master: libc::c_int, board: &Mutex<SimBoard>, stop: &AtomicBool) {
    let mut buf = [0u8; 4096];
    let mut last = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        let mut pfd = libc::pollfd { fd: master, events: libc::POLLIN, revents: 0 };
        // SAFETY: one pollfd, 5 ms.
        let ready = unsafe { libc::poll(&mut pfd, 1, 5) };
        let mut b = board.lock().unwrap_or_else(|e| e.into_inner());
        if ready <= 0 || pfd.revents & libc::POLLIN == 0 {
            if b.in_frame() && last.elapsed() > IDLE_GAP {
                b.idle();
            }
            continue;
        }
        // SAFETY: reads into our buffer within its length.
        let n = unsafe { libc::read(master, buf.as_mut_ptr().cast(), buf.len()) };
        if n <= 0 {
            // EIO: no client has the slave open (cannot happen while we hold it) or an error.
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        last = Instant::now();
        let reply = b.feed(&buf[..n as usize]);
        if b.take_unplug() {
            return;
        }
        drop(b);
        let mut rest = &reply[..];
        while !rest.is_empty() && !stop.load(Ordering::SeqCst) {
            // SAFETY: writes from our buffer within its length.
            let w = unsafe { libc::write(master, rest.as_ptr().cast(), rest.len()) };
            if w <= 0 {
                std::thread::sleep(Duration::from_millis(1));
                continue;
            }
            rest = &rest[w as usize..];
        }
    }
}
