//! A hostile class: every attack a determined learner tried on `cargo xtask grade`,
//! each as a submission of stage 1, graded in one batch (two at a time) beside
//! honest learners, who must keep full marks. Each attacker knows every path that
//! matters (the class, the output, the repository, a secret file): the sandbox, not
//! secrecy, is what stops them. The batch's time is printed.
//!
//! These tests need the sandbox (Landlock and user namespaces); on a machine
//! without it they fail with the reason.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

mod support;
use support::{copy_tree, live_processes, root, text, xtask_with_env};

/// Fails with the reason when this machine has no sandbox.
fn needs_the_sandbox() {
    let output = xtask_with_env(&["confinement"], &[]);
    assert!(
        output.status.success(),
        "these tests need a kernel with Landlock and unprivileged user namespaces: {}",
        text(&output)
    );
}

/// An honest learner: the reference solution, handed in on time.
fn honest(class: &Path, name: &str) -> PathBuf {
    let dir = class.join(name);
    copy_tree(&root().join("solutions/stage01"), &dir.join("stage01"));
    std::fs::write(dir.join("timestamp.txt"), "2026-01-02T10:00:00Z").unwrap();
    dir
}

/// A small stage-1 crate whose program is `main` (std only: it builds in seconds).
fn attacker(class: &Path, name: &str, manifest_extra: &str, main: &str) -> PathBuf {
    let dir = class.join(name).join("stage01");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"stage01\"\nversion = \"0.1.0\"\nedition = \"2024\"\n{manifest_extra}"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();
    std::fs::write(dir.join("src/main.rs"), main).unwrap();
    dir
}

/// Every file under `dir` with its contents.
fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                found.insert(path.clone(), std::fs::read(&path).unwrap());
            } else {
                found.insert(path, Vec::new());
            }
        }
    }
    found
}

/// Live processes whose command line holds `marker`.
fn processes_with(marker: &str) -> usize {
    live_processes(|line| String::from_utf8_lossy(line).contains(marker))
}

fn row<'a>(book: &'a Value, student: &str) -> &'a Value {
    book["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["student"] == student)
        .unwrap_or_else(|| panic!("no row for {student}: {book}"))
}

/// The feedback page of `student`.
fn page(out: &Path, student: &str) -> String {
    std::fs::read_to_string(out.join("feedback").join(student).join("stage01.md"))
        .unwrap_or_else(|e| panic!("{student}'s page: {e}"))
}

/// What an attacker reported: the text between `name[` and `]end`.
fn report<'a>(page: &'a str, name: &str) -> &'a str {
    let start = page
        .find(&format!("{name}["))
        .unwrap_or_else(|| panic!("no report from {name}: {page}"));
    let rest = &page[start..];
    &rest[..rest.find("]end").unwrap_or(rest.len())]
}

