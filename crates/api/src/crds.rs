//! The three CustomResourceDefinitions, as objects and as the YAML `driftless crds` prints and
//! `deploy/crds/` holds (the `crds_are_up_to_date` test keeps them equal; run it with
//! `UPDATE_CRDS=1` to rewrite the files).

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceColumnDefinition, CustomResourceDefinition, CustomResourceDefinitionNames,
    CustomResourceDefinitionSpec, CustomResourceDefinitionVersion, CustomResourceSubresourceStatus,
    CustomResourceSubresources, CustomResourceValidation, JSONSchemaProps,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::CustomResourceExt;
use kube::core::{ApiResource, Resource};

use crate::application::{Application, GROUP, VERSION};
use crate::appset::ApplicationSet;
use crate::project::AppProject;
use crate::schema::crd_schema_generator;

fn column(name: &str, json_path: &str, type_: &str) -> CustomResourceColumnDefinition {
    CustomResourceColumnDefinition {
        name: name.into(),
        json_path: json_path.into(),
        type_: type_.into(),
        ..CustomResourceColumnDefinition::default()
    }
}

impl CustomResourceExt for Application {
    fn crd() -> CustomResourceDefinition {
        // The schema of a derived struct always serializes to a valid JSONSchemaProps; a failure
        // here would be a schemars bug, and leaving the schema out makes the API server say so.
        let schema: Option<JSONSchemaProps> =
            serde_json::to_value(crd_schema_generator().into_root_schema_for::<Application>())
                .ok()
                .and_then(|value| serde_json::from_value(value).ok());
        CustomResourceDefinition {
            metadata: ObjectMeta {
                name: Some(Self::crd_name().into()),
                ..ObjectMeta::default()
            },
            spec: CustomResourceDefinitionSpec {
                group: GROUP.into(),
                names: CustomResourceDefinitionNames {
                    kind: "Application".into(),
                    plural: "applications".into(),
                    singular: Some("application".into()),
                    short_names: Some(Self::shortnames().iter().map(|s| (*s).to_owned()).collect()),
                    ..CustomResourceDefinitionNames::default()
                },
                scope: "Namespaced".into(),
                versions: vec![CustomResourceDefinitionVersion {
                    name: VERSION.into(),
                    served: true,
                    storage: true,
                    schema: Some(CustomResourceValidation {
                        open_api_v3_schema: schema,
                    }),
                    subresources: Some(CustomResourceSubresources {
                        status: Some(CustomResourceSubresourceStatus(serde_json::json!({}))),
                        scale: None,
                    }),
                    additional_printer_columns: Some(vec![
                        column("Sync Status", ".status.sync.status", "string"),
                        column("Health", ".status.health.status", "string"),
                        column("Revision", ".status.sync.shortRevision", "string"),
                        column("Age", ".metadata.creationTimestamp", "date"),
                    ]),
                    ..CustomResourceDefinitionVersion::default()
                }],
                ..CustomResourceDefinitionSpec::default()
            },
            status: None,
        }
    }

    fn crd_name() -> &'static str {
        "applications.driftless.dev"
    }

    fn api_resource() -> ApiResource {
        ApiResource::erase::<Application>(&())
    }

    fn shortnames() -> &'static [&'static str] {
        &["app", "apps"]
    }
}

/// The three CRDs: Application, ApplicationSet, AppProject.
pub fn all() -> Vec<CustomResourceDefinition> {
    vec![Application::crd(), ApplicationSet::crd(), AppProject::crd()]
}

/// One CRD as YAML.
pub fn to_yaml(crd: &CustomResourceDefinition) -> String {
    // Serializing plain data (strings, maps, lists) to YAML cannot fail; an empty document is the
    // visible symptom if it ever did.
    serde_saphyr::to_string(crd).unwrap_or_default()
}

/// All three CRDs as one multi-document YAML stream (what `driftless crds` prints).
pub fn all_yaml() -> String {
    all().iter().map(|crd| format!("---\n{}", to_yaml(crd))).collect()
}

/// The file under `deploy/crds/` that holds `crd`: `<group>_<plural>.yaml`.
pub fn file_name(crd: &CustomResourceDefinition) -> String {
    format!("{}_{}.yaml", crd.spec.group, crd.spec.names.plural)
}

/// The plural of kind `K`'s resource, for callers that want a typed handle.
pub fn plural<K: Resource<DynamicType = ()>>() -> String {
    K::plural(&()).into_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::path::PathBuf;

    use super::*;

    fn deploy_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy/crds")
    }

    #[test]
    fn crds_are_up_to_date() {
        let update = std::env::var_os("UPDATE_CRDS").is_some_and(|v| v == "1");
        let mut stale = vec![];
        for crd in all() {
            let path = deploy_dir().join(file_name(&crd));
            let want = to_yaml(&crd);
            let have = std::fs::read_to_string(&path).unwrap_or_default();
            if have != want {
                if update {
                    std::fs::create_dir_all(deploy_dir()).unwrap();
                    std::fs::write(&path, &want).unwrap();
                } else {
                    stale.push(path.display().to_string());
                }
            }
        }
        assert!(
            stale.is_empty(),
            "stale CRD files {stale:?}; regenerate with UPDATE_CRDS=1 cargo test -p driftless-api crds"
        );
    }

    #[test]
    fn names_and_columns() {
        let crds = all();
        let names: Vec<_> = crds.iter().map(|c| c.metadata.name.clone().unwrap()).collect();
        assert_eq!(
            names,
            [
                "applications.driftless.dev",
                "applicationsets.driftless.dev",
                "appprojects.driftless.dev"
            ]
        );
        let short: Vec<_> = crds
            .iter()
            .map(|c| c.spec.names.short_names.clone().unwrap()[0].clone())
            .collect();
        assert_eq!(short, ["app", "appset", "appproj"]);
        let app = &crds[0].spec.versions[0];
        let columns: Vec<_> = app
            .additional_printer_columns
            .as_ref()
            .unwrap()
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(columns, ["Sync Status", "Health", "Revision", "Age"]);
        assert!(
            crds.iter()
                .all(|c| c.spec.versions[0].subresources.as_ref().unwrap().status.is_some())
        );
    }

    #[test]
    fn application_schema_has_top_level_operation() {
        let crd = Application::crd();
        let schema = crd.spec.versions[0]
            .schema
            .as_ref()
            .unwrap()
            .open_api_v3_schema
            .as_ref()
            .unwrap();
        let props = schema.properties.as_ref().unwrap();
        for key in ["spec", "operation", "status"] {
            assert!(props.contains_key(key), "missing {key}");
        }
        let text = serde_json::to_string(schema).unwrap();
        assert!(!text.contains("$ref"), "CRD schemas must be inlined");
        for field in [
            "repoURL",
            "targetRevision",
            "selfHeal",
            "allowEmpty",
            "managedFieldsManagers",
            "shortRevision",
            "observedGeneration",
            "deployedAt",
        ] {
            assert!(text.contains(field), "missing {field}");
        }
    }

    #[test]
    fn yaml_round_trips_to_the_same_crds() {
        let docs: Vec<CustomResourceDefinition> = serde_saphyr::from_multiple(&all_yaml()).unwrap();
        assert_eq!(docs, all());
    }
}
