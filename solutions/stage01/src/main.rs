fn main() -> std::process::ExitCode {
    kindling_course::run_stage(stage01_solution::run)
}
