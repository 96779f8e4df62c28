//! The caisse's trace keys (R-19), held outside the database: the current key, which keys
//! the NIR digests and the trace chain from now on, and the retired ones, each with the
//! last sequence number it keyed, so that the whole chain still verifies after a rotation.
//!
//! File format (the server's `trace_key_file`), one key per line, `#` comments:
//!
//! ```text
//! 3f1c…(hex, 32 bytes)          the current key
//! retired 9ab0…(hex) 18342      a retired key and the last trace it keyed
//! ```

use guichet_core::trace::ChainKey;
use rand::RngCore;
use zeroize::Zeroizing;

/// Shortest key accepted (bytes).
const MIN_KEY_BYTES: usize = 16;

#[derive(Clone)]
pub struct TraceKeys {
    current: Zeroizing<Vec<u8>>,
    /// By increasing `last_seq`.
    retired: Vec<(i64, Zeroizing<Vec<u8>>)>,
}

impl std::fmt::Debug for TraceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceKeys")
            .field("retired", &self.retired.len())
            .finish_non_exhaustive()
    }
}

fn decode(hex_key: &str) -> Result<Zeroizing<Vec<u8>>, String> {
    let key = Zeroizing::new(
        hex::decode(hex_key).map_err(|_| "clé de traces : hexadécimal attendu".to_owned())?,
    );
    if key.len() < MIN_KEY_BYTES {
        return Err(format!("clé de traces : {MIN_KEY_BYTES} octets au moins"));
    }
    Ok(key)
}

impl TraceKeys {
    /// A single current key, no history.
    pub fn new(current: Zeroizing<Vec<u8>>) -> Self {
        TraceKeys {
            current,
            retired: Vec::new(),
        }
    }

    /// A new random 32-byte key.
    pub fn generate() -> Self {
        let mut key = Zeroizing::new(vec![0u8; 32]);
        rand::rng().fill_bytes(&mut key);
        TraceKeys::new(key)
    }

    /// Parses a key file (see the module's documentation). French message on failure.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut current = None;
        let mut retired: Vec<(i64, Zeroizing<Vec<u8>>)> = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [key] if current.is_none() => current = Some(decode(key)?),
                ["retired", key, last_seq] => {
                    let last_seq: i64 = last_seq.parse().map_err(|_| {
                        "clé de traces retirée : numéro de trace attendu".to_owned()
                    })?;
                    if retired.last().is_some_and(|(s, _)| *s >= last_seq) {
                        return Err("clés de traces retirées : numéros croissants attendus".into());
                    }
                    retired.push((last_seq, decode(key)?));
                }
                _ => {
                    return Err(
                        "fichier de clé de traces : une clé (hexadécimal) attendue, puis des lignes « retired CLÉ NUMÉRO »"
                            .into(),
                    );
                }
            }
        }
        let current = current.ok_or("fichier de clé de traces vide")?;
        Ok(TraceKeys { current, retired })
    }

    /// The file's text for these keys.
    pub fn to_file_text(&self) -> Zeroizing<String> {
        let mut text = Zeroizing::new(String::from(
            "# Clé de traces de Guichet (R-19) : à garder hors de la base, en mode 0600.\n",
        ));
        text.push_str(&hex::encode(self.current.as_slice()));
        text.push('\n');
        for (last_seq, key) in &self.retired {
            text.push_str(&format!(
                "retired {} {last_seq}\n",
                hex::encode(key.as_slice())
            ));
        }
        text
    }

    /// These keys after a rotation: `next` becomes current, the current one is retired
    /// after trace `last_seq` (the last it keyed).
    pub fn rotated(&self, next: TraceKeys, last_seq: i64) -> TraceKeys {
        let mut retired = self.retired.clone();
        retired.push((last_seq, self.current.clone()));
        TraceKeys {
            current: next.current,
            retired,
        }
    }

    /// The key of NIR digests from now on.
    pub(crate) fn current(&self) -> &[u8] {
        &self.current
    }

    /// The chain keys: `(last_seq, key)` of each retired key, in order, then the current
    /// key (`None`: no end).
    pub(crate) fn chain_keys(&self) -> Vec<(Option<i64>, ChainKey)> {
        self.retired
            .iter()
            .map(|(s, k)| (Some(*s), ChainKey::derive(k)))
            .chain([(None, ChainKey::derive(&self.current))])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_parse_and_round_trip() {
        let keys = TraceKeys::parse(&format!("# c\n\n{}\n", "ab".repeat(32))).unwrap();
        assert_eq!(keys.current(), [0xab; 32]);
        let rotated = keys.rotated(TraceKeys::generate(), 41);
        let again = TraceKeys::parse(&rotated.to_file_text()).unwrap();
        assert_eq!(again.retired.len(), 1);
        assert_eq!(again.retired[0].0, 41);
        assert_eq!(again.current(), rotated.current());
        assert_eq!(again.chain_keys().len(), 2);
        assert!(!format!("{again:?}").contains("ab"));
    }

    #[test]
    fn bad_key_files_are_refused_in_french() {
        for bad in [
            "",
            "zz",
            "abcd",
            &format!("{0}\n{0}\n", "ab".repeat(32)),
            &format!("{0}\nretired {0} x\n", "ab".repeat(32)),
            &format!("{0}\nretired {0} 9\nretired {0} 3\n", "ab".repeat(32)),
        ] {
            assert!(TraceKeys::parse(bad).is_err(), "{bad:?}");
        }
    }
}
