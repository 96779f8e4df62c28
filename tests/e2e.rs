//! End-to-end tests of the real app window (TESTING.md): the `guichet` binary driven through
//! tauri-driver and WebKitWebDriver under Xvfb, with a real Secret Service keychain, on the
//! bundled backend and against a guichet-server on loopback TLS.
//!
//! Not part of the plain `cargo test` run (`test = false`): `scripts/e2e.sh` starts the
//! D-Bus session, the keyring, Xvfb and tauri-driver, then runs this target. Fields are
//! found by their accessible labels (DESIGN.md "Desktop app").
// The real app runs on the wall clock: these tests wait and measure on it too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::{Client, Locator};
use guichet_core::LookupOutcome;
use guichet_core::dossier::Dossier;
use guichet_core::nir::Nir;
use guichet_service::{DEMO_PASSWORD, SystemClock};
use guichet_store::Store;
use guichet_tests::window::{
    self, button, click, field, screenshots, try_page_text, type_into, wait_for, wait_gone,
};
use guichet_tests::*;

const DEMO_PROFILE: &str = "Démonstration (données fictives)";
const REMOTE_PROFILE: &str = "Recette locale";
/// Small enough to seed in a few seconds in a debug build.
const DEMO_FILES: &str = "3000";

/// Starts the app with these arguments (data folder, policy) and waits for the sign-in screen.
async fn launch(args: &[&str]) -> Client {
    let client = window::launch(&guichet_tests::guichet_bin(), args).await;
    button(&client, "Se connecter", Duration::from_secs(30)).await;
    client
}

/// What the X clipboard holds (`xclip -selection clipboard -o [ARGS]`); `None` when it is
/// empty or has no owner.
fn x_clipboard(args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("timeout")
        .args(["10", "xclip", "-selection", "clipboard", "-o"])
        .args(args)
        .output()
        .expect("xclip runs (scripts/deps.sh installs it)");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The process id of the running app (single instance: exactly one).
fn app_pid() -> u32 {
    let ours = std::fs::canonicalize(guichet_tests::guichet_bin()).unwrap();
    let pids: Vec<u32> = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .filter(|pid: &u32| {
            std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == ours)
        })
        .collect();
    assert_eq!(pids.len(), 1, "one `guichet` process: {pids:?}");
    pids[0]
}

/// the running app has core dumps off (soft and hard limits both 0).
fn assert_no_core_dumps() {
    let pid = app_pid();
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields[4..6], ["0", "0"], "{line}");
}

async fn shot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
}

async fn page_text(client: &Client) -> String {
    try_page_text(client).await.unwrap()
}

/// Signs in with the temporary password and makes the forced change.
async fn sign_in_and_change(client: &Client, identifiant: &str, remember_password: bool) {
    sign_in_and_change_to(client, identifiant, remember_password).await;
    field(client, "NIR").await;
}

/// The same, up to the change; the caller waits for the screen it expects next.
async fn sign_in_and_change_to(client: &Client, identifiant: &str, remember_password: bool) {
    type_into(client, "Identifiant", identifiant).await;
    type_into(client, "Mot de passe", DEMO_PASSWORD).await;
    if remember_password {
        let xpath = "//label[contains(., 'Mémoriser le mot de passe')]/input";
        wait_for(client, Locator::XPath(xpath), Duration::from_secs(5))
            .await
            .click()
            .await
            .unwrap();
    }
    button(client, "Se connecter", Duration::from_secs(5))
        .await
        .click()
        .await
        .unwrap();
    // The first start of the bundled backend seeds its database first.
    field(client, "Nouveau mot de passe").await;
    shot(client, "02-changement-mot-de-passe").await;
    type_into(client, "Mot de passe actuel", DEMO_PASSWORD).await;
    type_into(client, "Nouveau mot de passe", "court").await;
    // R-12 shown live while typing.
    let rules = wait_for(client, Locator::Css("#rules li"), Duration::from_secs(5)).await;
    assert!(!rules.text().await.unwrap().is_empty());
    type_into(client, "Nouveau mot de passe", NEW_PASSWORD).await;
    wait_for(client, Locator::Css("#rules p.ok"), Duration::from_secs(5)).await;
    type_into(client, "Confirmer le mot de passe", NEW_PASSWORD).await;
    button(client, "Changer le mot de passe", Duration::from_secs(5))
        .await
        .click()
        .await
        .unwrap();
}

