//! `images:` (kustomize `ImageTagTransformer`): rewrites image references
//! whose name matches an entry, in two passes per entry like kustomize: every
//! `containers`/`initContainers` list anywhere in the object (the legacy
//! filter), then the fields of the `images` table. CRDs are never touched.

use regex::Regex;

use crate::fieldspec::{self, Create, FieldSpec, TransformError, path};
use crate::kustomization::Image;
use crate::resmap::ResMap;
use crate::yaml::Node;

const NAME: &str = "images";

/// How an entry's name is matched.
enum Matcher {
    /// A name without regex syntax except `.` (any character): matched by hand,
    /// which saves compiling a regex per entry and build.
    Literal(Vec<char>),
    /// Any other name, used as a regular expression like kustomize does.
    Regex(Regex),
    /// A name that is not a valid pattern: matches nothing (as kustomize).
    Nothing,
}

/// One compiled `images:` entry.
struct Rule<'a> {
    image: &'a Image,
    matcher: Matcher,
}

const TAG_CHARS: &str = "_.{}-";

impl Rule<'_> {
    fn new(image: &Image) -> Rule<'_> {
        let literal = !image.name.chars().any(|c| "\\^$|?*+()[]{}".contains(c));
        let matcher = if literal {
            Matcher::Literal(image.name.chars().collect())
        } else {
            // The name is used as a regular expression, unescaped, exactly as kustomize does.
            let pattern = format!(
                "^{}(:[a-zA-Z0-9_.{{}}-]*)?(@[a-zA-Z0-9]+([.+_-][a-zA-Z0-9]+)*:[a-zA-Z0-9_.{{}}-]*)?$",
                image.name
            );
            Regex::new(&pattern).map_or(Matcher::Nothing, Matcher::Regex)
        };
        Rule { image, matcher }
    }

    fn matches(&self, value: &str) -> bool {
        match &self.matcher {
            Matcher::Nothing => false,
            Matcher::Regex(re) => re.is_match(value),
            Matcher::Literal(name) => {
                let mut chars = value.chars();
                for want in name {
                    match chars.next() {
                        Some(c) if *want == '.' || c == *want => {}
                        _ => return false,
                    }
                }
                literal_suffix_ok(chars.as_str())
            }
        }
    }

    /// The new reference for `value`, or `None` when the entry does not apply.
    fn rewrite(&self, value: &str) -> Option<String> {
        if !self.matches(value) {
            return None;
        }
        let (name, tag, digest) = split(value);
        let img = self.image;
        let mut name = name.to_owned();
        if !img.new_name.is_empty() {
            name = img.new_name.clone();
        }
        let (tag, digest) = if !img.new_tag.is_empty() && !img.digest.is_empty() {
            (img.new_tag.clone(), img.digest.clone())
        } else if !img.new_tag.is_empty() {
            (img.new_tag.clone(), String::new())
        } else if !img.digest.is_empty() {
            (String::new(), img.digest.clone())
        } else if !img.tag_suffix.is_empty() {
            (format!("{tag}{}", img.tag_suffix), String::new())
        } else {
            (tag.to_owned(), digest.to_owned())
        };
        if !tag.is_empty() {
            name.push(':');
            name.push_str(&tag);
        }
        if !digest.is_empty() {
            name.push('@');
            name.push_str(&digest);
        }
        Some(name)
    }

    fn set(&self, node: &mut Node) -> Result<(), path::WalkError> {
        let Node::Scalar(_) = node else {
            return Err(path::WalkError::Set(
                "wrong node kind: expected ScalarNode".into(),
            ));
        };
        if let Some(new) = path::scalar_text(node).and_then(|v| self.rewrite(v)) {
            *node = Node::string(new);
        }
        Ok(())
    }
}

/// The rest after the name must be `(:tag)?(@alg:hex)?` with kustomize's character sets.
fn literal_suffix_ok(rest: &str) -> bool {
    let tag_char = |c: char| c.is_ascii_alphanumeric() || TAG_CHARS.contains(c);
    let (tag, digest) = match rest.find('@') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let tag_ok = tag.is_empty() || tag.strip_prefix(':').is_some_and(|t| t.chars().all(tag_char));
    let digest_ok = digest.is_none_or(|d| {
        let Some((alg, hex)) = d.split_once(':') else {
            return false;
        };
        let alg_ok = !alg.is_empty()
            && alg
                .split(['.', '+', '_', '-'])
                .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
        alg_ok && hex.chars().all(tag_char)
    });
    tag_ok && digest_ok
}

/// Splits `name[:tag][@digest]` like kustomize (a `:` in the registry host is not a tag).
pub fn split(image: &str) -> (&str, &str, &str) {
    let offset = match image.find('/') {
        Some(i) if i > 0 => i,
        _ => 0,
    };
    let search = &image[offset..];
    let at = search.find('@').map(|i| i + offset);
    let colon = search.find(':').map(|i| i + offset);
    match (colon, at) {
        (None, None) => (image, "", ""),
        (c, Some(a)) if c.is_none_or(|c| a < c) => (&image[..a], "", &image[a + 1..]),
        (Some(c), Some(a)) => (&image[..c], &image[c + 1..a], &image[a + 1..]),
        (Some(c), None) => (&image[..c], &image[c + 1..], ""),
        (None, Some(_)) => (image, "", ""),
    }
}

