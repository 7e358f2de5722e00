//! Turns the registry data files of `src/tls/data/` into static tables (`$OUT_DIR/{cipher_suites,named_groups,sslv2_cipher_kinds}.rs`)
//! and embeds the policy catalogue of `policies/` (`$OUT_DIR/catalogue_files.rs`).
//!
//! Columns are read by name from the header row. An unknown column value, a duplicate code or a
//! malformed line fails the build with the file and line at fault.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

const CIPHER_SUITES: &str = "src/tls/data/cipher_suites.csv";
const NAMED_GROUPS: &str = "src/tls/data/named_groups.csv";
const SSLV2_KINDS: &str = "src/tls/data/sslv2_cipher_kinds.csv";
const POLICIES_DIR: &str = "policies";

// Vocabularies: the token in the data file, and the enum variant it becomes (src/tls/cipher_suite.rs).
const KX: &[(&str, &str)] = &[
    ("NULL", "Null"),
    ("RSA", "Rsa"),
    ("DH", "Dh"),
    ("DHE", "Dhe"),
    ("ECDH", "Ecdh"),
    ("ECDHE", "Ecdhe"),
    ("PSK", "Psk"),
    ("DHE_PSK", "DhePsk"),
    ("RSA_PSK", "RsaPsk"),
    ("ECDHE_PSK", "EcdhePsk"),
    ("KRB5", "Krb5"),
    ("SRP", "Srp"),
    ("ECCPWD", "EccPwd"),
    ("GOSTR341112_256", "Gost"),
    ("ANY", "Any"),
    ("SCSV", "Scsv"),
];
const AUTH: &[(&str, &str)] = &[
    ("NULL", "Null"),
    ("RSA", "Rsa"),
    ("DSS", "Dss"),
    ("ECDSA", "Ecdsa"),
    ("anon", "Anon"),
    ("PSK", "Psk"),
    ("KRB5", "Krb5"),
    ("SRP", "Srp"),
    ("ECCPWD", "EccPwd"),
    ("GOSTR341012", "Gost"),
    ("ANY", "Any"),
    ("SCSV", "Scsv"),
];
const ENC: &[(&str, &str)] = &[
    ("NULL", "Null"),
    ("RC4", "Rc4"),
    ("RC2", "Rc2"),
    ("DES", "Des"),
    ("3DES", "TripleDes"),
    ("IDEA", "Idea"),
    ("SEED", "Seed"),
    ("AES", "Aes"),
    ("CAMELLIA", "Camellia"),
    ("ARIA", "Aria"),
    ("CHACHA20", "ChaCha20"),
    ("SM4", "Sm4"),
    ("AEGIS", "Aegis"),
    ("GOST28147", "Gost28147"),
    ("KUZNYECHIK", "Kuznyechik"),
    ("MAGMA", "Magma"),
    ("SCSV", "Scsv"),
];
const MODE: &[(&str, &str)] = &[
    ("NULL", "Null"),
    ("STREAM", "Stream"),
    ("CBC", "Cbc"),
    ("GCM", "Gcm"),
    ("CCM", "Ccm"),
    ("CCM_8", "Ccm8"),
    ("POLY1305", "Poly1305"),
    ("MGM", "Mgm"),
    ("CTR", "Ctr"),
    ("AEGIS", "Aegis"),
    ("SCSV", "Scsv"),
];
const MAC: &[(&str, &str)] = &[
    ("NULL", "Null"),
    ("MD5", "Md5"),
    ("SHA1", "Sha1"),
    ("SHA256", "Sha256"),
    ("SHA384", "Sha384"),
    ("SM3", "Sm3"),
    ("GOST", "Gost"),
    ("AEAD", "Aead"),
    ("SCSV", "Scsv"),
];
const VERSION: &[(&str, &str)] = &[
    ("SSLv3", "SSLV3"),
    ("TLSv1", "TLSV1_0"),
    ("TLSv1.1", "TLSV1_1"),
    ("TLSv1.2", "TLSV1_2"),
    ("TLSv1.3", "TLSV1_3"),
];
const GROUP_KIND: &[(&str, &str)] = &[
    ("ec", "Ec"),
    ("ec-binary", "EcBinary"),
    ("ffdhe", "Ffdhe"),
    ("pq-hybrid", "PqHybrid"),
    ("pq", "Pq"),
    ("gost", "Gost"),
    ("sm2", "Sm2"),
    ("explicit", "Explicit"),
    ("obsolete", "Obsolete"),
];
const BOOL: &[(&str, &str)] = &[("true", "true"), ("false", "false")];

