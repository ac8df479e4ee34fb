//! Generators for checked-in artifacts.
fn main() -> anyhow::Result<()> {
    anyhow::bail!("usage: cargo xtask <command>")
}
