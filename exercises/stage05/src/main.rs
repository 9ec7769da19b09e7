fn main() -> std::process::ExitCode {
    kindling_course::run_stage_with(stage05::main_run)
}
