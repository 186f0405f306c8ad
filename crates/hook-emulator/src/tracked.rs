//! A `BTreeMap` that remembers which keys changed since the last save, so the state store
//! writes only those records.

use std::borrow::Borrow;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A map whose mutations go through methods that note the key: reads are the map's own
/// (through `Deref`); there is no `DerefMut`, so no change escapes the record.
#[derive(Debug, Clone)]
pub struct Tracked<K: Ord, V> {
    map: BTreeMap<K, V>,
    dirty: BTreeSet<K>,
}

impl<K: Ord, V> Default for Tracked<K, V> {
    fn default() -> Self {
        Tracked {
            map: BTreeMap::new(),
            dirty: BTreeSet::new(),
        }
    }
}

impl<K: Ord, V> Deref for Tracked<K, V> {
    type Target = BTreeMap<K, V>;

    fn deref(&self) -> &BTreeMap<K, V> {
        &self.map
    }
}

impl<K: Ord + Clone, V> Tracked<K, V> {
    /// Inserts, noting the key.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.dirty.insert(key.clone());
        self.map.insert(key, value)
    }

    /// Removes, noting the key.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ToOwned<Owned = K> + ?Sized,
    {
        let removed = self.map.remove(key);
        if removed.is_some() {
            self.dirty.insert(key.to_owned());
        }
        removed
    }

    /// A value to change in place; the key is noted when it exists.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ToOwned<Owned = K> + ?Sized,
    {
        if self.map.contains_key(key) {
            self.dirty.insert(key.to_owned());
        }
        self.map.get_mut(key)
    }

    /// The entry of `key`, which is noted.
    pub fn entry(&mut self, key: K) -> Entry<'_, K, V> {
        self.dirty.insert(key.clone());
        self.map.entry(key)
    }

    /// Puts a loaded value back without noting it (it is already saved).
    pub fn restore(&mut self, key: K, value: V) {
        self.map.insert(key, value);
    }

    /// Removes the first entry, noting its key.
    pub fn pop_first(&mut self) -> Option<(K, V)> {
        let first = self.map.pop_first()?;
        self.dirty.insert(first.0.clone());
        Some(first)
    }

    /// Changes every value in place, noting every key.
    pub fn for_each_mut(&mut self, mut f: impl FnMut(&K, &mut V)) {
        for (key, value) in &mut self.map {
            self.dirty.insert(key.clone());
            f(key, value);
        }
    }

    /// Empties the map, noting every key.
    pub fn clear(&mut self) {
        let map = std::mem::take(&mut self.map);
        self.dirty.extend(map.into_keys());
    }

    /// Drops the change notes (nothing to save them to).
    pub fn forget(&mut self) {
        self.dirty.clear();
    }

    /// The keys changed since the last call, each with its value now (`None`: removed).
    pub fn take_changes(&mut self) -> Vec<(K, Option<&V>)> {
        let dirty = std::mem::take(&mut self.dirty);
        dirty
            .into_iter()
            .map(|key| {
                let value = self.map.get(&key);
                (key, value)
            })
            .collect()
    }
}

impl<K: Ord, V> From<BTreeMap<K, V>> for Tracked<K, V> {
    fn from(map: BTreeMap<K, V>) -> Self {
        Tracked {
            map,
            dirty: BTreeSet::new(),
        }
    }
}

impl<K: Ord + Serialize, V: Serialize> Serialize for Tracked<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.map.serialize(serializer)
    }
}

impl<'de, K: Ord + Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for Tracked<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::deserialize(deserializer).map(Tracked::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mutation_is_noted_once() {
        let mut map: Tracked<String, u32> = Tracked::default();
        map.insert("a".into(), 1);
        map.insert("b".into(), 2);
        *map.get_mut("a").unwrap() += 1;
        assert!(map.get_mut("zz").is_none());
        let changes = map.take_changes();
        assert_eq!(
            changes,
            [("a".to_owned(), Some(&2)), ("b".to_owned(), Some(&2))]
        );
        assert!(map.take_changes().is_empty());
        map.remove("b");
        *map.entry("c".into()).or_default() += 5;
        assert_eq!(
            map.take_changes(),
            [("b".to_owned(), None), ("c".to_owned(), Some(&5))]
        );
        map.clear();
        assert_eq!(map.take_changes().len(), 2);
    }
}
