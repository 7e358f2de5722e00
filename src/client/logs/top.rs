//! The most frequent values of a stream in bounded memory: the Space-Saving algorithm (Metwally,
//! Agrawal, El Abbadi, "Efficient computation of frequent and top-k elements in data streams",
//! ICDT 2005).
//!
//! At most `capacity` values are tracked. Until that many distinct values have been seen, counts are
//! exact. After that, a new value replaces the least counted one and inherits its count (recorded as
//! the new entry's possible overcount), so every value seen more than `total / capacity` times is
//! still tracked, and a reported count exceeds the true count by at most its `error`.

use std::collections::HashMap;

/// One tracked value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counted {
    /// The value.
    pub value: String,
    /// Its count (exact while [`TopCounter::is_exact`]; otherwise at most `error` too high).
    pub count: u64,
    /// How much `count` may exceed the true count.
    pub error: u64,
}

/// Bounded top-k counter. The entries form a min-heap on `count`; `index` maps a value to its place.
#[derive(Clone, Debug)]
pub struct TopCounter {
    capacity: usize,
    heap: Vec<Counted>,
    index: HashMap<String, usize>,
    total: u64,
    evicted: bool,
}

impl TopCounter {
    /// A counter tracking at most `capacity` values (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            heap: Vec::new(),
            index: HashMap::new(),
            total: 0,
            evicted: false,
        }
    }

    /// Counts one occurrence of `value`.
    pub fn add(&mut self, value: &str) {
        self.total += 1;
        if let Some(&at) = self.index.get(value) {
            self.heap[at].count += 1;
            self.sift_down(at);
            return;
        }
        if self.heap.len() < self.capacity {
            self.heap.push(Counted {
                value: value.to_string(),
                count: 1,
                error: 0,
            });
            let at = self.heap.len() - 1;
            self.index.insert(value.to_string(), at);
            // A count of 1 is never above its parent's: the heap stays ordered.
            self.sift_up(at);
            return;
        }
        // Replace the least counted value (the root).
        self.evicted = true;
        let root = &mut self.heap[0];
        let old = std::mem::replace(&mut root.value, value.to_string());
        root.error = root.count;
        root.count += 1;
        self.index.remove(&old);
        self.index.insert(value.to_string(), 0);
        self.sift_down(0);
    }

    /// Occurrences counted, all values together.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Whether every count is exact (no value was ever evicted).
    pub fn is_exact(&self) -> bool {
        !self.evicted
    }

    /// Distinct values seen, when exact.
    pub fn distinct(&self) -> Option<usize> {
        self.is_exact().then_some(self.heap.len())
    }

    /// The `n` most counted values, most first (ties by value, for stable output).
    pub fn top(&self, n: usize) -> Vec<Counted> {
        let mut all = self.heap.clone();
        all.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        all.truncate(n);
        all
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.heap.swap(a, b);
        for at in [a, b] {
            if let Some(slot) = self.index.get_mut(&self.heap[at].value) {
                *slot = at;
            }
        }
    }

    fn sift_up(&mut self, mut at: usize) {
        while at > 0 {
            let parent = (at - 1) / 2;
            if self.heap[at].count >= self.heap[parent].count {
                break;
            }
            self.swap(at, parent);
            at = parent;
        }
    }

    fn sift_down(&mut self, mut at: usize) {
        loop {
            let (left, right) = (2 * at + 1, 2 * at + 2);
            let mut least = at;
            if left < self.heap.len() && self.heap[left].count < self.heap[least].count {
                least = left;
            }
            if right < self.heap.len() && self.heap[right].count < self.heap[least].count {
                least = right;
            }
            if least == at {
                return;
            }
            self.swap(at, least);
            at = least;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_exactly_below_capacity() {
        let mut top = TopCounter::new(10);
        for value in ["a", "b", "a", "c", "a", "b"] {
            top.add(value);
        }
        assert!(top.is_exact());
        assert_eq!(top.distinct(), Some(3));
        let best: Vec<(String, u64)> = top.top(2).into_iter().map(|c| (c.value, c.count)).collect();
        assert_eq!(best, [("a".to_string(), 3), ("b".to_string(), 2)]);
        assert_eq!(top.total(), 6);
    }

    #[test]
    fn keeps_heavy_hitters_in_bounded_memory() {
        let mut top = TopCounter::new(16);
        // Two heavy values among 10 000 distinct light ones.
        for i in 0..10_000u32 {
            top.add(&format!("light-{i}"));
            if i % 4 == 0 {
                top.add("heavy-1");
            }
            if i % 10 == 0 {
                top.add("heavy-2");
            }
        }
        assert!(!top.is_exact());
        assert_eq!(top.distinct(), None);
        assert!(top.heap.len() <= 16 && top.index.len() <= 16);
        let best = top.top(2);
        assert_eq!(best[0].value, "heavy-1");
        assert_eq!(best[1].value, "heavy-2");
        // Overcounts are bounded by the recorded error.
        assert!(best[0].count - best[0].error <= 2_500 && best[0].count >= 2_500);
        assert!(best[1].count - best[1].error <= 1_000 && best[1].count >= 1_000);
    }
}
