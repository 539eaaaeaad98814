fn main() -> std::process::ExitCode {
    match zkml_ezkl::Ezkl::locate() {
        Ok(backend) => zkml_protocol::run_cli(backend),
        Err(e) => {
            eprintln!("error: {e:#}");
            println!("{}", serde_json::json!({ "error": format!("{e:#}") }));
            std::process::ExitCode::from(1)
        }
    }
}