/// Applies every entry in order; `specs` is the `images` table.
pub fn apply(resources: &mut ResMap, images: &[Image], specs: &[FieldSpec]) -> Result<(), TransformError> {
    let rules: Vec<Rule<'_>> = images.iter().map(Rule::new).collect();
    for res in resources.iter_mut() {
        if res.kind() == "CustomResourceDefinition" {
            continue;
        }
        for rule in &rules {
            if let Err(e) = legacy_walk(res.node_mut(), rule) {
                return Err(TransformError::field(
                    NAME,
                    res.cur_id(),
                    "containers/image",
                    e.to_string(),
                ));
            }
            let mut set = |node: &mut Node| rule.set(node);
            fieldspec::apply_specs(res, specs, Create::Nothing, NAME, &mut set)?;
        }
    }
    Ok(())
}

/// kustomize's legacy image filter: every `containers` or `initContainers`
/// sequence anywhere, each element's `image` (never created).
fn legacy_walk(node: &mut Node, rule: &Rule<'_>) -> Result<(), path::WalkError> {
    match node {
        Node::Map(map) => {
            for (key, value) in map.iter_mut() {
                legacy_walk(value, rule)?;
                if let (true, Node::Seq(items)) = (key == "containers" || key == "initContainers", value) {
                    for item in items {
                        if let Some(image) = item.as_map_mut().and_then(|m| m.get_mut("image")) {
                            rule.set(image)?;
                        }
                    }
                }
            }
            Ok(())
        }
        Node::Seq(items) => items.iter_mut().try_for_each(|item| legacy_walk(item, rule)),
        Node::Scalar(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fieldspec::TransformerConfig;
    use crate::fieldspec::testutil::{objects, resmap};

    fn image(name: &str, new_name: &str, new_tag: &str, digest: &str) -> Image {
        Image {
            name: name.into(),
            new_name: new_name.into(),
            new_tag: new_tag.into(),
            digest: digest.into(),
            ..Image::default()
        }
    }

    #[test]
    fn split_like_kustomize() {
        let cases = [
            ("nginx", ("nginx", "", "")),
            ("nginx:1.2", ("nginx", "1.2", "")),
            ("nginx@sha256:abc", ("nginx", "", "sha256:abc")),
            ("nginx:1.2@sha256:abc", ("nginx", "1.2", "sha256:abc")),
            ("localhost:5000/app:v1", ("localhost:5000/app", "v1", "")),
            ("localhost:5000/app", ("localhost:5000/app", "", "")),
        ];
        for (input, want) in cases {
            assert_eq!(split(input), want, "{input}");
        }
    }

    #[test]
    fn rewrites_tags_digests_and_names() {
        let cases = [
            (image("nginx", "", "1.25", ""), "nginx:1.0", "nginx:1.25"),
            (
                image("nginx", "", "", "sha256:ff"),
                "nginx:1.0",
                "nginx@sha256:ff",
            ),
            (image("nginx", "", "2", "sha256:ff"), "nginx", "nginx:2@sha256:ff"),
            (
                image("nginx", "my/nginx", "", ""),
                "nginx:1.0@sha256:aa",
                "my/nginx:1.0@sha256:aa",
            ),
            (
                image("nginx", "", "1.25", ""),
                "nginx-extra:1.0",
                "nginx-extra:1.0",
            ),
            (
                image("nginx", "", "1.25", ""),
                "docker.io/nginx:1.0",
                "docker.io/nginx:1.0",
            ),
            (image("[", "", "1", ""), "[", "["),
            (image("my.reg/app", "", "2", ""), "myxreg/app:1", "myxreg/app:2"),
            (image("app", "", "2", ""), "app@sha256:ab", "app:2"),
            (image("app", "", "2", ""), "app@sha512+b58.x:ab", "app:2"),
            (image("app", "", "2", ""), "app@:ab", "app@:ab"),
            (image("app", "", "2", ""), "app:v/1", "app:v/1"),
            (image("ap+", "", "2", ""), "app:1", "app:2"),
        ];
        for (img, from, want) in cases {
            let rule = Rule::new(&img);
            assert_eq!(
                rule.rewrite(from).unwrap_or_else(|| from.to_owned()),
                want,
                "{from}"
            );
        }
    }

    #[test]
    fn updates_containers_everywhere_but_crds() {
        let input = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      initContainers: [{name: i, image: busybox}]
      containers: [{name: c, image: 'nginx:1'}, {name: e}]
---
apiVersion: example.com/v1
kind: Thing
metadata: {name: t}
spec:
  deep: {containers: [{image: nginx}]}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crd}
spec: {containers: [{image: nginx}]}
";
        let mut map = resmap(input);
        let images = [image("nginx", "", "2", ""), image("busybox", "", "", "sha256:1")];
        apply(&mut map, &images, &TransformerConfig::builtin().images).unwrap();
        let got = objects(&map);
        assert!(got.contains("initContainers[0].image=busybox@sha256:1"), "{got}");
        assert!(got.contains("containers[0].image=nginx:2 "), "{got}");
        assert!(!got.contains("containers[1].image"), "{got}");
        assert!(got.contains("spec.deep.containers[0].image=nginx:2"), "{got}");
        assert!(got.contains("spec.containers[0].image=nginx\n"), "{got}");
    }
}