/// One data row with its line number, read by column name.
struct Row<'a> {
    file: &'a str,
    line: usize,
    header: &'a [&'a str],
    fields: Vec<&'a str>,
}

impl Row<'_> {
    fn get(&self, column: &str) -> &str {
        let i = self
            .header
            .iter()
            .position(|h| *h == column)
            .unwrap_or_else(|| fail(self.file, 1, &format!("missing column `{column}`")));
        self.fields[i]
    }

    fn vocab(&self, column: &str, vocab: &[(&str, &str)]) -> String {
        let value = self.get(column);
        match vocab.iter().find(|(token, _)| *token == value) {
            Some((_, variant)) => (*variant).to_string(),
            None => {
                let allowed: Vec<&str> = vocab.iter().map(|(t, _)| *t).collect();
                fail(
                    self.file,
                    self.line,
                    &format!(
                        "column `{column}`: unknown value `{value}` (allowed: {})",
                        allowed.join(", ")
                    ),
                )
            }
        }
    }

    fn hex(&self, column: &str, digits: usize) -> u32 {
        let value = self.get(column);
        let body = value.strip_prefix("0x").unwrap_or_else(|| {
            fail(
                self.file,
                self.line,
                &format!("`{value}` must start with 0x"),
            )
        });
        if body.len() != digits || !body.chars().all(|c| c.is_ascii_hexdigit()) {
            fail(
                self.file,
                self.line,
                &format!("`{value}` must be 0x and {digits} hex digits"),
            );
        }
        u32::from_str_radix(body, 16).expect("checked hex")
    }

    fn number(&self, column: &str) -> u16 {
        let value = self.get(column);
        value.parse().unwrap_or_else(|_| {
            fail(
                self.file,
                self.line,
                &format!("column `{column}`: `{value}` is not a number"),
            )
        })
    }

    fn name(&self, column: &str) -> String {
        let value = self.get(column);
        if value.is_empty()
            || !value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            fail(
                self.file,
                self.line,
                &format!("column `{column}`: `{value}` is not a valid name"),
            );
        }
        value.to_string()
    }

    fn optional_name(&self, column: &str) -> Option<String> {
        (!self.get(column).is_empty()).then(|| self.name(column))
    }

    fn name_list(&self, column: &str) -> Vec<String> {
        let value = self.get(column);
        if value.is_empty() {
            return Vec::new();
        }
        value
            .split('|')
            .map(|part| {
                if part.is_empty()
                    || !part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                {
                    fail(
                        self.file,
                        self.line,
                        &format!("column `{column}`: bad name `{part}`"),
                    );
                }
                part.to_string()
            })
            .collect()
    }
}

fn fail(file: &str, line: usize, message: &str) -> ! {
    panic!("{file}:{line}: {message}");
}

fn read_table(path: &str, expected_header: &[&str], mut each: impl FnMut(&Row<'_>)) {
    println!("cargo:rerun-if-changed={path}");
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: cannot read: {e}"));
    let mut lines = text
        .lines()
        .enumerate()
        .skip_while(|(_, l)| l.starts_with('#'));
    let (_, header_line) = lines
        .next()
        .unwrap_or_else(|| fail(path, 1, "no header row"));
    let header: Vec<&str> = header_line.split(',').collect();
    if header != expected_header {
        fail(
            path,
            1,
            &format!(
                "header must be `{}`, found `{header_line}`",
                expected_header.join(",")
            ),
        );
    }
    for (index, line) in lines {
        let line_no = index + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            fail(path, line_no, "blank or comment line after the header");
        }
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() != header.len() {
            fail(
                path,
                line_no,
                &format!("{} fields, expected {}", fields.len(), header.len()),
            );
        }
        each(&Row {
            file: path,
            line: line_no,
            header: &header,
            fields,
        });
    }
}

