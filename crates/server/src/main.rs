fn main() -> std::process::ExitCode {
    guichet_server::cli::main()
}
