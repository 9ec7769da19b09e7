fn main() -> std::process::ExitCode {
    kindling_course::run_stage(stage08_solution::run)
}