/// `secp256r1` → `SECP256R1`, `X25519MLKEM768` → `X25519MLKEM768`, `ffdhe2048` → `FFDHE2048`.
fn const_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

fn str_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("&[{}]", quoted.join(", "))
}

fn opt_str(item: &Option<String>) -> String {
    match item {
        Some(s) => format!("Some({s:?})"),
        None => "None".to_string(),
    }
}

fn cipher_suites(out: &mut String) {
    let mut table = String::new();
    let mut consts = String::new();
    let mut seen_codes = HashSet::new();
    let mut seen_names = HashSet::new();
    let mut last_code = None;
    read_table(
        CIPHER_SUITES,
        &[
            "code",
            "iana_name",
            "openssl_name",
            "openssl_aliases",
            "kx",
            "auth",
            "enc",
            "enc_bits",
            "mode",
            "mac",
            "min_version",
            "max_version",
        ],
        |row| {
            let code = row.hex("code", 4);
            if !seen_codes.insert(code) {
                fail(row.file, row.line, &format!("duplicate code {code:#06x}"));
            }
            if last_code.is_some_and(|last| last > code) {
                fail(row.file, row.line, "rows must be sorted by code");
            }
            last_code = Some(code);
            let iana = row.name("iana_name");
            let openssl = row.optional_name("openssl_name");
            let aliases = row.name_list("openssl_aliases");
            // A TLS 1.3 suite's OpenSSL name is its IANA name: count each distinct name once.
            let mut names: Vec<String> = std::iter::once(&iana)
                .chain(openssl.iter())
                .chain(aliases.iter())
                .map(|name| name.to_ascii_lowercase())
                .collect();
            names.sort();
            names.dedup();
            for name in names {
                if !seen_names.insert(name.clone()) {
                    fail(row.file, row.line, &format!("name `{name}` is used twice"));
                }
            }
            let min = row.vocab("min_version", VERSION);
            let max = row.vocab("max_version", VERSION);
            let min_index = VERSION.iter().position(|(_, v)| *v == min);
            let max_index = VERSION.iter().position(|(_, v)| *v == max);
            if min_index > max_index {
                fail(row.file, row.line, "min_version is above max_version");
            }
            writeln!(
                table,
                "    CipherSuiteInfo {{ suite: CipherSuite({code:#06x}), iana_name: {iana:?}, openssl_name: {}, openssl_aliases: {}, kx: KeyExchange::{}, auth: Authentication::{}, enc: Encryption::{}, enc_bits: {}, mode: CipherMode::{}, mac: Mac::{}, min_version: ProtocolVersion::{min}, max_version: ProtocolVersion::{max} }},",
                opt_str(&openssl),
                str_list(&aliases),
                row.vocab("kx", KX),
                row.vocab("auth", AUTH),
                row.vocab("enc", ENC),
                row.number("enc_bits"),
                row.vocab("mode", MODE),
                row.vocab("mac", MAC),
            )
            .unwrap();
            writeln!(
                consts,
                "    #[doc = {:?}]\n    pub const {}: Self = Self({code:#06x});",
                format!("`{iana}` ({code:#06x})"),
                const_name(&iana)
            )
            .unwrap();
        },
    );
    writeln!(
        out,
        "/// Every cipher suite of the registry data file, sorted by code point."
    )
    .unwrap();
    writeln!(
        out,
        "pub(crate) static CIPHER_SUITE_TABLE: &[CipherSuiteInfo] = &[\n{table}];\n"
    )
    .unwrap();
    writeln!(
        out,
        "#[allow(missing_docs)]\nimpl CipherSuite {{\n{consts}}}\n"
    )
    .unwrap();
}

