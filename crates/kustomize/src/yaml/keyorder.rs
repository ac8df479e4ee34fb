//! go-yaml v2's map key order (`keyList.Less` in sorter.go) for string keys:
//! letters sort after non-letters, runs of digits compare as numbers (and
//! `1` < `01` < `001`), everything else by code point.
//!
//! That order is not transitive for some keys with leading digits (`0755a` <
//! `0x1F` < `1e3` < `0755a`); go-yaml sorts Go's randomly ordered map keys, so
//! kustomize's own output varies for those. We sort the document order.

use std::cmp::Ordering;

/// go-yaml v2's `Less` for two string keys (ASCII keys are compared without allocating).
pub fn less(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        less_units(a.as_bytes(), b.as_bytes())
    } else {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        less_units(&a, &b)
    }
}

/// A code point of a key: a byte of an ASCII key or a `char`.
trait Unit: Copy + PartialEq + PartialOrd {
    fn char(self) -> char;
}

impl Unit for u8 {
    fn char(self) -> char {
        self as char
    }
}

impl Unit for char {
    fn char(self) -> char {
        self
    }
}

fn less_units<T: Unit>(a: &[T], b: &[T]) -> bool {
    for i in 0..a.len().min(b.len()) {
        if a[i] == b[i] {
            continue;
        }
        let (ac, bc) = (a[i].char(), b[i].char());
        let (al, bl) = (ac.is_alphabetic(), bc.is_alphabetic());
        if al && bl {
            return ac < bc;
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ac == '0' || bc == '0' {
            // A zero inside a longer number with a non-zero digit before it counts as non-zero.
            let mut j = i;
            while j > 0 && is_digit(a[j - 1].char()) {
                j -= 1;
                if a[j].char() != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < a.len() && is_digit(a[ai].char()) {
            an = an.wrapping_mul(10).wrapping_add(digit_value(a[ai].char()));
            ai += 1;
        }
        let mut bi = i;
        while bi < b.len() && is_digit(b[bi].char()) {
            bn = bn.wrapping_mul(10).wrapping_add(digit_value(b[bi].char()));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ac < bc;
    }
    a.len() < b.len()
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

/// Go's `ar[i]-'0'`, also for non-ASCII digits.
fn digit_value(c: char) -> i64 {
    c as i64 - '0' as i64
}

/// Sorts `items` by go-yaml v2's order of their keys with insertion sort
/// (small maps) or a merge sort: never panics, even if the order is not
/// transitive for some odd keys.
pub fn sort_by_key<T>(items: &mut Vec<T>, key: impl Fn(&T) -> &str + Copy) {
    if items.len() < 2 {
        return;
    }
    if items.len() <= 16 {
        for n in 1..items.len() {
            let mut k = n;
            while k > 0 && less(key(&items[k]), key(&items[k - 1])) {
                items.swap(k, k - 1);
                k -= 1;
            }
        }
        return;
    }
    let mid = items.len() / 2;
    let mut right = items.split_off(mid);
    sort_by_key(items, key);
    sort_by_key(&mut right, key);
    let left = std::mem::take(items);
    let mut l = left.into_iter().peekable();
    let mut r = right.into_iter().peekable();
    loop {
        let take_right = match (l.peek(), r.peek()) {
            (Some(a), Some(b)) => less(key(b), key(a)),
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (None, None) => break,
        };
        let next = if take_right { r.next() } else { l.next() };
        items.extend(next);
    }
}

/// [`less`] as an [`Ordering`].
pub fn compare(a: &str, b: &str) -> Ordering {
    if less(a, b) {
        Ordering::Less
    } else if less(b, a) {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_like_go_yaml_v2() {
        // Order printed by `kubectl kustomize` for these keys.
        let want = ["k-a", "k.a", "k_a", "k1", "k01", "k001", "k9", "k10", "kA", "ka"];
        let mut items: Vec<&str> = want.iter().rev().copied().collect();
        sort_by_key(&mut items, |k| k);
        assert_eq!(items, want);
        let mut wide: Vec<&str> = vec!["éa", "é01", "é1", "é-"];
        sort_by_key(&mut wide, |k| k);
        assert_eq!(wide, ["é-", "é1", "é01", "éa"]);
        assert_eq!(compare("apiVersion", "kind"), Ordering::Less);
        assert_eq!(compare("a", "a"), Ordering::Equal);
    }

    #[test]
    fn merge_sort_agrees_with_the_order() {
        let keys: Vec<String> = (0..100)
            .map(|i| format!("k{}x{}", (i * 37) % 101, i % 7))
            .collect();
        let mut big: Vec<&String> = keys.iter().collect();
        sort_by_key(&mut big, |k| k.as_str());
        for pair in big.windows(2) {
            assert!(!less(pair[1], pair[0]), "{} before {}", pair[0], pair[1]);
        }
    }
}
