//! The server over a real socket with TLS (a certificate made for the test), and the
//! log-redaction check: every log line written during a full flow is searched for the
//! NIRs, names, passwords and tokens the flow used.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use common::*;
use guichet_service::DEMO_PASSWORD;
use guichet_store::{DossierFilter, prelude::*};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

async fn tls_flow(db: guichet_store::testing::TestDb, logs: &Captured) {
    let s = server(db, fast_config()).await;
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let dir = std::env::temp_dir().join(format!(
        "guichet-tls-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();

    let tls = guichet_server::tls::rustls_config(&cert_path, &key_path)
        .await
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let app = s
        .app
        .clone()
        .into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move {
        axum_server::from_tcp_rustls(listener, tls)
            .unwrap()
            .serve(app)
            .await
    });

    let client = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap()])
        .build()
        .unwrap();
    let base = format!("https://localhost:{}", addr.port());
    let signed: serde_json::Value = client
        .post(format!("{base}/api/v1/sessions"))
        .json(&serde_json::json!({"identifiant": "demo.creche", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = signed["token"].as_str().unwrap().to_owned();
    let r = client
        .put(format!("{base}/api/v1/sessions/current/password"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"current_password": DEMO_PASSWORD, "new_password": NEW_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let files =
        s.db.store
            .dossiers(
                &DossierFilter {
                    caisse: Some("MSA-ALSACE".into()),
                    ..Default::default()
                },
                None,
                50,
            )
            .await
            .unwrap();
    let mut secrets = vec![
        DEMO_PASSWORD.to_owned(),
        NEW_PASSWORD.to_owned(),
        token.clone(),
    ];
    for d in files.iter().take(10) {
        let r = client
            .post(format!("{base}/api/v1/lookups"))
            .bearer_auth(&token)
            .header("request-id", "flow-1")
            .json(&serde_json::json!({"service": "psu", "nir": d.nir.grouped(), "name": d.contact.birth_name}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        assert!(body["outcome"].is_string());
        secrets.push(d.nir.expose().to_owned());
        secrets.push(d.contact.birth_name.clone());
    }
    // Malformed input too: its text must not reach the logs either.
    let r = client
        .post(format!("{base}/api/v1/lookups"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"service": "psu", "nir": "2 99 13 99 999 999 55", "name": "Zébulon-Malformé42"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    secrets.push("2 99 13 99 999 999 55".into());
    secrets.push("Zébulon-Malformé42".into());

    // Plain HTTP on the TLS port is refused.
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{}/health", addr.port()))
        .send()
        .await;
    assert!(plain.map(|r| !r.status().is_success()).unwrap_or(true));
    server.abort();
    let _ = std::fs::remove_dir_all(&dir);

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("/api/v1/lookups"),
        "the request log was captured"
    );
    for secret in &secrets {
        assert!(
            !text.contains(secret.as_str()),
            "a secret or personal datum reached the logs"
        );
    }
}

fn rand_suffix() -> u32 {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// One test binary, one global subscriber at TRACE level (sqlx and hyper included).
#[test]
fn r29_tls_socket_and_logs_hold_no_personal_data() {
    guichet_server::tls::install_crypto_provider();
    let logs = Captured::default();
    tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .init();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        tls_flow(guichet_store::testing::sqlite().await, &logs).await;
        tls_flow(guichet_store::testing::postgres().await, &logs).await;
    });
}
