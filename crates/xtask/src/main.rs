//! Generators for checked-in artifacts.
//!
//! - `gen-openapi-table`: writes the renderer's static OpenAPI merge-key and scope table.
//! - `check-generated`: regenerates every artifact in memory and fails when a checked-in copy differs.

mod openapi_table;

use anyhow::{Context as _, Result, bail};

fn main() -> Result<()> {
    let command = std::env::args().nth(1).unwrap_or_default();
    match command.as_str() {
        "gen-openapi-table" => {
            let text = openapi_table::generate(
                &openapi_table::bundle_path(),
                &openapi_table::kustomization_schema_path(),
            )?;
            let out = openapi_table::output_path();
            std::fs::write(&out, text).with_context(|| format!("writing {}", out.display()))?;
            println!("wrote {}", openapi_table::OUTPUT);
            Ok(())
        }
        "check-generated" => {
            let want = openapi_table::generate(
                &openapi_table::bundle_path(),
                &openapi_table::kustomization_schema_path(),
            )?;
            let out = openapi_table::output_path();
            let have = std::fs::read_to_string(&out).unwrap_or_default();
            if have != want {
                bail!(
                    "{} is out of date: run `cargo xtask gen-openapi-table` and commit the result",
                    openapi_table::OUTPUT
                );
            }
            println!("{} is up to date", openapi_table::OUTPUT);
            Ok(())
        }
        _ => bail!("usage: cargo xtask <gen-openapi-table|check-generated>"),
    }
}