#[test]
fn a_hostile_class_changes_no_grade_but_its_own() {
    needs_the_sandbox();
    let class_holder = tempfile::tempdir().unwrap();
    let class = class_holder.path().join("class");
    std::fs::create_dir(&class).unwrap();
    let outside = tempfile::tempdir().unwrap();
    let grades = outside.path().join("grades");
    let secret_file = outside.path().join("exam-answers.txt");
    let secret = "the-instructors-secret-4711";
    std::fs::write(&secret_file, secret).unwrap();
    let env_secret = "token-from-the-graders-environment-0815";
    let seed = "424242";
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let socket = outside.path().join("grader.sock");
    let unix = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    unix.set_nonblocking(true).unwrap();
    let repo = root();

    honest(&class, "honest1");
    honest(&class, "honest2");
    // A name that is a spreadsheet formula, on an honest hand-in.
    honest(&class, "=HYPERLINK(\"evil.example\",\"full marks\")");

    // Leaves a process behind, in a session of its own and through a double fork,
    // that waits for the gradebook and rewrites it.
    let rewrite = format!(
        "for i in $(seq 600); do if [ -f '{out}/gradebook.json' ]; then for f in gradebook.json gradebook.csv summary.md; do echo lingerer-was-here > '{out}/'$f; done; exit; fi; sleep 0.1; done",
        out = grades.display()
    );
    attacker(
        &class,
        "lingerer",
        "",
        &format!(
            r#####"fn main() {{
    let script = r####"{rewrite}"####;
    let _ = std::process::Command::new("setsid").args(["-f", "sh", "-c", script, "lingerer-marker"]).spawn();
    let _ = std::process::Command::new("sh").args(["-c", &format!("(sh -c '{{}}' lingerer-marker &) &", script.replace('\'', "'\\''"))]).spawn();
    std::thread::sleep(std::time::Duration::from_millis(500));
}}
"#####
        ),
    );

    // Looks around and tries to change everyone else's files; reports what worked.
    attacker(
        &class,
        "snoop",
        "",
        &format!(
            r####"use std::io::Write;
fn main() {{
    let mut said = Vec::new();
    let mut tried = |what: &str, worked: bool| said.push(format!("{{what}}={{}}", if worked {{ "yes" }} else {{ "no" }}));
    tried("proc", std::fs::read_dir("/proc").is_ok());
    tried("grader-cmdline", std::fs::read("/proc/1/cmdline").is_ok());
    tried("tmp", std::fs::read_dir("/tmp").is_ok());
    tried("class", std::fs::read_dir(r"{class}").is_ok());
    tried("secret", std::fs::read_to_string(r"{secret_file}").is_ok());
    tried("etc-passwd", std::fs::read_to_string("/etc/passwd").is_ok());
    let append = |path: &str, text: &[u8]| std::fs::OpenOptions::new().append(true).open(path).and_then(|mut f| f.write_all(text)).is_ok();
    tried("sabotage", append(r"{class}/honest1/stage01/src/lib.rs", b"\ncompile_error!(\"sabotaged\");\n"));
    tried("late", std::fs::write(r"{class}/honest1/timestamp.txt", "2099-01-01T00:00:00Z").is_ok());
    tried("solution", append(r"{repo}/solutions/stage01/src/lib.rs", b""));
    tried("solution-new", std::fs::write(r"{repo}/solutions/stage01/src/pwned.rs", "").is_ok());
    tried("cache", std::fs::write(r"{repo}/target/kindling-grade-cache/pwned.json", "{{}}").is_ok());
    tried("target", std::fs::write(r"{repo}/target/debug/pwned", "").is_ok());
    tried("out", std::fs::create_dir_all(r"{grades}").is_ok());
    tried("home", std::fs::read_dir("/root").is_ok() || std::fs::read_dir("/home").is_ok());
    // Every other run's results, with --jobs 2 beside it.
    let neighbours = std::fs::read_dir("/tmp").map(|d| d.count()).unwrap_or(0);
    tried("neighbours", neighbours > 0);
    panic!("snoop[{{}}]end", said.join(" "));
}}
"####,
            class = class.display(),
            secret_file = secret_file.display(),
            repo = repo.display(),
            grades = grades.display(),
        ),
    );

    // Phones home, by TCP and by a Unix socket.
    attacker(
        &class,
        "caller",
        "",
        &format!(
            r####"fn main() {{
    let tcp = std::net::TcpStream::connect(("127.0.0.1", {port})).is_ok();
    let unix = std::os::unix::net::UnixStream::connect(r"{socket}").is_ok();
    panic!("caller[tcp={{tcp}} unix={{unix}}]end");
}}
"####,
            socket = socket.display()
        ),
    );

    // Prints what it was given: its arguments, its environment, and a variable
    // of the grader's compiled in.
    attacker(
        &class,
        "told",
        "",
        r####"fn main() {
    let args: Vec<String> = std::env::args().collect();
    let env: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
    panic!("told[args={args:?} env={env:?} compiled={:?}]end", option_env!("KINDLING_HOSTILE_SECRET"));
}
"####,
    );

    // Reads a secret file into the program at build time.
    attacker(
        &class,
        "includer",
        "",
        &format!(
            "const SECRET: &str = include_str!(r\"{}\");\nfn main() {{ panic!(\"{{SECRET}}\"); }}\n",
            secret_file.display()
        ),
    );

    // Runs code at build time, four ways.
    let build_marker = outside.path().join("build-script-ran");
    let build_rs = format!(
        "fn main() {{ std::fs::write(r\"{}\", \"ran\").unwrap(); }}\n",
        build_marker.display()
    );
    let scripted = attacker(
        &class,
        "scripted",
        "build = \"build.rs\"\n",
        "fn main() {}\n",
    );
    std::fs::write(scripted.join("build.rs"), &build_rs).unwrap();
    // A build.rs beside the manifest, never named: never built either.
    let implicit = attacker(&class, "implicit", "", "fn main() {}\n");
    std::fs::write(implicit.join("build.rs"), &build_rs).unwrap();
    let evil = outside.path().join("evil");
    std::fs::create_dir_all(evil.join("src")).unwrap();
    std::fs::write(
        evil.join("Cargo.toml"),
        "[package]\nname = \"kindling\"\nversion = \"0.1.0\"\nedition = \"2024\"\nbuild = \"build.rs\"\n",
    )
    .unwrap();
    std::fs::write(evil.join("src/lib.rs"), "").unwrap();
    std::fs::write(evil.join("build.rs"), &build_rs).unwrap();
    attacker(
        &class,
        "pathdep",
        &format!(
            "[dependencies]\nkindling = {{ path = \"{}\" }}\n",
            evil.display()
        ),
        "fn main() {}\n",
    );
    attacker(
        &class,
        "registry",
        "[dependencies]\nserde_yaml = \"0.9\"\n",
        "fn main() {}\n",
    );
    let elsewhere = outside.path().join("elsewhere.rs");
    std::fs::write(&elsewhere, "fn main() {}\n").unwrap();
    attacker(
        &class,
        "farbin",
        &format!(
            "[[bin]]\nname = \"far\"\npath = \"{}\"\n",
            elsewhere.display()
        ),
        "fn main() {}\n",
    );

    // Leaves FIFOs where its results go: the grader must not wait on them.
    attacker(
        &class,
        "piper",
        "",
        r####"fn main() {
    for name in ["report.json", "samples.png"] {
        let _ = std::process::Command::new("mkfifo").arg(format!("out/{name}")).status();
    }
}
"####,
    );

    // Starts processes until it cannot.
    attacker(
        &class,
        "bomber",
        "",
        r####"fn main() {
    let mut children = Vec::new();
    for _ in 0..5000 {
        match std::process::Command::new("sleep").arg("1234567").spawn() {
            Ok(child) => children.push(child),
            Err(_) => break,
        }
    }
    panic!("bomber[started={}]end", children.len());
}
"####,
    );

    // Markup in its panic message and in its name.
    let markup = "``` \n<img src=x onerror=alert(1)>\n<script>alert(1)</script>\n[click](javascript:alert(1)) | a | b |";
    attacker(
        &class,
        "mallory|<img src=x onerror=alert(1)>",
        "",
        &format!("fn main() {{ panic!(\"{}\"); }}\n", markup.escape_default()),
    );

    // Hand-ins the grader must refuse without reading them.
    let linked = attacker(&class, "answers-link", "", "fn main() {}\n");
    std::os::unix::fs::symlink(&secret_file, linked.join("answers.toml")).unwrap();
    let fifo = attacker(&class, "fifo-src", "", "fn main() {}\n");
    let status = Command::new("mkfifo")
        .arg(fifo.join("src/pipe.rs"))
        .status()
        .unwrap();
    assert!(status.success());
    let huge = attacker(&class, "huge", "", "fn main() {}\n");
    std::fs::write(huge.join("src/data.rs"), vec![b'/'; 9 << 20]).unwrap();
    let someone = outside.path().join("someone-else");
    copy_tree(&root().join("solutions/stage01"), &someone.join("stage01"));
    std::os::unix::fs::symlink(&someone, class.join("linked")).unwrap();

    let before = contents(&class);
    let cache = repo.join("target/kindling-grade-cache");
    let rubric = outside.path().join("rubric.toml");
    std::fs::write(
        &rubric,
        "[late]\ndue = \"2026-06-01T00:00:00Z\"\npercent_per_day = 50\n",
    )
    .unwrap();
    let started = Instant::now();
    let output = xtask_with_env(
        &[
            "grade",
            "stage1",
            class.to_str().unwrap(),
            "--out",
            grades.to_str().unwrap(),
            "--jobs",
            "2",
            "--timeout",
            "20",
            "--seed",
            seed,
            "--memory-mib",
            "2048",
            "--rubric",
            rubric.to_str().unwrap(),
        ],
        &[("KINDLING_HOSTILE_SECRET", env_secret)],
    );
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "The hostile batch ({} learners) took {seconds:.1}s.",
        std::fs::read_dir(&class).unwrap().count()
    );
    assert!(output.status.success(), "{}", text(&output));
    // Whatever was left behind has had time to act.
    std::thread::sleep(Duration::from_secs(2));

    // Nothing outlived its run.
    for marker in ["lingerer-marker", "1234567"] {
        assert_eq!(processes_with(marker), 0, "{marker} outlived its run");
    }
    // Nothing outside the runs changed.
    assert_eq!(contents(&class), before, "the submissions folder changed");
    for planted in [
        repo.join("solutions/stage01/src/pwned.rs"),
        cache.join("pwned.json"),
        repo.join("target/debug/pwned"),
        build_marker.clone(),
    ] {
        let existed = planted.exists();
        let _ = std::fs::remove_file(&planted);
        assert!(!existed, "{} was written", planted.display());
    }
    assert!(
        listener.accept().is_err(),
        "a run reached the grader's TCP port"
    );
    assert!(
        unix.accept().is_err(),
        "a run reached the grader's Unix socket"
    );

    let json = std::fs::read_to_string(grades.join("gradebook.json")).unwrap();
    assert!(
        !json.contains("lingerer-was-here"),
        "the gradebook was rewritten"
    );
    let book: Value = serde_json::from_str(&json).unwrap();
    let status = |student: &str| row(&book, student)["status"].as_str().unwrap().to_string();

    // The honest learners keep full marks, on time.
    for student in [
        "honest1",
        "honest2",
        "=HYPERLINK(\"evil.example\",\"full marks\")",
    ] {
        let honest = row(&book, student);
        assert_eq!(honest["percent"], 100.0, "{student}: {book}");
        assert_eq!(honest["late_penalty"], 0.0, "{student}: {book}");
    }

    // Each attack failed, and says so.
    let snoop = page(&grades, "snoop");
    let said = report(&snoop, "snoop");
    assert!(!said.contains("=yes"), "{said}");
    assert!(
        said.contains("sabotage=no") && said.contains("neighbours=no"),
        "{said}"
    );
    let caller = page(&grades, "caller");
    assert!(
        report(&caller, "caller").contains("tcp=false unix=false"),
        "{caller}"
    );
    let told = page(&grades, "told");
    let told = report(&told, "told");
    for hidden in [
        seed,
        env_secret,
        class.to_str().unwrap(),
        grades.to_str().unwrap(),
        repo.to_str().unwrap(),
    ] {
        assert!(!told.contains(hidden), "{hidden} reached the run: {told}");
    }
    assert!(told.contains("compiled=None"), "{told}");
    assert!(
        told.contains("args=[\"stage01\", \"@arguments.txt\"]"),
        "{told}"
    );
    for student in ["includer", "scripted", "pathdep", "registry", "farbin"] {
        assert_eq!(status(student), "build_failed", "{student}: {book}");
    }
    assert!(!page(&grades, "includer").contains(secret));
    assert!(page(&grades, "scripted").contains("build script"));
    assert!(page(&grades, "pathdep").contains("path dependency"));
    assert!(page(&grades, "registry").contains("does not provide"));
    assert!(page(&grades, "farbin").contains("outside src/"));
    // The unnamed build.rs is never built, so the program builds and runs.
    assert_ne!(status("implicit"), "build_failed", "{book}");
    assert_eq!(status("piper"), "graded", "{book}");
    assert!(
        page(&grades, "piper").contains("report.json"),
        "the missing report is named"
    );
    assert!(
        report(&page(&grades, "bomber"), "bomber") != "bomber[started=5000",
        "the process limit held"
    );
    for (student, says) in [
        ("answers-link", "symbolic link"),
        ("fifo-src", "FIFO"),
        ("huge", "too large"),
        ("linked", "symbolic link"),
    ] {
        assert_eq!(status(student), "refused", "{student}: {book}");
        let refused = page(&grades, student);
        assert!(refused.contains(says), "{student}: {refused}");
        assert!(!refused.contains(secret), "{refused}");
    }

    // Outputs are safe to open.
    let csv = std::fs::read_to_string(grades.join("gradebook.csv")).unwrap();
    assert!(
        csv.lines().any(|l| l.starts_with("\"'=HYPERLINK(")),
        "the formula is neutralised: {csv}"
    );
    for file in ["canvas.csv", "moodle.csv"] {
        let lms = std::fs::read_to_string(grades.join(file)).unwrap();
        assert!(
            !lms.lines()
                .any(|l| l.starts_with("\"=") || l.starts_with('=')),
            "{lms}"
        );
    }
    let summary = std::fs::read_to_string(grades.join("summary.md")).unwrap();
    let mallory_page = page(&grades, "mallory|<img src=x onerror=alert(1)>");
    for (name, markdown) in [("summary", &summary), ("mallory", &mallory_page)] {
        let outside_code = outside_fences(markdown);
        for live in ["<script", "<img", "](javascript", "mallory|"] {
            assert!(
                !outside_code.contains(live),
                "{name}: {live} is live in {markdown}"
            );
        }
        // Every row of a table has its header's cells.
        let mut header_cells = None;
        for line in outside_code.lines() {
            if !line.starts_with('|') {
                header_cells = None;
                continue;
            }
            let cells = line.matches('|').count() - line.matches("\\|").count();
            let expected = *header_cells.get_or_insert(cells);
            assert_eq!(cells, expected, "{name}: a broken table row: {line}");
        }
    }
    assert!(
        mallory_page.contains("````text\n"),
        "the fence outlasts the ``` inside: {mallory_page}"
    );
    assert!(
        summary.contains(
            "(feedback/mallory%7C%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E/stage01.md)"
        ),
        "{summary}"
    );
}

