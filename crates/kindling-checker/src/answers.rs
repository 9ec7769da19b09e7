//! `answers.toml`: a stage's written answers (predictions before running, the
//! read of the results after), which the checker compares with the run's numbers.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

/// The answers file's name inside a stage folder.
pub const ANSWERS_FILE: &str = "answers.toml";

/// An answers file that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswersError {
    /// The file is not there.
    #[error(
        "{path} is missing. Fix: copy it back from the course repository (git checkout -- {path}) and fill it in"
    )]
    Missing {
        /// Where it should be.
        path: PathBuf,
    },
    /// The file is not valid TOML.
    #[error(
        "{path}, line {line}: {problem}. Fix: keep each answer between quotes, like  answer = \"my words\""
    )]
    Malformed {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// What the TOML reader said.
        problem: String,
    },
}

/// A question that is unanswered or answered in the wrong form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("[{section}] {key}: {problem}")]
pub struct AnswerProblem {
    /// The `[section]` of the file.
    pub section: String,
    /// The key within it.
    pub key: String,
    /// What is wrong.
    pub problem: String,
}

/// A parsed answers file.
#[derive(Debug, Clone)]
pub struct Answers {
    table: Table,
}

impl Answers {
    /// Reads and parses an answers file.
    pub fn load(path: &Path) -> Result<Answers, AnswersError> {
        let text = std::fs::read_to_string(path).map_err(|_| AnswersError::Missing {
            path: path.to_path_buf(),
        })?;
        Self::parse(&text, path)
    }

    /// Parses answers text (`path` is only for messages).
    pub fn parse(text: &str, path: &Path) -> Result<Answers, AnswersError> {
        let table = text.parse::<Table>().map_err(|error| {
            let offset = error.span().map_or(0, |span| span.start);
            AnswersError::Malformed {
                path: path.to_path_buf(),
                line: text[..offset.min(text.len())].matches('\n').count() + 1,
                problem: error.message().trim().to_string(),
            }
        })?;
        Ok(Answers { table })
    }

    fn value(&self, section: &str, key: &str) -> Result<&Value, AnswerProblem> {
        self.table
            .get(section)
            .and_then(Value::as_table)
            .and_then(|table| table.get(key))
            .ok_or_else(|| problem(section, key, "is missing from the file"))
    }

    /// A written answer, trimmed; an error when missing or left empty.
    pub fn text(&self, section: &str, key: &str) -> Result<String, AnswerProblem> {
        match self.value(section, key)? {
            Value::String(text) if !text.trim().is_empty() => Ok(text.trim().to_string()),
            Value::String(_) => Err(problem(
                section,
                key,
                "is still empty: write your answer between the quotes",
            )),
            other => Err(problem(
                section,
                key,
                &format!("should be text in quotes, found {other}"),
            )),
        }
    }

    /// One of a few allowed words (case does not matter).
    pub fn choice(
        &self,
        section: &str,
        key: &str,
        allowed: &[&str],
    ) -> Result<String, AnswerProblem> {
        let text = self.text(section, key)?.to_ascii_lowercase();
        if allowed.contains(&text.as_str()) {
            Ok(text)
        } else {
            Err(problem(
                section,
                key,
                &format!("is `{text}`; answer one of: {}", allowed.join(", ")),
            ))
        }
    }

    /// A number; an error when missing or not a number.
    pub fn number(&self, section: &str, key: &str) -> Result<f64, AnswerProblem> {
        match self.value(section, key)? {
            Value::Float(number) => Ok(*number),
            Value::Integer(number) => Ok(*number as f64),
            other => Err(problem(
                section,
                key,
                &format!("should be a number (no quotes), found {other}"),
            )),
        }
    }
}

/// One answer read from a file that may have failed to load, with either error
/// as the text a checklist item shows.
pub fn answer<T>(
    answers: &Result<Answers, AnswersError>,
    read: impl FnOnce(&Answers) -> Result<T, AnswerProblem>,
) -> Result<T, String> {
    let answers = answers.as_ref().map_err(ToString::to_string)?;
    read(answers).map_err(|e| e.to_string())
}

fn problem(section: &str, key: &str, text: &str) -> AnswerProblem {
    AnswerProblem {
        section: section.to_string(),
        key: key.to_string(),
        problem: text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_by_section_and_key() {
        let text = "[predict]\nguess = \" about 500 \"\n[read]\naccuracy = \"UP\"\nfirst = 0.25\nempty = \"\"\n";
        let answers = Answers::parse(text, Path::new("answers.toml")).unwrap();
        assert_eq!(answers.text("predict", "guess").unwrap(), "about 500");
        assert_eq!(
            answers
                .choice("read", "accuracy", &["up", "down", "flat"])
                .unwrap(),
            "up"
        );
        assert_eq!(answers.number("read", "first").unwrap(), 0.25);
        assert!(
            answers
                .text("read", "empty")
                .unwrap_err()
                .to_string()
                .contains("still empty")
        );
        assert!(
            answers
                .text("read", "nope")
                .unwrap_err()
                .to_string()
                .contains("missing")
        );
        let wrong = answers
            .choice("predict", "guess", &["up", "down"])
            .unwrap_err();
        assert!(wrong.to_string().contains("up, down"));
    }

    #[test]
    fn malformed_files_name_the_line() {
        let error = Answers::parse("[read]\naccuracy = up\n", Path::new("a.toml")).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("a.toml, line 2"), "{message}");
        let missing = Answers::load(Path::new("/nonexistent/answers.toml")).unwrap_err();
        assert!(missing.to_string().contains("is missing"));
    }
}
