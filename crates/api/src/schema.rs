//! Schema pieces the derive cannot express, and the schema generator settings shared by all CRDs.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{Schema, json_schema};

/// A free-form object (Argo CD's `apiextensionsv1.JSON`): kept as written by the API server.
pub(crate) fn preserve_unknown_object(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "object", "x-kubernetes-preserve-unknown-fields": true })
}

/// A list of free-form objects.
pub(crate) fn preserve_unknown_list(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "array",
        "items": { "type": "object", "x-kubernetes-preserve-unknown-fields": true }
    })
}

/// The generator `#[derive(CustomResource)]` uses (structural, inlined, OpenAPI v3), so the
/// hand-written `Application` CRD has the same schema shape as the derived ones.
pub(crate) fn crd_schema_generator() -> SchemaGenerator {
    SchemaSettings::openapi3()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .with_transform(schemars::transform::AddNullable::default())
        .with_transform(kube::core::schema::StructuralSchemaRewriter)
        .with_transform(kube::core::schema::OptionalEnum)
        .with_transform(kube::core::schema::OptionalIntOrString)
        .into_generator()
}
