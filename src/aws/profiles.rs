//! Which profiles the shared AWS files define, to name an unknown `--profile` / `AWS_PROFILE`
//! precisely ("not in ~/.aws/config or ~/.aws/credentials; they define default, prod") instead of
//! "no credentials".
//!
//! Only section headers are read: `[profile NAME]` and `[default]` in the config file, `[NAME]` in
//! the credentials file, as the AWS CLI and SDKs read them. The files are where
//! `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` say, else `~/.aws/config` and
//! `~/.aws/credentials`.

use std::path::{Path, PathBuf};

/// One shared file and the profiles it defines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileFile {
    /// Where it is (or would be).
    pub path: PathBuf,
    /// Whether it could be read.
    pub exists: bool,
    /// The profile names it defines, in file order.
    pub profiles: Vec<String>,
}

/// The config and credentials files, read.
pub fn shared_files() -> Vec<ProfileFile> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let path = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
    };
    [
        (path("AWS_CONFIG_FILE", "config"), true),
        (path("AWS_SHARED_CREDENTIALS_FILE", "credentials"), false),
    ]
    .into_iter()
    .filter_map(|(path, is_config)| path.map(|p| read(&p, is_config)))
    .collect()
}

fn read(path: &Path, is_config: bool) -> ProfileFile {
    match std::fs::read_to_string(path) {
        Ok(text) => ProfileFile {
            path: path.to_path_buf(),
            exists: true,
            profiles: sections(&text, is_config),
        },
        Err(_) => ProfileFile {
            path: path.to_path_buf(),
            exists: false,
            profiles: Vec::new(),
        },
    }
}

/// The profile names of a file's section headers.
pub fn sections(text: &str, is_config: bool) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(inner) = line.strip_prefix('[').and_then(|l| l.split(']').next()) else {
            continue;
        };
        let inner = inner.trim();
        let name = if is_config {
            match inner.strip_prefix("profile") {
                Some(rest) if rest.starts_with(char::is_whitespace) => rest.trim(),
                _ if inner == "default" => inner,
                // `[sso-session X]`, `[services X]`: not profiles.
                _ => continue,
            }
        } else {
            inner
        };
        if !name.is_empty() && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// Whether any of `files` defines `profile`.
pub fn defines(files: &[ProfileFile], profile: &str) -> bool {
    files
        .iter()
        .any(|f| f.profiles.iter().any(|p| p == profile))
}

/// `~/.aws/config (profiles default, prod), ~/.aws/credentials (missing)`.
pub fn describe(files: &[ProfileFile]) -> String {
    files
        .iter()
        .map(|f| {
            let state = if !f.exists {
                "missing".to_string()
            } else if f.profiles.is_empty() {
                "no profiles".to_string()
            } else {
                format!("profiles {}", f.profiles.join(", "))
            };
            format!("{} ({state})", f.path.display())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_profile_names_as_the_cli_does() {
        let config = "[default]\nregion=eu-west-1\n[profile prod]\n[sso-session corp]\n\
                      [ profile  dev ] # comment\n[services s]\n";
        assert_eq!(sections(config, true), ["default", "prod", "dev"]);
        let credentials = "[default]\naws_access_key_id=x\n[ci]\n";
        assert_eq!(sections(credentials, false), ["default", "ci"]);
    }
}
