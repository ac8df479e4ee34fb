//! go-yaml v2's map key order (`keyList.Less` in sorter.go) for string keys:
//! letters sort after non-letters, runs of digits compare as numbers (and
//! `1` < `01` < `001`), everything else by code point.

use std::cmp::Ordering;

/// go-yaml v2's `Less` for two string keys given as code points.
pub fn less(a: &[char], b: &[char]) -> bool {
    for i in 0..a.len().min(b.len()) {
        if a[i] == b[i] {
            continue;
        }
        let (al, bl) = (a[i].is_alphabetic(), b[i].is_alphabetic());
        if al && bl {
            return a[i] < b[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if a[i] == '0' || b[i] == '0' {
            // A zero inside a longer number with a non-zero digit before it counts as non-zero.
            let mut j = i;
            while j > 0 && is_digit(a[j - 1]) {
                j -= 1;
                if a[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < a.len() && is_digit(a[ai]) {
            an = an.wrapping_mul(10).wrapping_add(digit_value(a[ai]));
            ai += 1;
        }
        let mut bi = i;
        while bi < b.len() && is_digit(b[bi]) {
            bn = bn.wrapping_mul(10).wrapping_add(digit_value(b[bi]));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return a[i] < b[i];
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

/// Sorts `items` by go-yaml v2's key order with a merge sort (never panics,
/// even if the order is not transitive for some odd keys).
pub fn sort_keys<T>(items: &mut Vec<(Vec<char>, T)>) {
    if items.len() < 2 {
        return;
    }
    if items.len() <= 16 {
        // Insertion sort: the common case of small objects.
        for n in 1..items.len() {
            let mut k = n;
            while k > 0 && less(&items[k].0, &items[k - 1].0) {
                items.swap(k, k - 1);
                k -= 1;
            }
        }
        return;
    }
    let mid = items.len() / 2;
    let mut right = items.split_off(mid);
    sort_keys(items);
    sort_keys(&mut right);
    let left = std::mem::take(items);
    let mut l = left.into_iter().peekable();
    let mut r = right.into_iter().peekable();
    loop {
        let take_right = match (l.peek(), r.peek()) {
            (Some(a), Some(b)) => less(&b.0, &a.0),
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (None, None) => break,
        };
        let next = if take_right { r.next() } else { l.next() };
        items.extend(next);
    }
}

/// [`less`] as an [`Ordering`] (for tests and callers that want one).
pub fn compare(a: &str, b: &str) -> Ordering {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if less(&a, &b) {
        Ordering::Less
    } else if less(&b, &a) {
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
        let mut items: Vec<(Vec<char>, &str)> =
            want.iter().rev().map(|k| (k.chars().collect(), *k)).collect();
        sort_keys(&mut items);
        let got: Vec<&str> = items.iter().map(|(_, k)| *k).collect();
        assert_eq!(got, want);
        assert_eq!(compare("apiVersion", "kind"), Ordering::Less);
        assert_eq!(compare("a", "a"), Ordering::Equal);
    }

    #[test]
    fn merge_sort_agrees_with_insertion_sort() {
        let keys: Vec<String> = (0..100)
            .map(|i| format!("k{}x{}", (i * 37) % 101, i % 7))
            .collect();
        let mut big: Vec<(Vec<char>, String)> =
            keys.iter().map(|k| (k.chars().collect(), k.clone())).collect();
        sort_keys(&mut big);
        for pair in big.windows(2) {
            assert!(
                !less(&pair[1].0, &pair[0].0),
                "{} before {}",
                pair[0].1,
                pair[1].1
            );
        }
    }
}
