//! Alerts: how a server says no (`handshake_failure`, `protocol_version`, …).

use std::fmt;

use super::codec::{Codec, DecodeError, Reader};

open_code! {
    /// The level of an alert. Open: a server may send anything.
    AlertLevel(u8) {
        /// `warning` (1).
        WARNING = 1 => "warning",
        /// `fatal` (2).
        FATAL = 2 => "fatal",
    }
}

open_code! {
    /// An alert description (IANA "TLS Alerts"). Open: unknown values survive.
    AlertDescription(u8) {
        /// `close_notify` (0).
        CLOSE_NOTIFY = 0 => "close_notify",
        /// `unexpected_message` (10).
        UNEXPECTED_MESSAGE = 10 => "unexpected_message",
        /// `bad_record_mac` (20).
        BAD_RECORD_MAC = 20 => "bad_record_mac",
        /// `decryption_failed` (21, SSL 3.0 / TLS 1.0).
        DECRYPTION_FAILED = 21 => "decryption_failed",
        /// `record_overflow` (22).
        RECORD_OVERFLOW = 22 => "record_overflow",
        /// `decompression_failure` (30).
        DECOMPRESSION_FAILURE = 30 => "decompression_failure",
        /// `handshake_failure` (40): usually "no cipher suite or group in common".
        HANDSHAKE_FAILURE = 40 => "handshake_failure",
        /// `no_certificate` (41, SSL 3.0).
        NO_CERTIFICATE = 41 => "no_certificate",
        /// `bad_certificate` (42).
        BAD_CERTIFICATE = 42 => "bad_certificate",
        /// `unsupported_certificate` (43).
        UNSUPPORTED_CERTIFICATE = 43 => "unsupported_certificate",
        /// `certificate_revoked` (44).
        CERTIFICATE_REVOKED = 44 => "certificate_revoked",
        /// `certificate_expired` (45).
        CERTIFICATE_EXPIRED = 45 => "certificate_expired",
        /// `certificate_unknown` (46).
        CERTIFICATE_UNKNOWN = 46 => "certificate_unknown",
        /// `illegal_parameter` (47).
        ILLEGAL_PARAMETER = 47 => "illegal_parameter",
        /// `unknown_ca` (48).
        UNKNOWN_CA = 48 => "unknown_ca",
        /// `access_denied` (49).
        ACCESS_DENIED = 49 => "access_denied",
        /// `decode_error` (50).
        DECODE_ERROR = 50 => "decode_error",
        /// `decrypt_error` (51).
        DECRYPT_ERROR = 51 => "decrypt_error",
        /// `export_restriction` (60, TLS 1.0).
        EXPORT_RESTRICTION = 60 => "export_restriction",
        /// `protocol_version` (70): the offered version is not accepted.
        PROTOCOL_VERSION = 70 => "protocol_version",
        /// `insufficient_security` (71): the offered suites are all too weak for the server.
        INSUFFICIENT_SECURITY = 71 => "insufficient_security",
        /// `internal_error` (80).
        INTERNAL_ERROR = 80 => "internal_error",
        /// `inappropriate_fallback` (86, RFC 7507).
        INAPPROPRIATE_FALLBACK = 86 => "inappropriate_fallback",
        /// `user_canceled` (90).
        USER_CANCELED = 90 => "user_canceled",
        /// `no_renegotiation` (100).
        NO_RENEGOTIATION = 100 => "no_renegotiation",
        /// `missing_extension` (109).
        MISSING_EXTENSION = 109 => "missing_extension",
        /// `unsupported_extension` (110).
        UNSUPPORTED_EXTENSION = 110 => "unsupported_extension",
        /// `certificate_unobtainable` (111).
        CERTIFICATE_UNOBTAINABLE = 111 => "certificate_unobtainable",
        /// `unrecognized_name` (112): the server has no certificate for the SNI name.
        UNRECOGNIZED_NAME = 112 => "unrecognized_name",
        /// `bad_certificate_status_response` (113).
        BAD_CERTIFICATE_STATUS_RESPONSE = 113 => "bad_certificate_status_response",
        /// `bad_certificate_hash_value` (114).
        BAD_CERTIFICATE_HASH_VALUE = 114 => "bad_certificate_hash_value",
        /// `unknown_psk_identity` (115).
        UNKNOWN_PSK_IDENTITY = 115 => "unknown_psk_identity",
        /// `certificate_required` (116).
        CERTIFICATE_REQUIRED = 116 => "certificate_required",
        /// `general_error` (117).
        GENERAL_ERROR = 117 => "general_error",
        /// `no_application_protocol` (120).
        NO_APPLICATION_PROTOCOL = 120 => "no_application_protocol",
        /// `ech_required` (121).
        ECH_REQUIRED = 121 => "ech_required",
    }
}

/// An alert record's content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Alert {
    /// `warning` or `fatal`.
    pub level: AlertLevel,
    /// What went wrong.
    pub description: AlertDescription,
}

impl Alert {
    /// Whether the server meant to end the connection.
    pub fn is_fatal(self) -> bool {
        self.level == AlertLevel::FATAL
    }
}

impl fmt::Display for Alert {
    /// `fatal handshake_failure (40)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({})",
            self.level, self.description, self.description.0
        )
    }
}

impl Codec for Alert {
    fn encode(&self, out: &mut Vec<u8>) {
        self.level.encode(out);
        self.description.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            level: AlertLevel(r.u8("Alert.level")?),
            description: AlertDescription(r.u8("Alert.description")?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_common_alerts_and_keeps_unknown_ones() {
        let alert = Alert::read_exact(&[2, 40], "Alert").unwrap();
        assert!(alert.is_fatal());
        assert_eq!(alert.to_string(), "fatal handshake_failure (40)");
        assert_eq!(
            AlertDescription::PROTOCOL_VERSION.name(),
            Some("protocol_version")
        );
        assert_eq!(AlertDescription(71).to_string(), "insufficient_security");
        assert_eq!(AlertDescription(112).to_string(), "unrecognized_name");
        let odd = Alert::read_exact(&[7, 222], "Alert").unwrap();
        assert_eq!(odd.to_string(), "0x07 0xde (222)");
        assert_eq!(odd.to_bytes(), [7, 222]);
    }
}
