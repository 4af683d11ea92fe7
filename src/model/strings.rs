//! String interning: names, services, keys and values that repeat across spans are stored once.

use hashbrown::HashTable;
use std::hash::BuildHasher;

/// A handle to an interned string; valid only for the `Strings` that made it.
pub type Sym = u32;

/// Interned strings. Each distinct string is stored once; the table holds only indexes into `list`.
#[derive(Clone, Default)]
pub struct Strings {
    list: Vec<Box<str>>,
    table: HashTable<Sym>,
    hasher: rustc_hash::FxBuildHasher,
}

impl Strings {
    pub fn new() -> Self {
        let mut strings = Self::default();
        strings.intern(""); // Sym 0 is always the empty string.
        strings
    }

    pub const EMPTY: Sym = 0;

    /// Room for `more` strings, so that filling a table whose size is known never rehashes it whole in one
    /// step (a million strings, taken in slices on the page).
    pub fn reserve(&mut self, more: usize) {
        self.list.reserve(more);
        let (list, hasher) = (&self.list, &self.hasher);
        self.table.reserve(more, |&sym| hasher.hash_one(&*list[sym as usize]));
    }

    pub fn intern(&mut self, s: &str) -> Sym {
        let hash = self.hasher.hash_one(s);
        let list = &self.list;
        if let Some(&sym) = self.table.find(hash, |&sym| &*list[sym as usize] == s) {
            return sym;
        }
        let sym = self.list.len() as Sym;
        self.list.push(s.into());
        let (list, hasher) = (&self.list, &self.hasher);
        self.table.insert_unique(hash, sym, |&sym| hasher.hash_one(&*list[sym as usize]));
        sym
    }

    /// The symbol of a string already interned, without adding it.
    pub fn lookup(&self, s: &str) -> Option<Sym> {
        let list = &self.list;
        self.table.find(self.hasher.hash_one(s), |&sym| &*list[sym as usize] == s).copied()
    }

    /// The string for a symbol; an unknown symbol (a bug) reads as "".
    pub fn get(&self, sym: Sym) -> &str {
        self.list.get(sym as usize).map_or("", |s| s)
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.len() <= 1
    }

    /// Bytes held by the strings themselves (for memory reports).
    pub fn heap_bytes(&self) -> usize {
        self.list.iter().map(|s| s.len()).sum::<usize>()
            + self.list.capacity() * std::mem::size_of::<Box<str>>()
            + self.table.capacity() * std::mem::size_of::<Sym>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_returns_the_same_symbol_for_equal_strings() {
        let mut s = Strings::new();
        let a = s.intern("frontend");
        let b = s.intern("redis");
        assert_ne!(a, b);
        assert_eq!(s.intern("frontend"), a);
        assert_eq!(s.get(a), "frontend");
        assert_eq!(s.get(Strings::EMPTY), "");
        assert_eq!(s.intern(""), Strings::EMPTY);
    }
}
