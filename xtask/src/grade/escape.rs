//! Learner-supplied text made safe to open: in Markdown (and the HTML it becomes)
//! every markup, link and tag character is escaped, a table cell stays one cell,
//! and a code block's fence is longer than any run of backticks inside it; in a
//! spreadsheet, a cell that would be read as a formula is read as text.

/// Characters Markdown (CommonMark and GitHub's) gives a meaning: escaped with a
/// backslash. `<`, `>`, `&` and `"` become HTML entities instead, which every
/// renderer shows as text.
const MARKUP: &str = "\\`*_{}[]()#+-!|~:";

/// `text` as one line of Markdown text: no emphasis, code, link, image, heading,
/// table cell break or HTML of its own. Line breaks and other control characters
/// become spaces.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push(' '),
            c if MARKUP.contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` as a block quote, line by line, each line [`inline`].
pub fn quote(text: &str) -> String {
    text.lines()
        .map(|line| format!("> {}\n", inline(line)))
        .collect()
}

/// `text` in a fenced code block (shown as it is, never rendered), with a fence one
/// backtick longer than the longest run of backticks inside it.
pub fn fenced(text: &str, info: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    let body = text.trim_end().replace('\r', "");
    format!("{fence}{info}\n{body}\n{fence}\n")
}

/// `text` as one segment of a relative link's path: every byte but letters,
/// digits and `-._~` percent-encoded, so no name can become another link.
pub fn link_segment(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `text` as a spreadsheet cell that is never a formula: one starting with `=`,
/// `+`, `-`, `@`, a tab or a line break gets a leading `'`, which spreadsheets
/// read as "this is text" (OWASP's advice for CSV injection).
pub fn spreadsheet_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') => format!("'{text}"),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_links_and_tags_become_text() {
        let hostile = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold** | cell\n# heading <script>x</script> &amp;";
        let safe = inline(hostile);
        for live in ["<img", "<script", "](", "**", "\n", " | "] {
            assert!(!safe.contains(live), "{live} in {safe}");
        }
        assert!(
            safe.contains("&lt;img src=x onerror=alert\\(1\\)&gt;"),
            "{safe}"
        );
        assert!(safe.contains("javascript\\:"), "{safe}");
        assert!(safe.contains("&amp;amp;"), "{safe}");
        assert_eq!(inline("alice"), "alice");
    }

    #[test]
    fn a_fence_outlasts_anything_inside_it() {
        let inside = "text\n```\n<script>alert(1)</script>\n`````\nmore";
        let block = fenced(inside, "text");
        assert!(block.starts_with("``````text\n"), "{block}");
        assert!(block.ends_with("\n``````\n"), "{block}");
        assert_eq!(fenced("plain", ""), "```\nplain\n```\n");
    }

    #[test]
    fn names_in_links_and_cells_stay_names() {
        assert_eq!(link_segment("alice"), "alice");
        assert_eq!(link_segment("a b/../c"), "a%20b%2F..%2Fc");
        assert_eq!(link_segment("javascript:x"), "javascript%3Ax");
        assert_eq!(
            spreadsheet_cell("=HYPERLINK(\"http://x\",\"y\")"),
            "'=HYPERLINK(\"http://x\",\"y\")"
        );
        for formula in ["+1", "-1+2", "@SUM(A1)", "\tx"] {
            assert!(spreadsheet_cell(formula).starts_with('\''), "{formula}");
        }
        assert_eq!(spreadsheet_cell("bob"), "bob");
    }
}
