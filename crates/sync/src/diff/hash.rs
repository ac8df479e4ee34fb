//! A content hash of a desired object, for the dry-run cache key (desired hash, live
//! resourceVersion): while neither changes, the last dry-run verdict still holds.

use kube::api::DynamicObject;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Hex SHA-256 of the object's JSON with map keys sorted (so key order does not matter).
pub fn desired_hash(obj: &DynamicObject) -> String {
    let value = serde_json::to_value(obj).unwrap_or(Value::Null);
    let mut hasher = Sha256::new();
    feed(&mut hasher, &value);
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Feeds a canonical, unambiguous encoding of `value` (type tags and lengths, keys sorted).
fn feed(hasher: &mut Sha256, value: &Value) {
    match value {
        Value::Null => hasher.update(b"n"),
        Value::Bool(b) => hasher.update(if *b { b"t" } else { b"f" }),
        Value::Number(n) => {
            let text = n.to_string();
            hasher.update(format!("d{}:", text.len()));
            hasher.update(text);
        }
        Value::String(s) => {
            hasher.update(format!("s{}:", s.len()));
            hasher.update(s);
        }
        Value::Array(items) => {
            hasher.update(format!("a{}:", items.len()));
            items.iter().for_each(|item| feed(hasher, item));
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            hasher.update(format!("o{}:", keys.len()));
            for key in keys {
                hasher.update(format!("{}:", key.len()));
                hasher.update(key);
                feed(hasher, &map[key]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn obj(value: Value) -> DynamicObject {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn key_order_does_not_matter_but_content_does() {
        let a = obj(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"x": "1", "y": "2"}}),
        );
        let b = obj(
            json!({"kind": "ConfigMap", "apiVersion": "v1", "data": {"y": "2", "x": "1"}, "metadata": {"name": "c"}}),
        );
        let c = obj(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"x": "1", "y": "3"}}),
        );
        let d = obj(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"x": "1", "y": 2}}),
        );
        assert_eq!(desired_hash(&a), desired_hash(&b));
        assert_ne!(desired_hash(&a), desired_hash(&c));
        assert_ne!(desired_hash(&a), desired_hash(&d), "string vs number");
        assert_eq!(desired_hash(&a).len(), 64);
    }
}
