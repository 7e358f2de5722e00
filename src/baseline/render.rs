//! A baseline written back as TOML: the effective contents after `extends`, in the file format
//! (what `elbtls baseline show` prints, and how the README's preset listings are checked).

use std::fmt::Write;

use super::Baseline;

/// A TOML basic string. JSON string escapes (`\"`, `\\`, `\n`, `\u00XX`) are all valid in TOML
/// basic strings, and the `toml` crate is built without its serializer.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{}\"", text.escape_default()))
}

fn array<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items.into_iter().map(|i| quoted(&i.to_string())).collect();
    format!("[{}]", items.join(", "))
}

impl Baseline {
    /// The baseline in the file format, flattened (no `extends`): parsing the text gives the same
    /// baseline back (but for its name).
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = self.write_toml(&mut out);
        out
    }

    fn write_toml(&self, out: &mut String) -> std::fmt::Result {
        writeln!(out, "# baseline {}", self.name)?;
        if let Some(description) = &self.description {
            writeln!(out, "description = {}", quoted(description))?;
        }
        if let Some(min) = self.min_protocol {
            writeln!(out, "min_protocol = {}", quoted(&min.to_string()))?;
        }
        let classes = self.banned_classes.iter().map(|c| c.code());
        writeln!(out, "banned_classes = {}", array(classes))?;
        writeln!(out, "banned_ciphers = {}", array(&self.banned_ciphers))?;
        writeln!(out, "allowed_policies = {}", array(&self.allowed_policies))?;
        writeln!(out, "denied_policies = {}", array(&self.denied_policies))?;
        writeln!(out, "require_fips = {}", self.require_fips)?;
        writeln!(
            out,
            "require_forward_secrecy = {}",
            self.require_forward_secrecy
        )?;
        writeln!(out, "require_post_quantum = {}", self.require_post_quantum)?;
        writeln!(
            out,
            "require_https_redirect = {}",
            self.require_https_redirect
        )?;
        writeln!(out, "\n[certificate]")?;
        let c = &self.certificate;
        writeln!(out, "expiry_warning_days = {}", c.expiry_warning_days)?;
        writeln!(out, "min_rsa_bits = {}", c.min_rsa_bits)?;
        writeln!(out, "min_ec_bits = {}", c.min_ec_bits)?;
        if !self.severity.is_empty() {
            writeln!(out, "\n[severity]")?;
            for (code, severity) in &self.severity {
                writeln!(out, "{code} = {}", quoted(severity.as_str()))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::baseline::preset;

    #[test]
    fn renders_the_modern_preset() {
        let text = preset("modern").unwrap().to_toml();
        assert!(text.contains("min_protocol = \"TLSv1.2\"\n"), "{text}");
        assert!(
            text.contains("banned_classes = [\"cbc\", \"sha1\","),
            "{text}"
        );
        assert!(
            text.contains("[certificate]\nexpiry_warning_days = 30\n"),
            "{text}"
        );
        assert!(!text.contains("[severity]"), "{text}");
        let strict = preset("strict").unwrap().to_toml();
        assert!(
            strict.contains("[severity]\nweak-cipher-allowed = \"high\"\n"),
            "{strict}"
        );
    }
}
