//! Name references (kustomize `nameReferenceTransformer` + `filters/nameref`),
//! run once after hash suffixes: every field of the `nameReference` table
//! that holds the *previous* name of a renamed object gets its current name.
//!
//! A field's candidates are the objects that had that name before (indexed by
//! previous name, so no scans), narrowed like kustomize: the previous id's kind
//! must be the table's referral kind (and the roleRef's kind for `roleRef/name`),
//! the referral must be reachable from the referrer's namespace (same namespace,
//! cluster-scoped, a ServiceAccount, or a namespace named by a RoleBinding
//! subject), then by equal name prefixes/suffixes. Several different survivors
//! is an error; identical ones are fine.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::fieldspec::path::{self, Create, WalkError};
use crate::fieldspec::{FieldSpec, GvkSelector, NameBackReference, TransformError, TransformerConfig};
use crate::resid::{NOT_A_NAMESPACE, ResId};
use crate::resmap::ResMap;
use crate::resource::Resource;
use crate::yaml::{Mapping, Node};

const NAME: &str = "nameReference";

/// What the filters need to know about one object, fixed for the whole pass
/// (only referring fields change, never ids).
struct Info {
    cur: ResId,
    name: String,
    namespace: String,
    kind: String,
    cluster_scoped: bool,
    cur_ns: String,
    org_ns: String,
    prev: Vec<ResId>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

impl Info {
    fn of(r: &Resource) -> Info {
        let cur = r.cur_id();
        Info {
            name: r.name().to_owned(),
            namespace: r.namespace().to_owned(),
            kind: r.kind().to_owned(),
            cluster_scoped: cur.gvk.is_cluster_scoped(),
            cur_ns: cur.effective_namespace().to_owned(),
            org_ns: match r.prev_ids.first() {
                Some(org) => org.effective_namespace().to_owned(),
                None => cur.effective_namespace().to_owned(),
            },
            prev: r.prev_ids.clone(),
            prefixes: r.prefixes.clone(),
            suffixes: r.suffixes.clone(),
            cur,
        }
    }
}

/// Everything about the build the filters read.
struct World {
    infos: Vec<Info>,
    by_prev_name: HashMap<String, Vec<usize>>,
    by_org_ns: HashMap<String, Vec<usize>>,
}

/// Updates every name reference; `backrefs` is the `nameReference` table.
pub fn apply(resources: &mut ResMap, backrefs: &[NameBackReference]) -> Result<(), TransformError> {
    // Only renamed objects (those with previous ids) can be referral targets;
    // kustomize still rejects RoleBindings with a blank subject namespace then.
    if resources.iter().all(|r| r.prev_ids.is_empty()) {
        for res in resources.iter() {
            binding_namespaces(res)?;
        }
        return Ok(());
    }
    let world = World::new(resources);
    let own;
    let specs = match builtin_index(backrefs) {
        Some(index) => index,
        None => {
            own = SpecIndex::new(backrefs);
            &own
        }
    };
    let mut referred: Vec<(usize, ResId)> = Vec::new();
    for (i, res) in resources.iter_mut().enumerate() {
        let Some(me) = world.infos.get(i) else { continue };
        let org = res.org_id();
        let referrer = Referrer::new(&world, i, res)?;
        for (fs, target) in specs.for_kind(&org.gvk.kind) {
            if !fs.gvk.selects_gvk(&org.gvk) {
                continue;
            }
            let ctx = FieldCtx {
                referrer: &referrer,
                target,
                role_ref: fs
                    .path
                    .ends_with("roleRef/name")
                    .then(|| role_ref_gvk(res.node()))
                    .flatten(),
            };
            let mut set = |node: &mut Node| ctx.set(node, &mut referred);
            path::walk_segments(res.node_mut(), &fs.segments, false, Create::Nothing, &mut set).map_err(
                |e| TransformError::Resolve {
                    transformer: NAME,
                    message: format!(
                        "updating name reference in '{}' field of '{}': {e}",
                        fs.path, me.cur
                    ),
                },
            )?;
        }
    }
    for (j, by) in referred {
        if let Some(r) = resources.get_mut(j)
            && !r.ref_by.contains(&by)
        {
            r.ref_by.push(by);
        }
    }
    resources.reindex();
    Ok(())
}

impl World {
    fn new(resources: &ResMap) -> World {
        let infos: Vec<Info> = resources.iter().map(Info::of).collect();
        let mut by_prev_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_org_ns: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, info) in infos.iter().enumerate() {
            let names: HashSet<&str> = info.prev.iter().map(|id| id.name.as_str()).collect();
            for name in names {
                by_prev_name.entry(name.to_owned()).or_default().push(i);
            }
            by_org_ns.entry(info.org_ns.clone()).or_default().push(i);
        }
        World {
            infos,
            by_prev_name,
            by_org_ns,
        }
    }
}

