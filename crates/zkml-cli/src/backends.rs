//! `zkml-bench zkvms` and `zkml-bench build`: which backends exist, can run here, and their builds.

use zkml_harness::run::registry::{self, BackendHandle};

pub(crate) fn zkvms(json: bool) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for name in zkml_harness::catalogue::names() {
        let entry = match registry::resolve(name, false).and_then(|b| b.info()) {
            Ok(info) => serde_json::json!({ "name": name, "available": true, "info": info }),
            Err(e) => serde_json::json!({ "name": name, "available": false, "reason": format!("{e:#}") }),
        };
        rows.push(entry);
    }
    let tree = registry::source_tree();
    let cache = registry::cache_dir();
    if json {
        let doc = serde_json::json!({
            "source_tree": tree.as_ref().map(|t| t.root.display().to_string()),
            "source_tree_found_by": tree.as_ref().map(|t| t.found_by),
            "cache": cache.display().to_string(),
            "backends": rows,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        match &tree {
            Some(t) => println!("source tree  {} (found by {}; backends are built from it)", t.root.display(), t.found_by),
            None => {
                println!("source tree  none found: set {} to a zkml-bench checkout to build backends", registry::SOURCE_ENV)
            }
        }
        println!("build cache  {} (ZKML_CACHE)", cache.display());
        for r in rows {
            if r["available"].as_bool() == Some(true) {
                let i = &r["info"];
                let modes: Vec<String> = i["proof_modes"]
                    .as_array()
                    .map(|ms| {
                        ms.iter()
                            .map(|m| {
                                let zk = if m["zero_knowledge"] == true && i["produces_proofs"] == true { ", ZK" } else { "" };
                                let here = if m["available"] == true { "" } else { ", not here" };
                                format!("{} ({}{zk}{here})", m["name"].as_str().unwrap_or("?"), m["family"].as_str().unwrap_or("none"))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                println!(
                    "{:<8} available   {} | {}{} | modes: {}",
                    r["name"].as_str().unwrap(),
                    i["sdk"].as_str().unwrap_or(""),
                    i["proof_system"].as_str().unwrap_or("").chars().take(60).collect::<String>(),
                    if i["proof_system"].as_str().is_some_and(|p| p.chars().count() > 60) { "..." } else { "" },
                    modes.join(", ")
                );
                for p in i["programs"].as_array().into_iter().flatten() {
                    println!(
                        "         guest precompiles-{:<3} elf sha256 {} | {} {}",
                        p["precompiles"].as_str().unwrap_or("?"),
                        p["elf_sha256"].as_str().unwrap_or("?"),
                        p["id_kind"].as_str().unwrap_or("id"),
                        p["id"].as_str().unwrap_or("(known after the first prove or verify)")
                    );
                }
            } else {
                println!("{:<8} unavailable {}", r["name"].as_str().unwrap(), r["reason"].as_str().unwrap_or(""));
            }
        }
    }
    Ok(())
}

/// Builds (or brings up to date) each named backend.
pub(crate) fn build(zkvms: Vec<String>) -> anyhow::Result<()> {
    for name in zkvms {
        match registry::resolve(&name, true)? {
            BackendHandle::Native(_) => eprintln!("native: nothing to build"),
            BackendHandle::Process(p) => println!("{name}: {}", p.exe.display()),
        }
    }
    Ok(())
}
