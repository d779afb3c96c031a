//! Rust-HDL emits one Verilog module per block *instance* (named by its path), so a core with
//! 472 identical multipliers emits 472 copies of the multiplier's modules. [dedupe_modules]
//! keeps one module per distinct body and points every instantiation at it. The netlist is
//! unchanged; the file shrinks by two orders of magnitude, and Verilator compiles the shared
//! modules once.

use std::collections::HashMap;

struct Module {
    name: String,
    text: String,
}

/// Splits `module NAME(...` ... `endmodule // NAME` blocks; returns the modules and whatever
/// precedes the first one.
fn split(verilog: &str) -> (String, Vec<Module>) {
    let mut head = String::new();
    let mut modules = vec![];
    let mut current: Option<Module> = None;
    for line in verilog.split_inclusive('\n') {
        if let Some(m) = current.as_mut() {
            m.text.push_str(line);
            if line.starts_with("endmodule") {
                modules.push(current.take().expect("inside a module"));
            }
        } else if let Some(rest) = line.strip_prefix("module ") {
            let name = rest.split('(').next().unwrap_or(rest).trim().to_string();
            current = Some(Module {
                name,
                text: line.to_string(),
            });
        } else {
            head.push_str(line);
        }
    }
    if let Some(m) = current {
        head.push_str(&m.text); // unterminated: keep verbatim
    }
    (head, modules)
}

/// One module per distinct body; instantiations renamed to the kept module. The first
/// instance (in emission order) names each kept module; `top` stays first.
pub fn dedupe_modules(verilog: &str) -> String {
    let (head, modules) = split(verilog);
    let index: HashMap<String, usize> = modules
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name.clone(), i))
        .collect();
    // canonical[i]: the kept module that module i maps to; bodies keyed with the name blanked.
    let mut canonical: Vec<Option<String>> = vec![None; modules.len()];
    let mut by_body: HashMap<String, String> = HashMap::new();
    let mut kept: Vec<(String, String)> = vec![];

    fn resolve(
        i: usize,
        modules: &[Module],
        index: &HashMap<String, usize>,
        canonical: &mut Vec<Option<String>>,
        by_body: &mut HashMap<String, String>,
        kept: &mut Vec<(String, String)>,
    ) -> String {
        if let Some(c) = &canonical[i] {
            return c.clone();
        }
        let m = &modules[i];
        let mut text = String::with_capacity(m.text.len());
        for line in m.text.split_inclusive('\n') {
            // Instantiation lines look like `    <module> <instance>(`.
            let trimmed = line.trim_start();
            let mut words = trimmed.split(' ');
            let renamed = match (words.next(), words.next()) {
                (Some(ty), Some(inst)) if inst.ends_with("(\n") || inst.ends_with('(') => {
                    index.get(ty).map(|&j| {
                        let c = resolve(j, modules, index, canonical, by_body, kept);
                        let indent = &line[..line.len() - trimmed.len()];
                        format!("{indent}{c} {}", &trimmed[ty.len() + 1..])
                    })
                }
                _ => None,
            };
            text.push_str(renamed.as_deref().unwrap_or(line));
        }
        let key = text
            .replacen(&format!("module {}(", m.name), "module (", 1)
            .replace(&format!("endmodule // {}", m.name), "endmodule //");
        let name = match by_body.get(&key) {
            Some(existing) => existing.clone(),
            None => {
                by_body.insert(key, m.name.clone());
                kept.push((m.name.clone(), text));
                m.name.clone()
            }
        };
        canonical[i] = Some(name.clone());
        name
    }

    for i in 0..modules.len() {
        resolve(i, &modules, &index, &mut canonical, &mut by_body, &mut kept);
    }
    // Emit in original order of the kept modules.
    let order: HashMap<&str, usize> = modules
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name.as_str(), i))
        .collect();
    kept.sort_by_key(|(name, _)| order[name.as_str()]);
    let mut out = head;
    for (_, text) in kept {
        out.push_str(&text);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::dedupe_modules;

    #[test]
    fn identical_modules_collapse_and_instances_follow() {
        let v = "\n\nmodule top(a);\n    top$x x(\n        .a(a)\n    );\n    top$y y(\n        .a(a)\n    );\nendmodule // top\n\nmodule top$x(a);\n    top$x$d d(\n        .a(a)\n    );\nendmodule // top$x\n\nmodule top$x$d(a);\n  input a;\nendmodule // top$x$d\n\nmodule top$y(a);\n    top$y$d d(\n        .a(a)\n    );\nendmodule // top$y\n\nmodule top$y$d(a);\n  input a;\nendmodule // top$y$d\n";
        let d = dedupe_modules(v);
        assert_eq!(d.matches("\nmodule ").count(), 3, "{d}");
        assert!(d.contains("    top$x y(\n"), "{d}");
        assert!(!d.contains("top$y$d"), "{d}");
    }
}