fn named_groups(out: &mut String) {
    let mut table = String::new();
    let mut consts = String::new();
    let mut seen_codes = HashSet::new();
    let mut seen_names = HashSet::new();
    read_table(
        NAMED_GROUPS,
        &["code", "iana_name", "aliases", "kind", "tls13"],
        |row| {
            let code = row.hex("code", 4);
            if !seen_codes.insert(code) {
                fail(row.file, row.line, &format!("duplicate code {code:#06x}"));
            }
            let iana = row.name("iana_name");
            let aliases = row.name_list("aliases");
            for name in std::iter::once(&iana).chain(aliases.iter()) {
                if !seen_names.insert(name.to_ascii_lowercase()) {
                    fail(row.file, row.line, &format!("name `{name}` is used twice"));
                }
            }
            writeln!(
                table,
                "    NamedGroupInfo {{ group: NamedGroup({code:#06x}), iana_name: {iana:?}, aliases: {}, kind: GroupKind::{}, tls13: {} }},",
                str_list(&aliases),
                row.vocab("kind", GROUP_KIND),
                row.vocab("tls13", BOOL),
            )
            .unwrap();
            writeln!(
                consts,
                "    #[doc = {:?}]\n    pub const {}: Self = Self({code:#06x});",
                format!("`{iana}` ({code:#06x})"),
                const_name(&iana)
            )
            .unwrap();
        },
    );
    writeln!(out, "/// Every named group of the registry data file.").unwrap();
    writeln!(
        out,
        "pub(crate) static NAMED_GROUP_TABLE: &[NamedGroupInfo] = &[\n{table}];\n"
    )
    .unwrap();
    writeln!(
        out,
        "#[allow(missing_docs)]\nimpl NamedGroup {{\n{consts}}}\n"
    )
    .unwrap();
}

fn sslv2_kinds(out: &mut String) {
    let mut table = String::new();
    let mut seen = HashSet::new();
    read_table(
        SSLV2_KINDS,
        &["code", "name", "openssl_name", "enc", "enc_bits", "export"],
        |row| {
            let code = row.hex("code", 6);
            if !seen.insert(code) {
                fail(row.file, row.line, &format!("duplicate code {code:#08x}"));
            }
            writeln!(
                table,
                "    Sslv2CipherKind {{ code: {code:#08x}, name: {:?}, openssl_name: {:?}, enc: Encryption::{}, enc_bits: {}, export: {} }},",
                row.name("name"),
                row.name("openssl_name"),
                row.vocab("enc", ENC),
                row.number("enc_bits"),
                row.vocab("export", BOOL),
            )
            .unwrap();
        },
    );
    writeln!(
        out,
        "/// The SSL 2.0 CIPHER-SPECs (3-byte codes), known by name only."
    )
    .unwrap();
    writeln!(
        out,
        "pub(crate) static SSLV2_TABLE: &[Sslv2CipherKind] = &[\n{table}];"
    )
    .unwrap();
}

/// Embeds every `policies/*.toml` as `(file name, contents)`, sorted by name.
fn catalogue_files(out_dir: &Path) {
    println!("cargo:rerun-if-changed={POLICIES_DIR}");
    let mut files: Vec<PathBuf> = fs::read_dir(POLICIES_DIR)
        .unwrap_or_else(|e| panic!("{POLICIES_DIR}: cannot read: {e}"))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    let mut code = String::from(
        "/// The built-in catalogue: `(file name, TOML text)` of every `policies/*.toml`.\npub(crate) static BUILTIN_FILES: &[(&str, &str)] = &[\n",
    );
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let absolute = fs::canonicalize(&path).unwrap();
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            absolute.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    fs::write(out_dir.join("catalogue_files.rs"), code).unwrap();
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let header = "// @generated by build.rs from src/tls/data/. Do not edit.\n\n";
    for (file, generate) in [
        ("cipher_suites.rs", cipher_suites as fn(&mut String)),
        ("named_groups.rs", named_groups),
        ("sslv2_cipher_kinds.rs", sslv2_kinds),
    ] {
        let mut code = String::from(header);
        generate(&mut code);
        fs::write(out_dir.join(file), code).unwrap();
    }
    catalogue_files(&out_dir);
}
