//! The error a reader gives: where (file, line, column, JSON path) and what.

use std::fmt;

/// Why a file could not be read, and where: file, 1-based line and column, and the JSON path of the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// JSON path of the field being read, such as `resourceSpans[0].scopeSpans[0].spans[3].startTimeUnixNano`.
    pub path: String,
    pub message: String,
}

impl LoadError {
    /// An error at a position, with no field path.
    pub fn at(file: &str, line: usize, column: usize, message: String) -> LoadError {
        LoadError { file: file.to_string(), line, column, path: String::new(), message }
    }

    /// An error about the input as a whole (reported at its start).
    pub fn whole_file(file: &str, message: String) -> LoadError {
        LoadError::at(file, 1, 1, message)
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)?;
        if !self.path.is_empty() && self.path != "." {
            write!(f, " (field {})", self.path)?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Longest message or field path an error shows, in characters: a value quoted in a message can be megabytes.
pub const MAX_ERROR_CHARS: usize = 300;

/// `text` cut to `MAX_ERROR_CHARS` characters, saying how long it was.
pub fn readable(text: &str) -> String {
    match text.char_indices().nth(MAX_ERROR_CHARS) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}… ({} characters in all)", &text[..cut], text.chars().count()),
    }
}
