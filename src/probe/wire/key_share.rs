//! Plausible key shares for TLS 1.3 probes.
//!
//! A server computes its shared secret before it sends ServerHello, so a share must be a valid
//! public value of the right length or the server answers with an alert instead. The elliptic-curve
//! values below are real public keys (generated once with `openssl genpkey`; their private halves
//! were thrown away), the ML-KEM keys are well-formed encapsulation keys (every coefficient below
//! q = 3329) filled from a fixed pseudo-random stream, and the FFDHE value is the generator 2,
//! which lies in the prime-order subgroup of every RFC 7919 group. The handshake is abandoned
//! after ServerHello, so nobody ever needs the private keys.

use super::extension::KeyShareEntry;
use crate::tls::NamedGroup;

/// Decodes a hex string at compile time; an invalid string fails the build.
const fn hex<const N: usize>(text: &str) -> [u8; N] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a lowercase hex digit"),
        }
    }
    let text = text.as_bytes();
    assert!(text.len() == 2 * N, "hex string has the wrong length");
    let mut out = [0; N];
    let mut i = 0;
    while i < N {
        out[i] = nibble(text[2 * i]) << 4 | nibble(text[2 * i + 1]);
        i += 1;
    }
    out
}

const X25519: [u8; 32] = hex("78cb46fd93b7255bd8dcb9a3da973bdcb7e9cd91c608d1846108f502a7be543a");
const X448: [u8; 56] = hex(concat!(
    "4f974187ddef6d090ecea13db87fc91305fef30214ade0f8ff2eec0825c6ab23",
    "0ef6c61e7ecd1b274ddc8ea442df1c17b5b5b1e63912eee9",
));
const P256: [u8; 65] = hex(concat!(
    "04dfb06372bdcbf6d6bdef9bd4358ae3516654272c4d6eaf61761b81465cffb680",
    "b3f77d3550a5bd786c348ac5cbf73ef465275f59a14c7c0ab971b2b7d1b5b0c2",
));
const P384: [u8; 97] = hex(concat!(
    "0489ce176256f4a5fbfa365b611b8d5d0fa17ef1f2d32e157fda3f43ea3c80bf29e74be6f59348c8034e0ac0",
    "315a65687f21e15965d3a256774ee26c53f2057b28482e04b5dbd4bbc88fc3284e51c6436e4fe2e58965a948",
    "84bdfa3b4657c7211c",
));
const P521: [u8; 133] = hex(concat!(
    "0401e0ff2535ad103f49700275d1d174fa6b47e001859ae52b244f62192b0779299658241cdbdeccd9a862f0",
    "19b41f21834efc40b1e818a965a9a36c1ca60977fe59a001694bf48567895b28b77cbaa3e06f6cdada4202d3",
    "1d92513b3b714869f425a7617d7c89454136cce720c6472ad8a07c28b0d7bbc8532e65765e8428376293803c",
    "fe",
));
const BRAINPOOL256: [u8; 65] = hex(concat!(
    "0470a41a7bf44442ed26c483d0b69a2400ac39f4b89bd723f77be96667e9655f56",
    "007496724fcc004067e6c225f59286c2cf3d29be5f4723ad98801601dda50dd9",
));
const BRAINPOOL384: [u8; 97] = hex(concat!(
    "0475bec59b8fa040684e1d692aa3faf63f5b9ff082d2f83c471ab06c5aa4f722f66c948818be8af7c4a0c42d",
    "38c9b2947f3a7677af5ff6822a02202b9398ef1bce8c57452528874956dba1aba3d42ca0fc6ef6af4264b9e5",
    "4e286d62e93aaa7a29",
));
const BRAINPOOL512: [u8; 129] = hex(concat!(
    "0494eedc00c9047539aa7b6953266b9d3c9bc98b53d6a41a03ac09ca9c8e30a415af7a9a1893ecbd5485ed2f",
    "0560f7c095bd0379c62568b6fb2cb338c7741b4c3838a3a59dcb23a4363521c9f8cc6d5f6aed945352fc4152",
    "593fc12e50a8a4373f559d5609dfe6cf91b96b0d5c9a054a7b22d4ffb54b2539531ee6d8816bf74a9a",
));
const SM2: [u8; 65] = hex(concat!(
    "043694a30fd17628449c7ec659dc7e00711b581cda440bf4c6dbb0e604a0e12f79",
    "f85e586da399568e68bb724fa021a29decaac6a2241a5857aa1b9b469f16b43c",
));