/// Types a lookup and returns the result's title.
async fn lookup(client: &Client, nir: &str, name: &str) -> String {
    // "Effacer" empties the form and the previous answer.
    button(client, "Effacer", Duration::from_secs(5))
        .await
        .click()
        .await
        .unwrap();
    assert!(client.find(Locator::Id("result-title")).await.is_err());
    type_into(client, "NIR", nir).await;
    type_into(client, "Nom de famille", name).await;
    button(client, "Rechercher", Duration::from_secs(5))
        .await
        .click()
        .await
        .unwrap();
    wait_for(client, Locator::Id("result-title"), Duration::from_secs(20))
        .await
        .text()
        .await
        .unwrap()
}

struct Samples {
    found: Dossier,
    opposition: Dossier,
    out_of_scope: Dossier,
    unknown: Nir,
}

async fn samples(store: &Store) -> Samples {
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive();
    Samples {
        found: file(
            store,
            "CAF-78",
            None,
            "cdap-t2",
            LookupOutcome::Found,
            today,
        )
        .await,
        opposition: file(
            store,
            "CAF-78",
            None,
            "cdap-t2",
            LookupOutcome::Opposition,
            today,
        )
        .await,
        out_of_scope: file(
            store,
            "MSA-ALSACE",
            None,
            "cdap-t2",
            LookupOutcome::Found,
            today,
        )
        .await,
        unknown: Nir::with_computed_key("1990199999999").unwrap(),
    }
}

/// The four answers a partner meets, with demo.caf (CAF-78, open around the clock).
async fn lookups(client: &Client, s: &Samples) {
    let title = lookup(client, &s.found.nir.grouped(), &s.found.contact.birth_name).await;
    assert_eq!(title, "Dossier trouvé");
    // The file: its NIR grouped, one tab per section of the service.
    let nir = wait_for(
        client,
        Locator::Css(".dossier .nir"),
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(nir.text().await.unwrap(), s.found.nir.grouped());
    let tabs = client.find_all(Locator::Css("[role=tab]")).await.unwrap();
    assert!(!tabs.is_empty());
    shot(client, "03-dossier").await;
    // the copied NIR is marked so that clipboard managers keep it out of their history.
    click_for_status(client, "Copier le NIR", "NIR copié", Duration::from_secs(5)).await;
    let targets = x_clipboard(&["-t", "TARGETS"]).unwrap_or_default();
    assert!(
        targets.lines().any(|t| t == "x-kde-passwordManagerHint"),
        "clipboard targets: {targets}"
    );
    assert_eq!(x_clipboard(&[]).as_deref(), Some(s.found.nir.expose()));
    let title = lookup(client, s.unknown.expose(), "Martin").await;
    assert_eq!(title, "Aucun dossier");
    assert!(
        page_text(client)
            .await
            .contains("Aucun dossier ne correspond")
    );
    let title = lookup(
        client,
        s.opposition.nir.expose(),
        &s.opposition.contact.birth_name,
    )
    .await;
    assert_eq!(title, "Consultation refusée");
    let title = lookup(
        client,
        s.out_of_scope.nir.expose(),
        &s.out_of_scope.contact.birth_name,
    )
    .await;
    assert_eq!(title, "Hors de votre territoire");
    // A malformed NIR is said as it is typed, in French, before any search.
    button(client, "Effacer", Duration::from_secs(5))
        .await
        .click()
        .await
        .unwrap();
    type_into(client, "NIR", "3 85 05").await;
    let hint = wait_for(client, Locator::Css("#nir-hint.ko"), Duration::from_secs(5)).await;
    assert!(!hint.text().await.unwrap().is_empty());
    shot(client, "04-nir-invalide").await;
}

/// Every file under `root` (but the bundled database, whose synthetic files are the data
/// source itself) is searched for what the session showed or typed.
fn assert_nothing_personal_written(root: &Path, secrets: &[String]) {
    let mut stack = vec![root.to_path_buf()];
    let mut checked = 0;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with("bundled.sqlite") || path.starts_with(screenshots()) {
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            checked += 1;
            let text = String::from_utf8_lossy(&bytes);
            for (i, s) in secrets.iter().enumerate() {
                assert!(
                    !text.contains(s.as_str()),
                    "{} holds secret #{i}",
                    path.display()
                );
            }
        }
    }
    assert!(checked > 0, "no file was checked under {}", root.display());
}

