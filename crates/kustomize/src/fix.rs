//! kustomize's `FixKustomization` and `EnforceFields`: legacy fields moved
//! to their current names, defaults for `kind`/`apiVersion`, and the checks
//! that follow. (`patchesStrategicMerge`, `patchesJson6902`, `commonLabels`
//! and `vars` stay as they are: v5 still runs them as their own transformers.)

use std::path::Path;

use crate::error::Error;
use crate::kustomization::{
    COMPONENT_KIND, COMPONENT_VERSION, KUSTOMIZATION_KIND, KUSTOMIZATION_VERSION, Kustomization,
};

/// Moves legacy fields and fills defaults, then validates kind and apiVersion.
pub fn fix(mut k: Kustomization, file: &Path) -> Result<Kustomization, Error> {
    let declared_kind = k.kind.clone();
    let declared_version = k.api_version.clone();
    if k.kind.is_empty() {
        k.kind = KUSTOMIZATION_KIND.into();
    }
    if k.api_version.is_empty() {
        k.api_version = if k.kind == COMPONENT_KIND {
            COMPONENT_VERSION
        } else {
            KUSTOMIZATION_VERSION
        }
        .into();
    }
    let bases = std::mem::take(&mut k.bases);
    k.resources.extend(bases);
    let image_tags = std::mem::take(&mut k.image_tags);
    k.images.extend(image_tags);
    for g in k
        .config_map_generator
        .iter_mut()
        .chain(k.secret_generator.iter_mut())
    {
        if !g.env.is_empty() {
            let env = std::mem::take(&mut g.env);
            g.envs.push(env);
        }
    }
    // configMapGenerator entries are kustomize's ConfigMapArgs: no `type`.
    if k.config_map_generator.iter().any(|g| !g.type_.is_empty()) {
        return Err(Error::UnknownField {
            file: file.into(),
            field: "configMapGenerator[].type".into(),
            suggestion: None,
        });
    }
    if k.is_empty() {
        return Err(Error::Invalid {
            what: "Kustomization",
            file: file.into(),
            message: "kustomization.yaml is empty".into(),
        });
    }
    enforce(&declared_kind, &declared_version, &k, file)?;
    Ok(k)
}

/// kustomize's `EnforceFields` (run on the declared values, after defaults).
fn enforce(kind: &str, api_version: &str, k: &Kustomization, file: &Path) -> Result<(), Error> {
    let mut errors = Vec::new();
    if !kind.is_empty() && kind != KUSTOMIZATION_KIND && kind != COMPONENT_KIND {
        errors.push(format!("kind should be {KUSTOMIZATION_KIND} or {COMPONENT_KIND}"));
    }
    let required = if k.kind == COMPONENT_KIND {
        COMPONENT_VERSION
    } else {
        KUSTOMIZATION_VERSION
    };
    if !api_version.is_empty() && api_version != required {
        errors.push(format!("apiVersion for {} should be {required}", k.kind));
    }
    if errors.is_empty() {
        return Ok(());
    }
    Err(Error::Invalid {
        what: "Kustomization",
        file: file.into(),
        message: errors.join("; "),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn moves_legacy_fields() {
        let k = Kustomization {
            bases: vec!["../base".into()],
            resources: vec!["a.yaml".into()],
            ..Kustomization::default()
        };
        let fixed = fix(k, Path::new("k")).unwrap();
        assert_eq!(fixed.resources, ["a.yaml", "../base"]);
        assert_eq!(fixed.kind, KUSTOMIZATION_KIND);
        assert_eq!(fixed.api_version, KUSTOMIZATION_VERSION);
    }

    #[test]
    fn rejects_wrong_kind_version_and_empty() {
        let wrong = Kustomization {
            kind: "Component".into(),
            api_version: KUSTOMIZATION_VERSION.into(),
            resources: vec!["a".into()],
            ..Kustomization::default()
        };
        let err = fix(wrong, Path::new("k")).unwrap_err().to_string();
        assert!(
            err.contains("apiVersion for Component should be kustomize.config.k8s.io/v1alpha1"),
            "{err}"
        );
        let empty = Kustomization {
            kind: "Kustomization".into(),
            ..Kustomization::default()
        };
        assert!(
            fix(empty, Path::new("k"))
                .unwrap_err()
                .to_string()
                .contains("is empty")
        );
    }
}
