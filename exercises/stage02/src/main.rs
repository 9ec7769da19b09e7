fn main() -> std::process::ExitCode {
    kindling_course::run_stage(stage02::run)
}