fn secrets_of(s: &Samples) -> Vec<String> {
    let mut v = vec![DEMO_PASSWORD.to_owned(), NEW_PASSWORD.to_owned()];
    for d in [&s.found, &s.opposition, &s.out_of_scope] {
        v.extend(secrets_of_file(d));
    }
    v
}

/// What a file shows that must never be written on the workstation.
fn secrets_of_file(d: &Dossier) -> Vec<String> {
    vec![
        d.nir.expose().to_owned(),
        d.nir.grouped(),
        d.contact.birth_name.clone(),
    ]
}

/// Clicks the button named `text` and waits for the status message holding `status`.
async fn click_for_status(client: &Client, text: &str, status: &str, timeout: Duration) {
    button(client, text, Duration::from_secs(5))
        .await
        .click()
        .await
        .unwrap();
    let xpath = format!("//*[@role='status'][contains(., '{status}')]");
    wait_for(client, Locator::XPath(&xpath), timeout).await;
}

/// "Se déconnecter", and the sign-in screen's notice that it is done.
async fn sign_out(client: &Client) {
    click_for_status(
        client,
        "Se déconnecter",
        "déconnecté",
        Duration::from_secs(20),
    )
    .await;
}

/// The newcomer's path on the bundled backend: demo sign-in, forced change, lookups, then
/// walking away (idle delay lowered by the machine policy) back to a blank sign-in screen.
async fn bundled_flow() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let policy = dir.path().join("policy.toml");
    // the countdown starts 60 s before the deadline, 5 s after the last input.
    std::fs::write(&policy, "idle_timeout_secs = 65\n").unwrap();
    let client = launch(&[
        "--data-dir",
        data.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        "--demo-files",
        DEMO_FILES,
    ])
    .await;
    assert_no_core_dumps();
    // The first paint can lag the DOM by a frame or two.
    tokio::time::sleep(Duration::from_millis(500)).await;
    shot(&client, "01-connexion").await;
    // Demo accounts are listed for the bundled profile.
    assert!(
        page_text(&client)
            .await
            .contains("Comptes de démonstration")
    );

    // A wrong password: a French message, the form stays usable.
    type_into(&client, "Identifiant", "demo.caf").await;
    type_into(&client, "Mot de passe", "Pas-Le-Bon-1!").await;
    button(&client, "Se connecter", Duration::from_secs(5))
        .await
        .click()
        .await
        .unwrap();
    let alert = wait_for(
        &client,
        Locator::Css("[role=alert]"),
        Duration::from_secs(60),
    )
    .await;
    assert!(alert.text().await.unwrap().contains("incorrect"));

    sign_in_and_change(&client, "demo.caf", false).await;
    let store = Store::open(&format!(
        "sqlite://{}",
        data.join("bundled.sqlite").display()
    ))
    .await
    .unwrap();
    let s = samples(&store).await;
    lookups(&client, &s).await;

    // The keychain remembers the identifiant of the profile, and no password (demo profile
    // on a policy that allows it, but the box was not ticked).
    let ident =
        tokio::task::spawn_blocking(|| guichet_desktop::keychain::identifiant(DEMO_PROFILE))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(ident.as_deref(), Some("demo.caf"));

    // Walk away: the countdown, then the wipe back onto the sign-in screen.
    let title = lookup(&client, &s.found.nir.grouped(), &s.found.contact.birth_name).await;
    assert_eq!(title, "Dossier trouvé");
    wait_for(&client, Locator::Css(".countdown"), Duration::from_secs(30)).await;
    shot(&client, "05-compte-a-rebours").await;
    // Issue 23 (3): "Rester connecté" moves the deadline here and on the server; the
    // countdown comes back 5 s later, and this time nobody answers.
    click(&client, "Rester connecté").await;
    wait_gone(&client, Locator::Css(".countdown"), Duration::from_secs(10)).await;
    wait_for(&client, Locator::Css(".countdown"), Duration::from_secs(30)).await;
    let notice = wait_for(
        &client,
        Locator::XPath("//*[@role='status'][contains(., 'inactivité')]"),
        Duration::from_secs(90),
    )
    .await;
    assert!(notice.text().await.unwrap().contains("effacées"));
    shot(&client, "06-apres-effacement").await;
    // The demo password is printed on the sign-in screen on purpose; the files are gone.
    let source = client.source().await.unwrap();
    for (i, secret) in secrets_of(&s).iter().enumerate().skip(1) {
        assert!(
            !source.contains(secret),
            "the wiped page still shows secret #{i}"
        );
    }
    // The identifiant is offered again, the password is not.
    let ident_field = field(&client, "Identifiant").await;
    assert_eq!(
        ident_field.prop("value").await.unwrap().as_deref(),
        Some("demo.caf")
    );
    let pw = field(&client, "Mot de passe").await;
    assert_eq!(pw.prop("value").await.unwrap().as_deref(), Some(""));

    // Issue 23 (3), R-21: back in, "Mes traces" shows the idle wipe as such, not as a
    // sign-out; (4) the bundled database offers sample files on the lookup screen.
    type_into(&client, "Mot de passe", NEW_PASSWORD).await;
    click(&client, "Se connecter").await;
    field(&client, "NIR").await;
    wait_for(
        &client,
        Locator::XPath("//h2[contains(., \"Dossiers d'exemple\")]"),
        Duration::from_secs(20),
    )
    .await;
    click(&client, "Mes traces").await;
    wait_for(
        &client,
        Locator::XPath("//tr[td[.='Déconnexion'] and td[.='Inactivité']]"),
        Duration::from_secs(20),
    )
    .await;
    shot(&client, "15-mes-traces").await;
    click(&client, "Se déconnecter").await;
    field(&client, "Identifiant").await;
    client.close().await.unwrap();
    store.close().await;

    // nothing personal on the workstation's disk: the data folder, and the HOME of
    // this throwaway session (WebKit's cache and storage folders included).
    assert_nothing_personal_written(&data, &secrets_of(&s));
    let home = PathBuf::from(std::env::var("HOME").unwrap());
    assert_nothing_personal_written(&home, &secrets_of(&s));
    // Nor in what the app logged (its own crates at TRACE, scripts/e2e.sh).
    let path = std::env::var("E2E_DRIVER_LOG").expect("scripts/e2e.sh sets E2E_DRIVER_LOG");
    let log = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        log.contains("session effacée après inactivité"),
        "the app's log is not captured in {path}"
    );
    for (i, secret) in secrets_of(&s).iter().enumerate() {
        assert!(
            !log.contains(secret.as_str()),
            "the app's log holds secret #{i}"
        );
    }
}

