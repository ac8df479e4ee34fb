//! `commonAnnotations:` (kustomize `AnnotationsTransformer`): the pairs go on
//! every field of the `commonAnnotations` table (metadata and pod templates).

use std::collections::BTreeMap;

use crate::fieldspec::{FieldSpec, TransformError};
use crate::resmap::ResMap;

/// Sets the annotations on every field `specs` names (the `commonAnnotations` table).
pub fn apply(
    resources: &mut ResMap,
    annotations: &BTreeMap<String, String>,
    specs: &[FieldSpec],
) -> Result<(), TransformError> {
    super::labels::set_pairs(resources, annotations, specs, "commonAnnotations")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fieldspec::TransformerConfig;
    use crate::fieldspec::testutil::{objects, resmap};

    #[test]
    fn annotates_metadata_and_templates() {
        let input = "\
apiVersion: batch/v1
kind: CronJob
metadata: {name: c, annotations: null}
spec:
  jobTemplate:
    spec:
      template: {spec: {}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
";
        let mut map = resmap(input);
        let pairs = BTreeMap::from([("a".to_owned(), "1".to_owned())]);
        apply(&mut map, &pairs, &TransformerConfig::builtin().common_annotations).unwrap();
        assert_eq!(
            objects(&map),
            "apiVersion=batch/v1 kind=CronJob metadata.name=c metadata.annotations.a=1 \
             spec.jobTemplate.spec.template.spec={} spec.jobTemplate.spec.template.metadata.annotations.a=1 \
             spec.jobTemplate.metadata.annotations.a=1\n\
             apiVersion=v1 kind=ConfigMap metadata.name=cm metadata.annotations.a=1\n"
        );
    }
}