/// The index of the builtin table, built once: most builds use exactly it.
fn builtin_index(backrefs: &[NameBackReference]) -> Option<&'static SpecIndex<'static>> {
    static INDEX: OnceLock<SpecIndex<'static>> = OnceLock::new();
    let builtin = &TransformerConfig::builtin().name_reference;
    std::ptr::eq(backrefs, builtin.as_slice()).then(|| INDEX.get_or_init(|| SpecIndex::new(builtin)))
}

/// The table's referrer specs grouped by the referrer kind they name.
struct SpecIndex<'a> {
    by_kind: HashMap<&'a str, Vec<(&'a FieldSpec, &'a GvkSelector)>>,
    any_kind: Vec<(&'a FieldSpec, &'a GvkSelector)>,
}

impl<'a> SpecIndex<'a> {
    fn new(backrefs: &'a [NameBackReference]) -> SpecIndex<'a> {
        let mut index = SpecIndex {
            by_kind: HashMap::new(),
            any_kind: Vec::new(),
        };
        for br in backrefs {
            for fs in &br.referrers {
                if fs.gvk.kind.is_empty() {
                    index.any_kind.push((fs, &br.gvk));
                } else {
                    index
                        .by_kind
                        .entry(fs.gvk.kind.as_str())
                        .or_default()
                        .push((fs, &br.gvk));
                }
            }
        }
        index
    }

    /// The specs for a kind, in table order (kind-less ones last).
    fn for_kind(&self, kind: &str) -> impl Iterator<Item = (&'a FieldSpec, &'a GvkSelector)> + '_ {
        let own = self.by_kind.get(kind).map(Vec::as_slice).unwrap_or(&[]);
        own.iter().chain(self.any_kind.iter()).copied()
    }
}

/// The referrer and which objects it may refer to.
struct Referrer<'w> {
    world: &'w World,
    index: usize,
    /// Namespaces of ServiceAccount subjects (RoleBindings only).
    binding_namespaces: HashSet<String>,
}

impl<'w> Referrer<'w> {
    fn new(world: &'w World, index: usize, res: &Resource) -> Result<Referrer<'w>, TransformError> {
        Ok(Referrer {
            world,
            index,
            binding_namespaces: binding_namespaces(res)?,
        })
    }

    fn me(&self) -> Option<&'w Info> {
        self.world.infos.get(self.index)
    }

    /// kustomize `SubsetThatCouldBeReferencedByResource`.
    fn could_reference(&self, target: &Info) -> bool {
        let Some(me) = self.me() else { return false };
        me.cluster_scoped
            || target.cluster_scoped
            || target.cur_ns == me.cur_ns
            || self.binding_namespaces.contains(&target.namespace)
    }

    /// kustomize `sameCurrentNamespaceAsReferrer`.
    fn same_namespace(&self, target: &Info) -> bool {
        let Some(me) = self.me() else { return false };
        me.cluster_scoped
            || target.cluster_scoped
            || target.kind == "ServiceAccount"
            || target.cur_ns == me.cur_ns
    }
}

