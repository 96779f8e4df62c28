//! Driving the real window through tauri-driver (scripts/e2e.sh starts it): fields are
//! found by their accessible labels, buttons by their text (DESIGN.md "Desktop app").

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

fn driver_url() -> String {
    std::env::var("TAURI_DRIVER_URL").unwrap_or_else(|_| "http://127.0.0.1:4444".into())
}

/// Where screenshots go: `target/e2e/`.
pub fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts `binary` with `args` (data folder, policy…) in a new WebDriver session.
pub async fn launch(binary: &str, args: &[&str]) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), "wry".into());
    caps.insert(
        "tauri:options".into(),
        serde_json::json!({"application": binary, "args": args}),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver_url())
        .await
        .expect("tauri-driver answers (scripts/e2e.sh starts it)")
}

/// Polls until `locator` finds a displayed element, or fails with a screenshot.
#[allow(clippy::disallowed_methods)] // a time-out on the real clock: only a duration
pub async fn wait_for(client: &Client, locator: Locator<'_>, timeout: Duration) -> Element {
    let start = Instant::now();
    loop {
        if let Ok(e) = client.find(locator).await
            && e.is_displayed().await.unwrap_or(false)
        {
            return e;
        }
        if start.elapsed() > timeout {
            let shot = client.screenshot().await.unwrap_or_default();
            std::fs::write(screenshots().join("failure.png"), shot).unwrap();
            // What the screen said, for a CI log that keeps no file (synthetic data only).
            let text = try_page_text(client)
                .await
                .unwrap_or_else(|e| format!("(no text: {e})"));
            let url = client.current_url().await.map(|u| u.to_string());
            panic!(
                "{locator:?} not shown after {timeout:?} (target/e2e/failure.png)\n\
                 page {url:?} reads:\n{}",
                text.chars().take(2_000).collect::<String>()
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Polls until `locator` finds nothing displayed (a dialog closed), or fails.
#[allow(clippy::disallowed_methods)] // a time-out on the real clock: only a duration
pub async fn wait_gone(client: &Client, locator: Locator<'_>, timeout: Duration) {
    let start = Instant::now();
    loop {
        let shown = match client.find(locator).await {
            Ok(e) => e.is_displayed().await.unwrap_or(false),
            Err(_) => false,
        };
        if !shown {
            return;
        }
        assert!(
            start.elapsed() <= timeout,
            "{locator:?} still shown after {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The text the page shows.
pub async fn try_page_text(client: &Client) -> Result<String, fantoccini::error::CmdError> {
    client.find(Locator::Css("body")).await?.text().await
}

/// The form field whose `<label>` reads `label`.
pub async fn field(client: &Client, label: &str) -> Element {
    let xpath = format!("//*[@id=(//label[normalize-space()=\"{label}\"])[1]/@for]");
    wait_for(client, Locator::XPath(&xpath), Duration::from_secs(30)).await
}

pub async fn button(client: &Client, text: &str, timeout: Duration) -> Element {
    let xpath = format!("//button[normalize-space()=\"{text}\"]");
    wait_for(client, Locator::XPath(&xpath), timeout).await
}

pub async fn click(client: &Client, text: &str) {
    button(client, text, Duration::from_secs(30))
        .await
        .click()
        .await
        .unwrap();
}

pub async fn type_into(client: &Client, label: &str, text: &str) {
    let f = field(client, label).await;
    f.clear().await.unwrap();
    f.send_keys(text).await.unwrap();
}
