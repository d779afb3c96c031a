fn main() {
    if let Err(e) = parallax::cli::main_with(std::env::args_os()) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