/// kustomize `getNamespacesForRoleBinding`: the namespaces of a RoleBinding's
/// ServiceAccount subjects (a subject with a blank namespace is an error).
fn binding_namespaces(res: &Resource) -> Result<HashSet<String>, TransformError> {
    let mut binding_namespaces = HashSet::new();
    if res.kind() == "RoleBinding"
        && let Some(Node::Seq(subjects)) = res.node().as_map().and_then(|m| m.get("subjects"))
    {
        for subject in subjects.iter().filter_map(Node::as_map) {
            let (Some(ns), Some(kind)) = (subject.get("namespace"), subject.get("kind")) else {
                continue;
            };
            if path::scalar_text(kind) != Some("ServiceAccount") {
                continue;
            }
            match ns.as_str() {
                Some(ns) => {
                    binding_namespaces.insert(ns.to_owned());
                }
                None => {
                    return Err(TransformError::Resolve {
                        transformer: NAME,
                        message: format!(
                            "Invalid Input: namespace is blank for resource \"{}\"",
                            res.cur_id()
                        ),
                    });
                }
            }
        }
    }
    Ok(binding_namespaces)
}

/// One referring field: who refers, to which kind.
struct FieldCtx<'a, 'w> {
    referrer: &'a Referrer<'w>,
    target: &'a GvkSelector,
    /// For `roleRef/name`: the roleRef's group and kind.
    role_ref: Option<GvkSelector>,
}

impl FieldCtx<'_, '_> {
    fn set(&self, node: &mut Node, referred: &mut Vec<(usize, ResId)>) -> Result<(), WalkError> {
        if node.is_null() {
            return Ok(());
        }
        match node {
            Node::Scalar(_) => self.set_scalar(node, referred),
            Node::Map(map) => self.set_mapping(map, referred),
            Node::Seq(items) => {
                for item in items {
                    match item {
                        n if n.is_null() => {}
                        Node::Scalar(_) => self.set_scalar(item, referred)?,
                        Node::Map(map) => self.set_mapping(map, referred)?,
                        Node::Seq(_) => {
                            return Err(WalkError::Set(
                                "a sequence element is expected to be either a string or a map of string"
                                    .into(),
                            ));
                        }
                    }
                }
                Ok(())
            }
        }
    }

    fn set_scalar(&self, node: &mut Node, referred: &mut Vec<(usize, ResId)>) -> Result<(), WalkError> {
        let old = path::scalar_text(node).unwrap_or_default().to_owned();
        let world = self.referrer.world;
        let candidates: Vec<usize> = self
            .named(&old)
            .filter(|&j| {
                world
                    .infos
                    .get(j)
                    .is_some_and(|t| self.referrer.could_reference(t))
            })
            .collect();
        let Some(j) = self.select(candidates, false)? else {
            return Ok(());
        };
        let Some(referral) = world.infos.get(j) else {
            return Ok(());
        };
        self.record(j, referred);
        if referral.name != old {
            *node = Node::string(&referral.name);
        }
        Ok(())
    }

    fn set_mapping(&self, map: &mut Mapping, referred: &mut Vec<(usize, ResId)>) -> Result<(), WalkError> {
        let Some(name) = map.get("name") else {
            return Err(WalkError::Set(
                "path config error; no 'name' field in node".into(),
            ));
        };
        let old = path::scalar_text(name).unwrap_or_default().to_owned();
        let world = self.referrer.world;
        let reachable = |j: &usize| {
            world
                .infos
                .get(*j)
                .is_some_and(|t| self.referrer.could_reference(t))
        };
        let ns_filter: Option<(String, bool)> = map.get("namespace").map(|ns| {
            let ns = match ns {
                Node::Scalar(s) => s.text.clone(),
                _ => String::new(),
            };
            // kustomize first groups the candidates by original namespace and
            // falls back to the current namespace when no group has that name.
            let by_original = ns != NOT_A_NAMESPACE
                && world
                    .by_org_ns
                    .get(&ns)
                    .is_some_and(|list| list.iter().any(reachable));
            (ns, by_original)
        });
        let candidates: Vec<usize> = self
            .named(&old)
            .filter(reachable)
            .filter(|&j| {
                let Some(t) = world.infos.get(j) else { return false };
                match &ns_filter {
                    None => true,
                    Some((ns, true)) => &t.org_ns == ns,
                    Some((ns, false)) => !t.cluster_scoped && &t.cur_ns == ns,
                }
            })
            .collect();
        let Some(j) = self.select(candidates, true)? else {
            return Ok(());
        };
        let Some(referral) = world.infos.get(j) else {
            return Ok(());
        };
        self.record(j, referred);
        if referral.name == old && referral.namespace.is_empty() {
            return Ok(());
        }
        map.insert("name", Node::string(&referral.name));
        if !referral.namespace.is_empty() {
            map.insert("namespace", Node::string(&referral.namespace));
        }
        Ok(())
    }

