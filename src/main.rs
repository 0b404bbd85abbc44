//! The `radar` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    radar::cli::main()
}
