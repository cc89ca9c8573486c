//! `POST /token` bodies made before the clock starts, one per line, for `lua/token.lua`:
//! hashing on the load generator's side would be measured as the server's time.

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::api::Boot;

pub fn write_bodies(boot: &Boot, count: usize, out: &Path) -> anyhow::Result<()> {
    let mut file = BufWriter::new(std::fs::File::create(out)?);
    for _ in 0..count {
        serde_json::to_writer(&mut file, &boot.token_body())?;
        file.write_all(b"\n")?;
    }
    file.flush()?;
    Ok(())
}
