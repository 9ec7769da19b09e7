//! The gradebook as learning platforms import it: `canvas.csv` in the columns of
//! Canvas's gradebook export (Canvas matches learners by their SIS login, here the
//! learner's folder name, and creates the assignment column on import), and
//! `moodle.csv` for Moodle's "Import grades: CSV file" (the username column maps to
//! "Username", the score to the grade item, the note to its feedback). Every cell
//! is written as text a spreadsheet never runs.

use anyhow::Result;

use super::escape::spreadsheet_cell;
use super::gradebook::Gradebook;

/// Canvas's file.
pub const CANVAS_FILE: &str = "canvas.csv";
/// Moodle's file.
pub const MOODLE_FILE: &str = "moodle.csv";

/// The assignment's column title.
fn assignment(book: &Gradebook, name: &str) -> String {
    format!("Kindling stage {}: {name}", book.stage)
}

fn points(value: f64) -> String {
    format!("{}", (value * 1000.0).round() / 1000.0)
}

fn write(rows: Vec<Vec<String>>) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.write_record(row.iter().map(|cell| spreadsheet_cell(cell)))?;
    }
    Ok(String::from_utf8(writer.into_inner()?)?)
}

/// `canvas.csv`: Student, ID, SIS User ID, SIS Login ID, Section, the assignment;
/// the second row gives the points possible, as Canvas's own export does.
pub fn canvas(book: &Gradebook, stage_name: &str) -> Result<String> {
    let possible = book.rows.first().map_or(0.0, |r| r.max_score);
    let mut rows = vec![
        [
            "Student",
            "ID",
            "SIS User ID",
            "SIS Login ID",
            "Section",
            &assignment(book, stage_name),
        ]
        .map(String::from)
        .to_vec(),
        vec![
            "    Points Possible".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            points(possible),
        ],
    ];
    for row in &book.rows {
        rows.push(vec![
            row.student.clone(),
            String::new(),
            String::new(),
            row.student.clone(),
            String::new(),
            points(row.score),
        ]);
    }
    write(rows)
}

/// `moodle.csv`: Username, the grade, its feedback.
pub fn moodle(book: &Gradebook, stage_name: &str) -> Result<String> {
    let title = assignment(book, stage_name);
    let mut rows = vec![vec![
        "Username".to_string(),
        title.clone(),
        format!("{title} (feedback)"),
    ]];
    for row in &book.rows {
        rows.push(vec![
            row.student.clone(),
            points(row.score),
            format!(
                "{}: {} / {} ({}%), seed {}; see feedback/{}/stage{:02}.md",
                row.status.word(),
                points(row.score),
                points(row.max_score),
                row.percent,
                row.seed,
                row.student,
                row.stage
            ),
        ]);
    }
    write(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::gradebook::{GradeStatus, Row, SCHEMA};

    fn book() -> Gradebook {
        let row = |student: &str, score: f64| Row {
            student: student.into(),
            stage: 5,
            status: GradeStatus::Graded,
            score,
            max_score: 10.0,
            percent: score * 10.0,
            late_penalty: 0.0,
            seed: 7,
            graded_at: "2026-12-01T00:00:00Z".into(),
            kindling_version: "0.1.0".into(),
            items: Default::default(),
        };
        Gradebook {
            schema: SCHEMA,
            stage: 5,
            seed: 7,
            shard: None,
            items: Vec::new(),
            item_points: Vec::new(),
            rows: vec![row("alice", 9.5), row("=cmd|' /C calc'!A0", 1.0)],
        }
    }

    #[test]
    fn canvas_gets_its_columns_and_the_points_possible() {
        let text = canvas(&book(), "Training history").unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "Student,ID,SIS User ID,SIS Login ID,Section,Kindling stage 5: Training history"
        );
        assert_eq!(lines[1], "    Points Possible,,,,,10");
        assert_eq!(lines[2], "alice,,,alice,,9.5");
        assert!(lines[3].starts_with("'=cmd|"), "{}", lines[3]);
    }

    #[test]
    fn moodle_gets_username_grade_and_feedback() {
        let text = moodle(&book(), "Training history").unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(
            reader.headers().unwrap(),
            vec![
                "Username",
                "Kindling stage 5: Training history",
                "Kindling stage 5: Training history (feedback)"
            ]
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(&rows[0][0], "alice");
        assert_eq!(&rows[0][1], "9.5");
        assert!(
            rows[0][2].starts_with("graded: 9.5 / 10 (95%)"),
            "{:?}",
            &rows[0]
        );
        assert!(rows[1][0].starts_with('\''));
    }
}
