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
