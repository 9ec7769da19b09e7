fn main() -> std::process::ExitCode {
    kindling_course::run_stage(stage06_solution::run)
}