/// Waits for an element of `role` whose text holds `text`.
async fn role_with(client: &Client, role: &str, text: &str, timeout: Duration) -> String {
    let xpath = format!("//*[@role='{role}'][contains(., \"{text}\")]");
    wait_for(client, Locator::XPath(&xpath), timeout)
        .await
        .text()
        .await
        .unwrap()
}

/// Clicks the button whose accessible name (`aria-label`) is `label`.
async fn click_labelled(client: &Client, label: &str) {
    let xpath = format!("//button[@aria-label=\"{label}\"]");
    wait_for(client, Locator::XPath(&xpath), Duration::from_secs(10))
        .await
        .click()
        .await
        .unwrap();
}

/// Issue 11 on the bundled backend, in the real window: the demo administrator creates
/// users until the quota of 20 is reached and confirms a review; the demo operator of the
/// caisse withdraws the partner's delegation, after which the administrator is told so.
async fn administration_flow() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let client = launch(&[
        "--data-dir",
        data.to_str().unwrap(),
        "--demo-files",
        DEMO_FILES,
    ])
    .await;
    sign_in_and_change(&client, "demo.admin", false).await;
    click(&client, "Administration").await;
    let quota = wait_for(&client, Locator::Css("td.quota"), Duration::from_secs(10)).await;
    assert_eq!(quota.text().await.unwrap(), "2 / 20");
    for i in 1..=18 {
        type_into(&client, "Prénom et nom", &format!("Agent {i}")).await;
        type_into(&client, "Courriel", &format!("agent{i}@ccas.example")).await;
        click(&client, "Créer l'utilisateur").await;
        let created = role_with(
            &client,
            "status",
            "Mot de passe provisoire",
            Duration::from_secs(20),
        )
        .await;
        assert!(created.contains("demo-ccas-78."), "{created}");
        if i == 1 {
            shot(&client, "10-administration-utilisateur-cree").await;
        }
        click(&client, "J'ai transmis le mot de passe").await;
    }
    wait_for(
        &client,
        Locator::XPath("//td[@class='quota' and normalize-space()='20 / 20']"),
        Duration::from_secs(10),
    )
    .await;
    type_into(&client, "Prénom et nom", "Agent 19").await;
    type_into(&client, "Courriel", "agent19@ccas.example").await;
    click(&client, "Créer l'utilisateur").await;
    let refused = role_with(&client, "alert", "Quota atteint", Duration::from_secs(20)).await;
    assert!(refused.contains("20 habilitations"), "{refused}");
    shot(&client, "11-administration-quota-atteint").await;
    click_labelled(&client, "Confirmer cdap-t2 pour demo.caf").await;
    role_with(
        &client,
        "status",
        "confirmée pour un an",
        Duration::from_secs(10),
    )
    .await;
    // Issue 23 (1): a user suspended and reactivated, a password reset (shown once), a
    // group, the partner's traces.
    click_labelled(&client, "Suspendre demo.caf").await;
    role_with(
        &client,
        "status",
        "demo.caf suspendu",
        Duration::from_secs(10),
    )
    .await;
    click_labelled(&client, "Réactiver demo.caf").await;
    role_with(
        &client,
        "status",
        "demo.caf réactivé",
        Duration::from_secs(10),
    )
    .await;
    click_labelled(&client, "Réinitialiser le mot de passe de demo.caf").await;
    let reset = role_with(
        &client,
        "status",
        "Mot de passe provisoire",
        Duration::from_secs(20),
    )
    .await;
    assert!(reset.contains("demo.caf"), "{reset}");
    click(&client, "J'ai transmis le mot de passe").await;
    click(&client, "Groupes").await;
    type_into(&client, "Nom du groupe", "Accueil").await;
    click(&client, "Créer le groupe").await;
    wait_for(
        &client,
        Locator::XPath("//h3[normalize-space()='Groupe Accueil']"),
        Duration::from_secs(10),
    )
    .await;
    shot(&client, "16-administration-groupes").await;
    click(&client, "Traces").await;
    wait_for(
        &client,
        Locator::XPath("//tr[td/code[.='demo.admin'] and td[.='Administration']]"),
        Duration::from_secs(10),
    )
    .await;
    shot(&client, "17-administration-traces").await;
    click(&client, "Se déconnecter").await;

    // The caisse's operator withdraws the delegation.
    field(&client, "Identifiant").await;
    sign_in_and_change_to(&client, "demo.operateur", false).await;
    wait_for(
        &client,
        Locator::XPath("//h1[contains(., 'Supervision des partenaires')]"),
        Duration::from_secs(30),
    )
    .await;
    click_labelled(
        &client,
        "Retirer la délégation de CCAS de Versailles (démo)",
    )
    .await;
    role_with(
        &client,
        "status",
        "Délégation retirée",
        Duration::from_secs(10),
    )
    .await;
    shot(&client, "12-caisse-delegation-retiree").await;
    // Issue 23 (2), R-24: the caisse now manages the partner: it registers a user and
    // issues a new password; then the month's statistics.
    click_labelled(&client, "Ouvrir la fiche de CCAS de Versailles (démo)").await;
    type_into(&client, "Prénom et nom", "Agent d'accueil").await;
    type_into(&client, "Courriel", "accueil@ccas.example").await;
    click(&client, "Enregistrer l'utilisateur").await;
    let registered = role_with(
        &client,
        "status",
        "Mot de passe provisoire",
        Duration::from_secs(20),
    )
    .await;
    assert!(registered.contains("demo-ccas-78."), "{registered}");
    shot(&client, "18-caisse-utilisateur-enregistre").await;
    click(&client, "J'ai transmis le mot de passe").await;
    click_labelled(&client, "Suspendre demo.caf").await;
    role_with(
        &client,
        "status",
        "demo.caf suspendu",
        Duration::from_secs(10),
    )
    .await;
    click(&client, "Statistiques mensuelles").await;
    click(&client, "Afficher").await;
    wait_for(
        &client,
        Locator::XPath("//table//td[.='DEMO-CCAS-78' or .='CAF-78']"),
        Duration::from_secs(10),
    )
    .await;
    shot(&client, "19-caisse-statistiques").await;
    click(&client, "Se déconnecter").await;

    // The administrator has lost the powers: the screen says why.
    type_into(&client, "Identifiant", "demo.admin").await;
    type_into(&client, "Mot de passe", NEW_PASSWORD).await;
    click(&client, "Se connecter").await;
    field(&client, "NIR").await;
    click(&client, "Administration").await;
    let withdrawn = role_with(
        &client,
        "alert",
        "repris la gestion",
        Duration::from_secs(10),
    )
    .await;
    assert!(withdrawn.contains("caisse"), "{withdrawn}");
    client.close().await.unwrap();
}