/// The Markdown outside its fenced code blocks.
fn outside_fences(markdown: &str) -> String {
    let mut kept = String::new();
    let mut fence: Option<String> = None;
    for line in markdown.lines() {
        let ticks: String = line.chars().take_while(|c| *c == '`').collect();
        match &fence {
            Some(open)
                if ticks.len() >= open.len() && line.trim_start_matches('`').trim().is_empty() =>
            {
                fence = None;
            }
            Some(_) => {}
            None if ticks.len() >= 3 => fence = Some(ticks),
            None => {
                kept.push_str(line);
                kept.push('\n');
            }
        }
    }
    kept
}

#[test]
fn a_machine_without_the_sandbox_refuses_to_grade_unless_told() {
    needs_the_sandbox();
    // Inside a user namespace allowed no further ones, the sandbox cannot start:
    // as on a kernel without user namespaces.
    let class = tempfile::tempdir().unwrap();
    copy_tree(
        &root().join("solutions/stage01"),
        &class.path().join("alice/stage01"),
    );
    let out = class.path().join("..").join(format!(
        "grades-{}",
        class.path().file_name().unwrap().to_string_lossy()
    ));
    let script = format!(
        "echo 0 > /proc/sys/user/max_user_namespaces && exec '{}' grade stage1 '{}' --out '{}' --seed 3",
        env!("CARGO_BIN_EXE_xtask"),
        class.path().display(),
        out.display()
    );
    let refused = Command::new("unshare")
        .args(["--user", "--map-root-user", "sh", "-c", &script])
        .output()
        .expect("unshare runs");
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    let said = text(&refused);
    assert!(
        said.contains("cannot confine graded code") && said.contains("--unconfined"),
        "{said}"
    );
    assert!(said.contains("Fix:"), "{said}");
    assert!(!out.exists(), "nothing is written");
    // `check --path` refuses the same way.
    let script = format!(
        "echo 0 > /proc/sys/user/max_user_namespaces && exec '{}' check stage1 --path '{}'",
        env!("CARGO_BIN_EXE_xtask"),
        class.path().join("alice/stage01").display(),
    );
    let refused = Command::new("unshare")
        .args(["--user", "--map-root-user", "sh", "-c", &script])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1), "{}", text(&refused));
    assert!(
        text(&refused).contains("--unconfined"),
        "{}",
        text(&refused)
    );
}

