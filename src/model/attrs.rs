//! Span attributes stored once: each distinct (key, value) pair is kept once per trace set, and a span's
//! attributes are a run of pair ids in one shared list. A span then costs 4 bytes per attribute and no
//! allocation of its own, where a boxed list cost 24 bytes per attribute plus the allocation.

use super::{Attr, AttrValue};
use hashbrown::HashTable;
use std::hash::{BuildHasher, Hash, Hasher};

/// Index of a pair in `AttrPool::pairs`.
type PairId = u32;

/// A span's attributes: `ids[start..start + len]` of the pool that made it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AttrList {
    start: u32,
    len: u32,
}

impl AttrList {
    pub fn len(self) -> usize {
        self.len as usize
    }

    pub fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// The attributes of every span in a trace set.
#[derive(Clone, Default)]
pub struct AttrPool {
    /// Distinct pairs (pairs with an array or map value are not looked up, only appended: they are rare).
    pairs: Vec<Attr>,
    table: HashTable<PairId>,
    /// The spans' lists, one run each, in the order the spans were read.
    ids: Vec<PairId>,
    hasher: rustc_hash::FxBuildHasher,
}

impl AttrPool {
    /// Stores one span's attributes, in their order, and returns the handle the span keeps.
    pub fn add(&mut self, attrs: impl IntoIterator<Item = Attr>) -> AttrList {
        let start = self.ids.len();
        for attr in attrs {
            let id = self.pair_id(attr);
            self.ids.push(id);
        }
        AttrList { start: start as u32, len: (self.ids.len() - start) as u32 }
    }

    /// The attributes of a list, in the order they were read.
    pub fn get(&self, list: AttrList) -> impl ExactSizeIterator<Item = &Attr> + Clone {
        let ids = &self.ids[list.start as usize..][..list.len as usize];
        ids.iter().map(|&id| &self.pairs[id as usize])
    }

    /// Distinct pairs stored (for memory reports).
    pub fn distinct(&self) -> usize {
        self.pairs.len()
    }

    /// The distinct pairs and the spans' runs of pair ids, as stored (for the engine's blocks, `engine::wire`).
    pub fn parts(&self) -> (&[Attr], &[u32]) {
        (&self.pairs, &self.ids)
    }

    /// Appends a pair as `parts` gave it; given in order, every pair keeps its id.
    pub fn restore_pair(&mut self, attr: Attr) {
        let hash = scalar_hash(&self.hasher, &attr);
        let id = self.push(attr);
        if let Some(hash) = hash {
            let (pairs, hasher) = (&self.pairs, &self.hasher);
            self.table.insert_unique(hash, id, |&id| scalar_hash(hasher, &pairs[id as usize]).unwrap_or_default());
        }
    }

    /// Room for `pairs` more pairs and `ids` more ids (see `Strings::reserve`).
    pub fn reserve(&mut self, pairs: usize, ids: usize) {
        self.pairs.reserve(pairs);
        self.ids.reserve(ids);
        let (list, hasher) = (&self.pairs, &self.hasher);
        self.table.reserve(pairs, |&id| scalar_hash(hasher, &list[id as usize]).unwrap_or_default());
    }

    /// Appends pair ids as `parts` gave them.
    pub fn restore_ids(&mut self, ids: impl IntoIterator<Item = u32>) {
        self.ids.extend(ids);
    }

    fn pair_id(&mut self, attr: Attr) -> PairId {
        let Some(hash) = scalar_hash(&self.hasher, &attr) else { return self.push(attr) };
        let pairs = &self.pairs;
        if let Some(&id) = self.table.find(hash, |&id| same_scalar(&pairs[id as usize], &attr)) {
            return id;
        }
        let id = self.push(attr);
        let (pairs, hasher) = (&self.pairs, &self.hasher);
        self.table.insert_unique(hash, id, |&id| scalar_hash(hasher, &pairs[id as usize]).unwrap_or_default());
        id
    }

    fn push(&mut self, attr: Attr) -> PairId {
        self.pairs.push(attr);
        (self.pairs.len() - 1) as PairId
    }
}

/// The hash of a pair whose value is a scalar; `None` for array and map values, which are not shared.
fn scalar_hash(hasher: &rustc_hash::FxBuildHasher, attr: &Attr) -> Option<u64> {
    let mut h = hasher.build_hasher();
    attr.key.hash(&mut h);
    match &attr.value {
        AttrValue::Str(s) => (0u8, *s).hash(&mut h),
        AttrValue::Int(i) => (1u8, *i).hash(&mut h),
        AttrValue::Double(d) => (2u8, d.to_bits()).hash(&mut h),
        AttrValue::Bool(b) => (3u8, *b).hash(&mut h),
        AttrValue::Bytes(b) => (4u8, b).hash(&mut h),
        AttrValue::Array(_) | AttrValue::Map(_) => return None,
    }
    Some(h.finish())
}

/// Equal keys and scalar values; doubles by their bits, so that `-0.0` and `0.0` (shown differently) stay apart.
fn same_scalar(a: &Attr, b: &Attr) -> bool {
    a.key == b.key
        && match (&a.value, &b.value) {
            (AttrValue::Double(x), AttrValue::Double(y)) => x.to_bits() == y.to_bits(),
            (AttrValue::Array(_) | AttrValue::Map(_), _) => false,
            (x, y) => x == y,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(key: u32, value: AttrValue) -> Attr {
        Attr { key, value }
    }

    #[test]
    fn equal_pairs_are_stored_once_and_lists_keep_their_order() {
        let mut pool = AttrPool::default();
        let a = pool.add([attr(1, AttrValue::Str(7)), attr(2, AttrValue::Int(3))]);
        let b = pool.add([attr(2, AttrValue::Int(3)), attr(1, AttrValue::Str(7)), attr(1, AttrValue::Str(8))]);
        let empty = pool.add([]);
        assert_eq!(pool.distinct(), 3);
        let keys = |list| pool.get(list).map(|a| (a.key, a.value.clone())).collect::<Vec<_>>();
        assert_eq!(keys(a), [(1, AttrValue::Str(7)), (2, AttrValue::Int(3))]);
        assert_eq!(keys(b), [(2, AttrValue::Int(3)), (1, AttrValue::Str(7)), (1, AttrValue::Str(8))]);
        assert!(empty.is_empty());
        assert_eq!(pool.get(b).len(), 3);
    }

    #[test]
    fn values_of_different_types_or_signs_stay_apart() {
        let mut pool = AttrPool::default();
        let list = pool.add([
            attr(1, AttrValue::Int(1)),
            attr(1, AttrValue::Bool(true)),
            attr(1, AttrValue::Double(0.0)),
            attr(1, AttrValue::Double(-0.0)),
            attr(1, AttrValue::Double(f64::NAN)),
            attr(1, AttrValue::Double(f64::NAN)),
            attr(1, AttrValue::Array(Box::new([AttrValue::Int(1)]))),
            attr(1, AttrValue::Array(Box::new([AttrValue::Int(1)]))),
        ]);
        assert_eq!(list.len(), 8);
        // NaN is one pair (same bits); the two arrays are two (compound values are not looked up).
        assert_eq!(pool.distinct(), 7);
    }
}