/// a CA may come only from the machine policy at its system location: named in
/// an extra policy (`--policy`), it closes the app, with the file named on screen.
async fn refused_policy_flow() {
    let dir = tempfile::tempdir().unwrap();
    let system = dir.path().join("policy.toml");
    std::fs::write(&system, "idle_timeout_secs = 300\n").unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, test_pki().0).unwrap();
    let extra = dir.path().join("extra.toml");
    std::fs::write(&extra, format!("extra_ca_pem = {ca:?}\n")).unwrap();
    let data = dir.path().join("data");
    let client = window::launch(
        guichet_tests::guichet_bin().as_str(),
        &[
            "--data-dir",
            data.to_str().unwrap(),
            "--e2e-system-policy",
            system.to_str().unwrap(),
            "--policy",
            extra.to_str().unwrap(),
        ],
    )
    .await;
    let alert = wait_for(
        &client,
        Locator::XPath("//*[@role='alert'][contains(., 'extra_ca_pem')]"),
        Duration::from_secs(30),
    )
    .await;
    assert!(
        alert
            .text()
            .await
            .unwrap()
            .contains(extra.to_str().unwrap())
    );
    assert!(
        page_text(&client)
            .await
            .contains("Aucun profil de connexion")
    );
    shot(&client, "07-politique-refusee").await;
    client.close().await.unwrap();
}

