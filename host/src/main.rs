// mimalloc: glibc's per-thread arenas grow by page faults under the parallel executor, which
// cost ~30% of a block's execution time in profiles; mimalloc's thread-local heaps do not.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Die quietly on a closed pipe (`parallax ... | head`), as Unix tools do, instead of
    // panicking inside `println!`.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    if let Err(e) = parallax::cli::main_with(std::env::args_os()) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
