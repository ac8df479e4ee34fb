//! The `driftless` command.
fn main() -> anyhow::Result<()> {
    Ok(())
}