    /// Objects that had `name` before, in build order.
    fn named<'s>(&'s self, name: &str) -> impl Iterator<Item = usize> + 's {
        let list = self
            .referrer
            .world
            .by_prev_name
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        list.iter().copied()
    }

    fn record(&self, j: usize, referred: &mut Vec<(usize, ResId)>) {
        if let Some(me) = self.referrer.me() {
            referred.push((j, me.cur.clone()));
        }
    }

    /// kustomize `selectReferral`.
    fn select(&self, candidates: Vec<usize>, with_namespace: bool) -> Result<Option<usize>, WalkError> {
        let world = self.referrer.world;
        let info = |j: &usize| world.infos.get(*j);
        let mut c: Vec<usize> = candidates
            .into_iter()
            .filter(|j| info(j).is_some_and(|t| t.prev.iter().any(|id| self.target.selects_gvk(&id.gvk))))
            .filter(|j| {
                self.role_ref
                    .as_ref()
                    .is_none_or(|rr| info(j).is_some_and(|t| t.prev.iter().any(|id| rr.selects_gvk(&id.gvk))))
            })
            .filter(|j| info(j).is_some_and(|t| self.referrer.same_namespace(t)))
            .collect();
        if c.len() == 1 {
            return Ok(c.pop());
        }
        let Some(me) = self.referrer.me() else {
            return Ok(None);
        };
        c.retain(|j| info(j).is_some_and(|t| affixes_equal(t, me, true)));
        if c.len() > 1 {
            c.retain(|j| info(j).is_some_and(|t| affixes_equal(t, me, false)));
        }
        match c.len() {
            0 => Ok(None),
            1 => Ok(c.pop()),
            _ => {
                let infos: Vec<&Info> = c.iter().filter_map(info).collect();
                let first = infos.first().map(|t| (&t.name, &t.namespace));
                let identical = infos.iter().all(|t| {
                    Some(&t.name) == first.map(|f| f.0)
                        && (!with_namespace || Some(&t.namespace) == first.map(|f| f.1))
                });
                if identical {
                    return Ok(c.first().copied());
                }
                let ids: Vec<String> = infos.iter().map(|t| t.cur.to_string()).collect();
                Err(WalkError::Set(format!(
                    "found multiple possible referrals: {} (referrer {})",
                    ids.join(", "),
                    me.cur
                )))
            }
        }
    }
}

/// kustomize `PrefixesSuffixesEquals`.
fn affixes_equal(a: &Info, b: &Info, allow_empty: bool) -> bool {
    let same =
        |x: &[String], y: &[String]| (allow_empty && (x.is_empty() || y.is_empty())) || same_ending(x, y);
    same(&a.prefixes, &b.prefixes) && same(&a.suffixes, &b.suffixes)
}

/// kustomize `SameEndingSubSlice`: the shorter list is the end of the longer one.
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long.ends_with(short)
}

