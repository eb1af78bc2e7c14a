//! TLS for the HTTP client: rustls with the ring provider, trusting Mozilla's roots
//! (`webpki-roots`, compiled in) plus the PEM bundle named by `SSL_CERT_FILE`, if any.
//!
//! Why these: ring builds with the C compiler alone, where aws-lc-rs (rustls' default) wants
//! cmake; compiled-in roots give every machine, container and CI runner the same trust whether
//! or not it has a system certificate store, and `SSL_CERT_FILE` covers private CAs and
//! inspecting proxies, as it does for uv, pip and curl.

use std::sync::Arc;

/// The rustls client configuration.
pub fn config() -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty()) {
        use rustls_pki_types::pem::PemObject;
        let shown = std::path::Path::new(&path).display().to_string();
        let certs = rustls_pki_types::CertificateDer::pem_file_iter(&path)
            .map_err(|e| format!("SSL_CERT_FILE {shown}: {e}"))?;
        let mut added = 0;
        for cert in certs {
            let cert = cert.map_err(|e| format!("SSL_CERT_FILE {shown}: {e}"))?;
            roots
                .add(cert)
                .map_err(|e| format!("SSL_CERT_FILE {shown}: {e}"))?;
            added += 1;
        }
        if added == 0 {
            return Err(format!("SSL_CERT_FILE {shown}: no PEM certificate in it"));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}