/// A well-formed ML-KEM (or Kyber round 3) encapsulation key of rank `k`: `ByteEncode12` of
/// `k × 256` coefficients below 3329, then a 32-byte seed. Servers run the FIPS 203 modulus check
/// on it, which this passes.
fn mlkem_encapsulation_key(k: usize, seed: u64) -> Vec<u8> {
    const Q: u64 = 3329;
    let mut state = seed | 1;
    let mut next = move || {
        // xorshift64: a fixed, reproducible stream; the values only need to look random.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut key = Vec::with_capacity(384 * k + 32);
    for _ in 0..k * 128 {
        let a = next() % Q;
        let b = next() % Q;
        // Two 12-bit coefficients packed little-endian into three bytes.
        let packed = a | b << 12;
        key.extend_from_slice(&packed.to_le_bytes()[..3]);
    }
    key.extend((0..32).map(|_| next().to_le_bytes()[0]));
    key
}

/// An FFDHE public value: the generator 2, left-padded to the length of the group's prime.
fn ffdhe_public(bytes: usize) -> Vec<u8> {
    let mut value = vec![0; bytes];
    value[bytes - 1] = 2;
    value
}

fn concat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// A key share of the right length and a valid form for `group`, or `None` when this program
/// cannot make one (binary curves, GOST, unknown code points).
pub fn plausible_key_share(group: NamedGroup) -> Option<KeyShareEntry> {
    let seed = 0x656c_6274_6c73_0000 | u64::from(group.0);
    let key_exchange = match group {
        NamedGroup::X25519 => X25519.to_vec(),
        NamedGroup::X448 => X448.to_vec(),
        NamedGroup::SECP256R1 => P256.to_vec(),
        NamedGroup::SECP384R1 => P384.to_vec(),
        NamedGroup::SECP521R1 => P521.to_vec(),
        NamedGroup::BRAINPOOLP256R1 | NamedGroup::BRAINPOOLP256R1TLS13 => BRAINPOOL256.to_vec(),
        NamedGroup::BRAINPOOLP384R1 | NamedGroup::BRAINPOOLP384R1TLS13 => BRAINPOOL384.to_vec(),
        NamedGroup::BRAINPOOLP512R1 | NamedGroup::BRAINPOOLP512R1TLS13 => BRAINPOOL512.to_vec(),
        NamedGroup::CURVESM2 => SM2.to_vec(),
        NamedGroup::FFDHE2048 => ffdhe_public(256),
        NamedGroup::FFDHE3072 => ffdhe_public(384),
        NamedGroup::FFDHE4096 => ffdhe_public(512),
        NamedGroup::FFDHE6144 => ffdhe_public(768),
        NamedGroup::FFDHE8192 => ffdhe_public(1024),
        NamedGroup::MLKEM512 => mlkem_encapsulation_key(2, seed),
        NamedGroup::MLKEM768 => mlkem_encapsulation_key(3, seed),
        NamedGroup::MLKEM1024 => mlkem_encapsulation_key(4, seed),
        // draft-ietf-tls-ecdhe-mlkem: the ML-KEM key comes first only for X25519MLKEM768.
        NamedGroup::X25519MLKEM768 => concat(&[&mlkem_encapsulation_key(3, seed), &X25519]),
        NamedGroup::SECP256R1MLKEM768 => concat(&[&P256, &mlkem_encapsulation_key(3, seed)]),
        NamedGroup::SECP384R1MLKEM1024 => concat(&[&P384, &mlkem_encapsulation_key(4, seed)]),
        NamedGroup::CURVESM2MLKEM768 => concat(&[&SM2, &mlkem_encapsulation_key(3, seed)]),
        NamedGroup::X25519KYBER768DRAFT00 => concat(&[&X25519, &mlkem_encapsulation_key(3, seed)]),
        NamedGroup::SECP256R1KYBER768DRAFT00 => concat(&[&P256, &mlkem_encapsulation_key(3, seed)]),
        _ => return None,
    };
    Some(KeyShareEntry {
        group,
        key_exchange,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share_len(group: NamedGroup) -> usize {
        plausible_key_share(group).unwrap().key_exchange.len()
    }

    #[test]
    fn key_shares_have_the_lengths_servers_expect() {
        assert_eq!(share_len(NamedGroup::X25519), 32);
        assert_eq!(share_len(NamedGroup::X448), 56);
        assert_eq!(share_len(NamedGroup::SECP256R1), 65);
        assert_eq!(share_len(NamedGroup::SECP384R1), 97);
        assert_eq!(share_len(NamedGroup::SECP521R1), 133);
        assert_eq!(share_len(NamedGroup::FFDHE2048), 256);
        assert_eq!(share_len(NamedGroup::MLKEM768), 1184);
        assert_eq!(share_len(NamedGroup::X25519MLKEM768), 1216);
        assert_eq!(share_len(NamedGroup::SECP256R1MLKEM768), 1249);
        assert_eq!(share_len(NamedGroup::SECP384R1MLKEM1024), 1665);
        assert_eq!(plausible_key_share(NamedGroup::SECT163K1), None);
        assert_eq!(plausible_key_share(NamedGroup(0x2a2a)), None);
    }

    #[test]
    fn ec_shares_are_uncompressed_points() {
        for group in [
            NamedGroup::SECP256R1,
            NamedGroup::SECP384R1,
            NamedGroup::SECP521R1,
            NamedGroup::BRAINPOOLP256R1TLS13,
        ] {
            assert_eq!(plausible_key_share(group).unwrap().key_exchange[0], 4);
        }
    }

    #[test]
    fn mlkem_keys_pass_the_modulus_check() {
        let key = mlkem_encapsulation_key(3, 42);
        for chunk in key[..1152].chunks(3) {
            let a = u16::from(chunk[0]) | u16::from(chunk[1] & 0x0f) << 8;
            let b = u16::from(chunk[1]) >> 4 | u16::from(chunk[2]) << 4;
            assert!(a < 3329 && b < 3329);
        }
        // The stream is fixed: the same group always gets the same key.
        assert_eq!(mlkem_encapsulation_key(3, 42), key);
    }
}