#[test]
fn an_out_folder_with_other_files_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let class = dir.path().join("class");
    std::fs::create_dir_all(class.join("alice")).unwrap();
    let out = dir.path().join("mine");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("thesis.tex"), "years of work").unwrap();
    std::fs::write(out.join("gradebook.json"), "{}").unwrap();
    for force in [false, true] {
        let mut args = vec![
            "grade",
            "stage1",
            class.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        if force {
            args.push("--force");
        }
        let output = xtask_with_env(&args, &[]);
        assert_eq!(output.status.code(), Some(1), "{}", text(&output));
        let said = text(&output);
        assert!(
            said.contains("thesis.tex") && said.contains("Fix:"),
            "{said}"
        );
        let mut kept = String::new();
        std::fs::File::open(out.join("thesis.tex"))
            .unwrap()
            .read_to_string(&mut kept)
            .unwrap();
        assert_eq!(kept, "years of work");
    }
}

#[test]
fn a_stages_other_programs_run_in_the_same_sandbox() {
    needs_the_sandbox();
    // As the checker starts stage 9's predict program: reading the run's results,
    // writing only its own folder inside them.
    let results = tempfile::tempdir().unwrap();
    let out = results.path();
    std::fs::write(out.join("model.bpk"), "weights\n").unwrap();
    std::fs::create_dir(out.join("checker")).unwrap();
    let script = format!(
        "cat {out}/model.bpk; echo x > {out}/model.bpk || echo no-overwrite; echo y > {out}/checker/chart.png && echo drew; ls /proc >/dev/null 2>&1 || echo no-proc",
        out = out.display()
    );
    let output = xtask_with_env(
        &[
            "confined-program",
            "--seconds",
            "20",
            "--read",
            out.to_str().unwrap(),
            "--write",
            out.join("checker").to_str().unwrap(),
            "--program",
            "/bin/sh",
            "--",
            "-c",
            &script,
        ],
        &[],
    );
    let said = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        said,
        "weights\nno-overwrite\ndrew\nno-proc\n",
        "{}",
        text(&output)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("model.bpk")).unwrap(),
        "weights\n"
    );
    assert!(out.join("checker/chart.png").is_file());
}
