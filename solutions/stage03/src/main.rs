fn main() -> std::process::ExitCode {
    kindling_course::run_stage(stage03_solution::run)
}