/// The roleRef's `apiGroup` and `kind`, when both are present.
fn role_ref_gvk(obj: &Node) -> Option<GvkSelector> {
    let role_ref = obj.get_path(&["roleRef"])?.as_map()?;
    let group = path::scalar_text(role_ref.get("apiGroup")?).unwrap_or_default();
    let kind = path::scalar_text(role_ref.get("kind")?).unwrap_or_default();
    Some(GvkSelector {
        group: group.to_owned(),
        version: String::new(),
        kind: kind.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fieldspec::TransformerConfig;
    use crate::fieldspec::testutil::{objects, resmap};
    use crate::transform::namespace;
    use crate::transform::prefix_suffix;

    fn build(input: &str, prefix: &str, ns: &str) -> Result<ResMap, TransformError> {
        let tc = TransformerConfig::builtin();
        let mut map = resmap(input);
        namespace::apply(
            &mut map,
            &namespace::Config::from_kustomization(ns),
            &tc.namespace,
        )?;
        prefix_suffix::apply_prefix(&mut map, prefix, &tc.name_prefix)?;
        apply(&mut map, &tc.name_reference)?;
        Ok(map)
    }

    #[test]
    fn follows_renames_into_pod_specs_bindings_and_roles() {
        let input = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: role}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: role}
subjects:
- {kind: ServiceAccount, name: sa}
- {kind: User, name: someone}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      serviceAccountName: sa
      containers:
      - name: c
        envFrom: [{configMapRef: {name: cm}}]
        env: [{name: X, valueFrom: {configMapKeyRef: {name: other, key: k}}}]
      volumes: [{name: v, configMap: {name: cm}}]
";
        let map = build(input, "p-", "prod").unwrap();
        let got = objects(&map);
        let want_parts = [
            "roleRef.name=p-role",
            "subjects[0].kind=ServiceAccount subjects[0].name=p-sa subjects[0].namespace=prod",
            "subjects[1].kind=User subjects[1].name=someone\n",
            "serviceAccountName=p-sa",
            "envFrom[0].configMapRef.name=p-cm",
            "configMapKeyRef.name=other",
            "volumes[0].configMap.name=p-cm",
        ];
        for part in want_parts {
            assert!(got.contains(part), "missing {part:?} in\n{got}");
        }
        let cm = map.get(0).unwrap();
        assert_eq!(cm.ref_by.len(), 1);
    }

    #[test]
    fn other_namespaces_are_not_referenced() {
        let input = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: a}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: b}
spec:
  volumes: [{name: v, configMap: {name: cm}}]
";
        let tc = TransformerConfig::builtin();
        let mut map = resmap(input);
        prefix_suffix::apply_prefix(&mut map, "x-", &tc.name_prefix).unwrap();
        apply(&mut map, &tc.name_reference).unwrap();
        assert!(objects(&map).contains("configMap.name=cm"), "{}", objects(&map));
    }

    #[test]
    fn ambiguous_referrals_are_an_error() {
        let input = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  volumes: [{name: v, configMap: {name: cm}}]
";
        let tc = TransformerConfig::builtin();
        let mut map = resmap(input);
        prefix_suffix::apply_prefix(&mut map, "a-", &tc.name_prefix).unwrap();
        // A second, differently named object that also used to be called `cm`.
        let mut extra = resmap("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n").into_vec();
        let mut other = extra.remove(0);
        other.store_previous_id();
        other.set_name("b-cm");
        other.prefixes.push("a-".into());
        map.append(other).unwrap();
        let err = apply(&mut map, &tc.name_reference).unwrap_err();
        assert!(
            err.to_string().contains("found multiple possible referrals"),
            "{err}"
        );
    }

    #[test]
    fn blank_subject_namespace_is_an_error_even_without_renames() {
        let input = "\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
subjects: [{kind: ServiceAccount, name: sa, namespace: null}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}
";
        let mut map = resmap(input);
        let err = apply(&mut map, &TransformerConfig::builtin().name_reference).unwrap_err();
        assert!(err.to_string().contains("namespace is blank"), "{err}");
    }

    #[test]
    fn same_ending_matches_kustomize() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(same_ending(&s(&["a", "b"]), &s(&["b"])));
        assert!(!same_ending(&s(&["a", "b"]), &s(&["a"])));
        assert!(same_ending(&s(&[]), &s(&[])));
        assert!(!same_ending(&s(&[]), &s(&["a"])));
    }
}