/// Where the remote flow's machine policy is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PolicyAt {
    /// A temporary folder standing in for the system location (`--e2e-system-policy`, a
    /// flag of the test build only).
    StandIn,
    /// The real system location, `/etc/guichet/policy.toml` (the installed package).
    System,
}

/// The system location of the policy, and the CA the test's policy adds beside it.
const SYSTEM_POLICY: &str = "/etc/guichet/policy.toml";
const SYSTEM_CA: &str = "/etc/guichet/e2e-ca.pem";

/// The same path against a guichet-server over loopback TLS, through a profile pinned by
/// the machine policy with its own CA; the bundled backend forbidden.
async fn remote_flow(at: PolicyAt) {
    let dir = tempfile::tempdir().unwrap();
    let server = tls_server(Arc::new(SystemClock), 3_000, dir.path()).await;
    let (policy, ca) = match at {
        PolicyAt::StandIn => (dir.path().join("policy.toml"), dir.path().join("ca.pem")),
        PolicyAt::System => (PathBuf::from(SYSTEM_POLICY), PathBuf::from(SYSTEM_CA)),
    };
    std::fs::write(&ca, &server.ca_pem).unwrap();
    std::fs::write(
        &policy,
        format!(
            "allow_bundled = false\nextra_ca_pem = {ca:?}\n\n[[profiles]]\nname = \"{REMOTE_PROFILE}\"\nurl = \"{}\"\ncaisse = \"CAF-78\"\nenvironment = \"recette\"\n{QF_GRID}",
            server.url
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let mut args = vec!["--data-dir", data.to_str().unwrap()];
    if at == PolicyAt::StandIn {
        args.extend(["--e2e-system-policy", policy.to_str().unwrap()]);
    }
    let client = launch(&args).await;
    let text = page_text(&client).await;
    assert!(text.contains(REMOTE_PROFILE));
    assert!(!text.contains("Comptes de démonstration"));
    assert!(
        !text.contains("Gérer les profils"),
        "the policy pins the profiles"
    );

    // A test account on a recette profile may keep its password in the keychain.
    sign_in_and_change(&client, "demo.caf", true).await;
    let s = samples(&server.store).await;
    lookups(&client, &s).await;
    qf_bracket_on_screen(&client, &s).await;
    assert_eq!(remembered_password().await.as_deref(), Some(NEW_PASSWORD));

    sign_out(&client).await;
    // the NIR copied during the lookups is gone (cleared by the sign-out, or by the
    // 30 s timer if the lookups took longer).
    assert_ne!(x_clipboard(&[]).as_deref(), Some(s.found.nir.expose()));
    // Signing in again with the remembered password: the field may stay empty.
    type_into(&client, "Identifiant", "demo.caf").await;
    button(&client, "Se connecter", Duration::from_secs(5))
        .await
        .click()
        .await
        .unwrap();
    field(&client, "NIR").await;
    // Its box was ticked for it, so signing in with it kept it.
    assert_eq!(remembered_password().await.as_deref(), Some(NEW_PASSWORD));
    let psu = participation_on_screen(&client, &server.store).await;
    client.close().await.unwrap();
    let mut secrets = secrets_of(&s);
    secrets.extend(secrets_of_file(&psu));
    assert_nothing_personal_written(&data, &secrets);
}

/// The password the keychain holds for the remote profile.
async fn remembered_password() -> Option<String> {
    tokio::task::spawn_blocking(|| guichet_desktop::keychain::password(REMOTE_PROFILE))
        .await
        .unwrap()
        .unwrap()
        .map(|p| p.to_string())
}

/// the municipality's grid, set by IT in the machine policy (brackets of QF, label,
/// optional price); it never leaves the workstation.
const QF_GRID: &str = "\n[[qf_grid]]\nlabel = \"Tranche A\"\nfrom = 0\nto = 700\nprice_cents = 150\n\n[[qf_grid]]\nlabel = \"Tranche B\"\nfrom = 701\nprice_cents = 420\n";

/// the "Recherche par date" of a file priced on the QF names the bracket of the grid
/// the QF in force falls in.
async fn qf_bracket_on_screen(client: &Client, s: &Samples) {
    let title = lookup(client, s.found.nir.expose(), &s.found.contact.birth_name).await;
    assert_eq!(title, "Dossier trouvé");
    click(client, "Recherche par date").await;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive();
    let text = page_text(client).await;
    match s.found.quotient_in_force(today) {
        Some(qf) => {
            let bracket = wait_for(client, Locator::Id("qf-bracket"), Duration::from_secs(5))
                .await
                .text()
                .await
                .unwrap();
            let (label, price) = if qf.amount <= 700 {
                ("Tranche A", "1,50")
            } else {
                ("Tranche B", "4,20")
            };
            assert!(
                bracket.contains(label) && bracket.contains(price),
                "QF {} → {bracket}",
                qf.amount
            );
            shot(client, "13-tranche-qf").await;
        }
        None => assert!(text.contains("QF en vigueur") && text.contains("Aucun à cette date")),
    }
}

/// a crèche director (demo.creche, MSA d'Alsace, opened around the clock for the
/// test) looks a family up, types a date jj/mm/aaaa in "Recherche par date", reads the hourly
/// participation the barème gives, copies it (the clipboard holds the figure alone), and
/// estimates a month of reserved hours. Returns the file, whose personal data must not be
/// written anywhere.
async fn participation_on_screen(client: &Client, store: &Store) -> Dossier {
    use guichet_core::psu::{CareType, participation};
    use guichet_store::prelude::*;
    store
        .set_caisse_hours(
            "MSA-ALSACE",
            guichet_core::policy::hours::OpeningHours::Always,
        )
        .await
        .unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
    let bareme = store.psu_bareme().await.unwrap();
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive();
    let file = store
        .dossiers(&Default::default(), None, 100_000)
        .await
        .unwrap()
        .into_iter()
        .find(|d| {
            d.caisse == "MSA-ALSACE"
                && d.departement == "67"
                && !d.opposition
                && d.has_child_under(today, 6)
                && participation(d, date, CareType::Collective, &bareme).is_ok()
        })
        .expect("a PSU file with a participation on 15/06/2026");
    let expected = participation(&file, date, CareType::Collective, &bareme).unwrap();

    sign_out(client).await;
    sign_in_and_change(client, "demo.creche", false).await;
    let title = lookup(client, file.nir.expose(), &file.contact.birth_name).await;
    assert_eq!(title, "Dossier trouvé");
    click(client, "Recherche par date").await;
    type_into(client, "Situation à la date du", "15/06/2026").await;
    click(client, "Afficher").await;
    wait_for(
        client,
        Locator::XPath("//*[contains(., 'Situation à la date du 15/06/2026')]"),
        Duration::from_secs(20),
    )
    .await;
    let hourly = wait_for(
        client,
        Locator::Id("hourly-tariff"),
        Duration::from_secs(10),
    )
    .await
    .text()
    .await
    .unwrap();
    let figure = format!(
        "{},{:02}",
        expected.hourly_cents / 100,
        expected.hourly_cents % 100
    );
    let digits = |t: &str| t.chars().filter(char::is_ascii_digit).collect::<String>();
    assert_eq!(digits(&hourly), digits(&figure), "on screen: {hourly}");
    let text = page_text(client).await;
    assert!(
        text.contains("Participation horaire PSU au 15/06/2026"),
        "{text}"
    );
    assert!(
        text.contains(&format!("Enfants à charge : {}", expected.children)),
        "{text}"
    );
    click_for_status(
        client,
        "Copier le tarif",
        "Tarif copié",
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(x_clipboard(&[]).as_deref(), Some(figure.as_str()));
    // A month of 100 reserved hours: 100 × the hourly figure, kept nowhere.
    type_into(client, "Heures réservées par mois", "100").await;
    let estimate = wait_for(client, Locator::Id("estimate"), Duration::from_secs(5))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        digits(&estimate),
        digits(&format!("{}", expected.hourly_cents * 100)),
        "{estimate}"
    );
    shot(client, "14-participation-psu").await;
    sign_out(client).await;
    assert_ne!(
        x_clipboard(&[]).as_deref(),
        Some(figure.as_str()),
        "the copied figure goes with the session"
    );
    file
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_window_bundled_then_remote() {
    // The installed package (`GUICHET_BIN=/usr/bin/guichet`, scripts/package-test.sh): a
    // shipped build, driven under the real system policy.
    if std::env::var_os("E2E_INSTALLED").is_some() {
        assert!(
            Path::new(SYSTEM_POLICY).parent().unwrap().is_dir(),
            "/etc/guichet exists"
        );
        remote_flow(PolicyAt::System).await;
        for path in [SYSTEM_POLICY, SYSTEM_CA] {
            std::fs::remove_file(path).unwrap();
        }
        return;
    }
    // One app at a time (the app is single-instance): every flow in one test.
    bundled_flow().await;
    administration_flow().await;
    refused_policy_flow().await;
    remote_flow(PolicyAt::StandIn).await;
}
