//! TLS from PEM files (rustls, ring). Plain HTTP is allowed only on loopback.

use std::net::SocketAddr;
use std::path::Path;

use axum_server::tls_rustls::RustlsConfig;

/// refuses plain HTTP on anything but a loopback address.
pub fn check_plain_http_allowed(addr: &SocketAddr) -> Result<(), String> {
    if addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(format!(
            "HTTP sans TLS refusé sur {addr} : seules les adresses de bouclage (127.0.0.1, ::1) \
             l'acceptent. Donnez --tls-cert et --tls-key."
        ))
    }
}

pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub async fn rustls_config(cert: &Path, key: &Path) -> Result<RustlsConfig, String> {
    install_crypto_provider();
    RustlsConfig::from_pem_file(cert, key)
        .await
        .map_err(|e| format!("certificat ou clé TLS illisible : {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r29_plain_http_only_on_loopback() {
        assert!(check_plain_http_allowed(&"127.0.0.1:8080".parse().unwrap()).is_ok());
        assert!(check_plain_http_allowed(&"[::1]:8080".parse().unwrap()).is_ok());
        assert!(check_plain_http_allowed(&"0.0.0.0:8080".parse().unwrap()).is_err());
        assert!(check_plain_http_allowed(&"192.0.2.4:443".parse().unwrap()).is_err());
    }
}
