fn main() -> std::process::ExitCode {
    zkml_protocol::run_cli(zkml_native::NativeBackend)
}
