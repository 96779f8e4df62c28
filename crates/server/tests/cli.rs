//! The `guichet-server` binary: every command of the contract on SQLite and PostgreSQL. The
//! process-level fault tests (SIGKILL, SIGTERM, a database restart) are in `tests/faults.rs`
//! at the top of the workspace.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_guichet-server");

fn run(db: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("GUICHET_DATABASE_URL", db)
        .env("GUICHET_OPERATOR", "agent.test")
        .env_remove("GUICHET_CONFIG")
        .output()
        .unwrap()
}

fn ok(db: &str, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(db: &str, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(!out.status.success(), "{args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

fn commands(db: &str) {
    ok(db, &["migrate"]);
    let seeded = ok(db, &["seed", "--files", "300", "--seed", "5"]);
    assert!(
        seeded.contains("300 dossiers écrits") && seeded.contains("demo.creche"),
        "{seeded}"
    );
    ok(
        db,
        &[
            "admin",
            "partner",
            "add",
            "--tiers",
            "T-9",
            "--name",
            "Mairie d'Autun",
            "--kind",
            "commune",
        ],
    );
    assert!(ok(db, &["admin", "partner", "list"]).contains("T-9\tcommune\tactive\tMairie d'Autun"));
    assert!(
        fails(
            db,
            &[
                "admin", "partner", "add", "--tiers", "T-9", "--name", "x", "--kind", "commune"
            ]
        )
        .contains("Existe déjà")
    );
    assert!(
        fails(
            db,
            &[
                "admin", "partner", "add", "--tiers", "T-10", "--name", "x", "--kind", "zoo"
            ]
        )
        .contains("eaje")
    );
    ok(
        db,
        &[
            "admin",
            "convention",
            "add",
            "--partner",
            "T-9",
            "--caisse",
            "MSA-BOURGOGNE",
            "--service",
            "qf",
            "--departements",
            "71",
            "--number",
            "QF-71-1",
            "--starts",
            "2026-01-01",
        ],
    );
    assert!(
        fails(
            db,
            &[
                "admin",
                "convention",
                "add",
                "--partner",
                "T-9",
                "--caisse",
                "MSA-BOURGOGNE",
                "--service",
                "qf",
                "--departements",
                "67"
            ]
        )
        .contains("département 67")
    );
    let added = ok(
        db,
        &[
            "admin",
            "user",
            "add",
            "--partner",
            "T-9",
            "--identifiant",
            "l.roy",
            "--name",
            "Léa Roy",
            "--email",
            "lea.roy@autun.example",
            "--service",
            "qf",
        ],
    );
    let temp = added.lines().last().unwrap();
    assert_eq!(
        temp.len(),
        19,
        "the temporary password alone on the last line"
    );
    let reset = ok(db, &["admin", "user", "reset-password", "l.roy"]);
    assert_ne!(reset.lines().last().unwrap(), temp);
    assert!(
        ok(db, &["admin", "user", "list", "--partner", "T-9"])
            .contains("l.roy\tactive\tmot de passe provisoire")
    );
    ok(db, &["admin", "user", "suspend", "l.roy"]);
    ok(db, &["admin", "user", "reactivate", "l.roy"]);
    ok(db, &["admin", "user", "deactivate", "l.roy"]);
    assert!(fails(db, &["admin", "user", "suspend", "personne"]).contains("Introuvable"));
    ok(db, &["admin", "convention", "suspend", "QF-71-1"]);
    ok(db, &["admin", "convention", "reactivate", "QF-71-1"]);
    ok(db, &["admin", "convention", "terminate", "QF-71-1"]);
    assert!(
        fails(db, &["admin", "convention", "reactivate", "QF-71-1"]).contains("résiliée"),
        "R-28: termination is final"
    );
    // a delegated CAF convention with a quota, its administrator, withdrawal.
    let delegated = ok(
        db,
        &[
            "admin",
            "convention",
            "add",
            "--partner",
            "T-9",
            "--caisse",
            "CAF-78",
            "--service",
            "cdap-t19",
            "--departements",
            "78",
            "--number",
            "T19-78-1",
            "--delegated",
            "--quota",
            "12",
        ],
    );
    assert!(delegated.contains("déléguée, quota 12"), "{delegated}");
    assert!(
        fails(
            db,
            &[
                "admin",
                "convention",
                "add",
                "--partner",
                "T-9",
                "--caisse",
                "CAF-78",
                "--service",
                "cdap-t2",
                "--departements",
                "78",
                "--quota",
                "3"
            ]
        )
        .contains("--delegated"),
        "a quota without delegation is refused"
    );
    // Issue 22 (11), seed 003: the caisse always sets the quota of a delegation.
    for without_quota in [
        &[
            "admin",
            "convention",
            "add",
            "--partner",
            "T-9",
            "--caisse",
            "CAF-78",
            "--service",
            "cdap-t2",
            "--departements",
            "78",
            "--delegated",
        ][..],
        &["admin", "convention", "delegate", "T19-78-1"][..],
    ] {
        assert!(
            fails(db, without_quota).contains("--quota"),
            "{without_quota:?}"
        );
    }
    ok(
        db,
        &[
            "admin",
            "convention",
            "delegate",
            "T19-78-1",
            "--quota",
            "20",
        ],
    );
    assert!(ok(db, &["admin", "user", "role", "l.roy", "administrator"]).contains("administrator"));
    assert!(fails(db, &["admin", "user", "role", "l.roy", "king"]).contains("deputy"));
    ok(db, &["admin", "user", "role", "l.roy", "none"]);
    assert_eq!(
        ok(db, &["admin", "partner", "late-reviews"]),
        "",
        "R-27: nothing late yet"
    );
    assert!(ok(db, &["admin", "partner", "suspend-late", "T-9"]).starts_with("0 habilitation"));
    assert!(ok(db, &["admin", "partner", "force-change", "T-9"]).starts_with("1 compte"));
    ok(db, &["admin", "user", "force-change", "l.roy"]);
    assert!(
        fails(
            db,
            &["admin", "user", "suspend-habilitation", "l.roy", "psu"]
        )
        .contains("Introuvable")
    );
    ok(db, &["admin", "partner", "withdraw-delegation", "T-9"]);
    ok(db, &["admin", "partner", "restore-delegation", "T-9"]);
    assert!(
        fails(
            db,
            &["admin", "partner", "withdraw-delegation", "DEMO-EAJE-67"]
        )
        .contains("convention déléguée")
    );
    ok(
        db,
        &["admin", "service", "set", "qf", "--idle-timeout", "600"],
    );
    assert!(
        fails(
            db,
            &["admin", "service", "set", "qf", "--idle-timeout", "7200"]
        )
        .contains("1800")
    );
    ok(
        db,
        &[
            "admin",
            "caisse",
            "set",
            "MSA-CORSE",
            "--hours",
            "06:00-22:00",
        ],
    );
    assert!(
        fails(
            db,
            &["admin", "caisse", "set", "MSA-CORSE", "--hours", "6h-22h"]
        )
        .contains("HH:MM")
    );

    let sample = ok(
        db,
        &[
            "sample",
            "--count",
            "3",
            "--outcome",
            "found",
            "--service",
            "psu",
            "--caisse",
            "MSA-ALSACE",
        ],
    );
    let lines: Vec<serde_json::Value> = sample
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    for l in &lines {
        assert_eq!(l["caisse"], "MSA-ALSACE");
        assert_eq!(l["opposition"], false);
        assert!(guichet_core::Nir::parse(l["nir"].as_str().unwrap()).is_ok());
    }
    let opposed = ok(db, &["sample", "--count", "2", "--outcome", "opposition"]);
    assert!(opposed.lines().all(|l| l.contains("\"opposition\":true")));

    let verify = ok(db, &["audit", "verify"]);
    assert!(verify.contains("chaîne de traces intègre"), "{verify}");
    let export = ok(db, &["audit", "export", "--user", "agent.test"]);
    assert!(export.lines().count() >= 10, "admin actions are traced");
    ok(db, &["audit", "flags", "--since", "2026-01-01"]);

    // Issue 11: the first caisse operator, bootstrapped at the console.
    let operator = ok(
        db,
        &[
            "admin",
            "operator",
            "add",
            "--caisse",
            "CAF-78",
            "--identifiant",
            "agent.sup",
            "--name",
            "Agent de supervision",
            "--email",
            "sup@caf78.example",
        ],
    );
    assert!(
        operator.contains("agent agent.sup de la caisse CAF-78 créé"),
        "{operator}"
    );
    assert!(operator.lines().last().unwrap().trim().len() >= 12);
    let again = [
        "admin",
        "operator",
        "add",
        "--caisse",
        "CAF-78",
        "--identifiant",
        "agent.sup",
        "--name",
        "x",
        "--email",
        "x@y.example",
    ];
    assert!(fails(db, &again).contains("déjà utilisé"));
    let nowhere = [
        "admin",
        "operator",
        "add",
        "--caisse",
        "CAF-00",
        "--identifiant",
        "agent.x",
        "--name",
        "x",
        "--email",
        "x@y.example",
    ];
    assert!(fails(db, &nowhere).contains("caisse"));

    // quotas per service, set by the caisse for a partner.
    let quotas = ok(
        db,
        &[
            "admin",
            "partner",
            "quotas",
            "DEMO-CCAS-78",
            "--quota",
            "cdap-t2=12",
        ],
    );
    assert!(
        quotas.contains("DEMO-CDAP-78 (cdap-t2) déléguée, quota 12"),
        "{quotas}"
    );
    assert!(
        fails(
            db,
            &[
                "admin",
                "partner",
                "quotas",
                "DEMO-CCAS-78",
                "--quota",
                "psu=3"
            ]
        )
        .contains("pas de convention pour le service psu")
    );
    assert!(
        fails(
            db,
            &[
                "admin",
                "partner",
                "quotas",
                "DEMO-CCAS-78",
                "--quota",
                "12"
            ]
        )
        .contains("SERVICE=N")
    );
    assert!(
        fails(
            db,
            &[
                "admin",
                "partner",
                "quotas",
                "DEMO-CCAS-78",
                "--quota",
                "cdap-t2=x"
            ]
        )
        .contains("entier")
    );

    // notice, its end per the branch's rule, its withdrawal; conventions listed.
    let notice = ok(
        db,
        &[
            "admin",
            "convention",
            "notice",
            "DEMO-CDAP-78",
            "--effective",
            "2099-01-31",
        ],
    );
    assert!(notice.contains("fin le 2099-01-31"), "{notice}");
    let listed = ok(
        db,
        &["admin", "convention", "list", "--partner", "DEMO-CCAS-78"],
    );
    assert!(
        listed.contains(
            "DEMO-CDAP-78\tCAF-78\tcdap-t2\t78\tdébut 2026-01-01\tfin 2099-01-31 (préavis)"
        ),
        "{listed}"
    );
    ok(
        db,
        &["admin", "convention", "withdraw-notice", "DEMO-CDAP-78"],
    );
    assert!(
        ok(
            db,
            &["admin", "convention", "list", "--partner", "DEMO-CCAS-78"]
        )
        .contains("reconduction tacite")
    );
    assert!(
        fails(
            db,
            &[
                "admin",
                "convention",
                "notice",
                "DEMO-PSU-ALSACE",
                "--effective",
                "2099-01-31"
            ]
        )
        .contains("échéance annuelle")
    );
    let now = guichet_service::Clock::now(&guichet_service::SystemClock);
    let month = now
        .with_timezone(&chrono_tz::Europe::Paris)
        .format("%Y-%m")
        .to_string();
    assert!(ok(db, &["stats", "--month", &month]).contains("\"kind\":\"admin\""));
    assert!(fails(db, &["stats", "--month", "2026-13"]).contains("AAAA-MM"));
    assert!(ok(db, &["purge"]).contains("purgé"));
    // no plain HTTP off loopback.
    assert!(fails(db, &["serve", "--listen", "0.0.0.0:0"]).contains("HTTP sans TLS refusé"));

    // someone with write access lifts the retention the database enforces and
    // deletes the newest traces: `audit verify` fails and names the first missing one.
    let head: i64 = ok(db, &["audit", "verify"])
        .rsplit(' ')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    attacker_sql(
        db,
        &[
            "UPDATE meta SET value = '0' WHERE key = 'trace_retention_days'",
            "DELETE FROM traces WHERE seq >= (SELECT MAX(seq) - 1 FROM traces)",
        ],
    );
    let broken = fails(db, &["audit", "verify"]);
    assert!(
        broken.contains(&format!("rompue à la trace {}", head - 1)) && broken.contains("manquante"),
        "{broken}"
    );
}

/// Runs SQL on the database directly, as someone who can write to it.
fn attacker_sql(db: &str, statements: &[&'static str]) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = guichet_store::Store::connect(db).await.unwrap();
        for sql in statements {
            match &store {
                guichet_store::Store::Sqlite(x) => {
                    sqlx::query(*sql).execute(x.pool()).await.map(drop)
                }
                guichet_store::Store::Postgres(x) => {
                    sqlx::query(*sql).execute(x.pool()).await.map(drop)
                }
            }
            .unwrap();
        }
        store.close().await;
    });
}

#[test]
fn every_command_on_sqlite() {
    let path = std::env::temp_dir().join(format!("guichet-cli-{}.db", std::process::id()));
    let db = format!("sqlite://{}", path.display());
    commands(&db);
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
}

#[test]
fn every_command_on_postgres() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let db = rt.block_on(guichet_store::testing::postgres());
    commands(&db.url);
}

#[test]
fn bad_urls_and_real_databases_are_refused() {
    assert!(fails("mysql://x", &["migrate"]).contains("non prise en charge"));
    assert!(fails("postgres://postgres@127.0.0.1:1/x", &["migrate"]).contains("injoignable"));
    let path = std::env::temp_dir().join(format!("guichet-real-{}.db", std::process::id()));
    let db = format!("sqlite://{}", path.display());
    ok(&db, &["migrate"]);
    assert!(fails(&db, &["sample"]).contains("pas synthétique"));
    let _ = std::fs::remove_file(&path);
}

/// a real (non-synthetic) database is served only with a trace key held outside it,
/// in a file its owner alone can read.
#[cfg(unix)]
#[test]
fn a_real_database_needs_a_private_trace_key_file() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let db = format!("sqlite://{}", dir.join("real.db").display());
    ok(&db, &["migrate"]);
    let refused = fails(&db, &["serve", "--listen", "127.0.0.1:0"]);
    assert!(refused.contains("clé de traces"), "{refused}");
    assert!(fails(&db, &["admin", "partner", "list"]).contains("clé de traces"));

    let key = dir.join("trace.key");
    std::fs::write(&key, hex_key()).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let with_key = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .env("GUICHET_DATABASE_URL", &db)
            .env("GUICHET_TRACE_KEY_FILE", &key)
            .env("GUICHET_OPERATOR", "agent.test")
            .output()
            .unwrap()
    };
    let loose = with_key(&["admin", "partner", "list"]);
    assert!(!loose.status.success());
    assert!(String::from_utf8_lossy(&loose.stderr).contains("chmod 600"));
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let added = with_key(&[
        "admin", "partner", "add", "--tiers", "T-1", "--name", "Crèche", "--kind", "eaje",
    ]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let verify = with_key(&["audit", "verify"]);
    assert!(String::from_utf8_lossy(&verify.stdout).contains("intègre"));

    // Rotation: a new key file; records before it verify under the retired key, after it
    // under the new one.
    let new_key = dir.join("trace.key.new");
    let rotated = with_key(&["audit", "rotate-key", "--out", new_key.to_str().unwrap()]);
    assert!(
        rotated.status.success(),
        "{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    assert_eq!(
        std::fs::metadata(&new_key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let again = with_key(&["audit", "rotate-key", "--out", new_key.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("existe déjà"));
    let old_key = std::fs::read(&key).unwrap();
    std::fs::rename(&new_key, &key).unwrap();
    assert!(
        with_key(&[
            "admin", "partner", "add", "--tiers", "T-2", "--name", "Mairie", "--kind", "commune"
        ])
        .status
        .success()
    );
    let verify = with_key(&["audit", "verify"]);
    assert!(
        String::from_utf8_lossy(&verify.stdout).contains("intègre"),
        "{}",
        String::from_utf8_lossy(&verify.stderr)
    );
    // The old key alone does not verify what the new one keyed.
    std::fs::write(&key, &old_key).unwrap();
    let stale = with_key(&["audit", "verify"]);
    assert!(!stale.status.success());
    // Another key does not verify the chain: it was keyed with the first.
    std::fs::write(&key, hex_key()).unwrap();
    let other = with_key(&["audit", "verify"]);
    assert!(!other.status.success());
    assert!(String::from_utf8_lossy(&other.stderr).contains("rompue à la trace 1"));
}

/// `audit init-key`, which the server's .deb runs at installation: a new private key file,
/// no database needed, never over an existing file, and a real database opens with it.
#[test]
fn r19_a_new_installation_gets_its_own_private_trace_key() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("trace.key");
    let init = || {
        Command::new(BIN)
            .args(["audit", "init-key", "--out", key.to_str().unwrap()])
            .env_remove("GUICHET_DATABASE_URL")
            .env_remove("GUICHET_CONFIG")
            .output()
            .unwrap()
    };
    let created = init();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let meta = std::fs::metadata(&key).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let first = std::fs::read(&key).unwrap();
    let again = init();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("impossible"));
    assert_eq!(std::fs::read(&key).unwrap(), first, "never replaced");

    let db = format!("sqlite://{}", tmp.path().join("real.db").display());
    let opened = Command::new(BIN)
        .args(["admin", "partner", "list"])
        .env("GUICHET_DATABASE_URL", &db)
        .env("GUICHET_TRACE_KEY_FILE", &key)
        .output()
        .unwrap();
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    // A new installation's first steps (installer/linux/server/README.Debian): the
    // national catalogue (twice: nothing added the second time), the caisse, its agent.
    let admin = |args: &[&str]| {
        Command::new(BIN)
            .arg("admin")
            .args(args)
            .env("GUICHET_DATABASE_URL", &db)
            .env("GUICHET_TRACE_KEY_FILE", &key)
            .env("GUICHET_OPERATOR", "installateur")
            .output()
            .unwrap()
    };
    let stdout = |o: Output| {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let first_catalogue = stdout(admin(&["service", "catalogue"]));
    assert!(first_catalogue.contains("22 services, dont 22 ajoutés"));
    assert!(first_catalogue.contains("barème PSU : 20 valeur(s) ajoutée(s)"));
    let second = stdout(admin(&["service", "catalogue"]));
    assert!(second.contains("dont 0 ajoutés") && second.contains("0 valeur(s)"));
    r31_bareme_by_command(&admin, &stdout);
    for (code, departements, says) in [
        ("caf-78", "78", "CAF-… ou MSA-…"),
        ("CNAF-1", "78", "CAF-… ou MSA-…"),
        ("CAF-78", "7X", "département inconnu"),
    ] {
        let refused = admin(&[
            "caisse",
            "add",
            code,
            "--name",
            "X",
            "--departements",
            departements,
        ]);
        assert!(!refused.status.success());
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains(says),
            "{code}"
        );
    }
    let operator = [
        "operator",
        "add",
        "--caisse",
        "CAF-78",
        "--identifiant",
        "agent.un",
        "--name",
        "Agent Un",
        "--email",
        "agent.un@caf78.example",
    ];
    assert!(!admin(&operator).status.success(), "no caisse yet");
    stdout(admin(&[
        "caisse",
        "add",
        "CAF-78",
        "--name",
        "CAF des Yvelines",
        "--departements",
        "78",
    ]));
    let added = stdout(admin(&operator));
    assert_eq!(
        added.lines().last().unwrap().len(),
        19,
        "a temporary password"
    );
    // Two installations never share a key.
    std::fs::remove_file(&key).unwrap();
    assert!(init().status.success());
    assert_ne!(std::fs::read(&key).unwrap(), first);
}

/// the caisse keeps the barème current by command; what it cannot read is refused
/// with nothing written.
fn r31_bareme_by_command(admin: &dyn Fn(&[&str]) -> Output, stdout: &dyn Fn(Output) -> String) {
    let list = stdout(admin(&["bareme", "list"]));
    assert!(
        list.contains("0,0619 %") && list.contains("8500,00 €"),
        "{list}"
    );
    assert!(
        list.contains("801,00 €\tCnaf") && list.contains("non confirmé"),
        "{list}"
    );
    let set = stdout(admin(&[
        "bareme",
        "set",
        "floor",
        "--from",
        "01/01/2026",
        "--amount",
        "812,34",
        "--source",
        "Cnaf, barème 2026",
        "--unconfirmed",
    ]));
    assert!(set.contains("01/01/2025\t31/12/2025\tplancher"), "{set}");
    assert!(set.contains("01/01/2026\t…\tplancher\t\t812,34 €"), "{set}");
    for (args, says) in [
        (&["--amount", "12,345"][..], "montant illisible"),
        (&["--amount=-3"][..], "montant illisible"),
        (&["--amount", "0"][..], "hors limites"),
    ] {
        let mut all = vec![
            "bareme",
            "set",
            "ceiling",
            "--from",
            "2026-09-01",
            "--source",
            "x",
        ];
        all.extend_from_slice(args);
        let refused = admin(&all);
        assert!(!refused.status.success());
        assert!(
            String::from_utf8_lossy(&refused.stderr).contains(says),
            "{args:?}"
        );
    }
    let overlapping = admin(&[
        "bareme",
        "set",
        "floor",
        "--from",
        "01/06/2025",
        "--to",
        "30/06/2026",
        "--amount",
        "1",
        "--source",
        "x",
    ]);
    assert!(String::from_utf8_lossy(&overlapping.stderr).contains("se recouvrent"));
    let bad_date = admin(&[
        "bareme",
        "set",
        "floor",
        "--from",
        "31/02/2026",
        "--amount",
        "1",
        "--source",
        "x",
    ]);
    assert!(String::from_utf8_lossy(&bad_date.stderr).contains("jj/mm/aaaa"));
    let no_care = admin(&[
        "bareme",
        "set",
        "rate",
        "--from",
        "01/01/2026",
        "--rate",
        "0,0600",
        "--children",
        "1",
        "--source",
        "x",
    ]);
    assert!(!no_care.status.success());
    assert_eq!(
        stdout(admin(&["bareme", "list"])).lines().count(),
        21,
        "nothing else written"
    );
    let rate = stdout(admin(&[
        "bareme",
        "set",
        "rate",
        "--from",
        "01/01/2027",
        "--rate",
        "0,0620",
        "--care",
        "collective",
        "--children",
        "1",
        "--source",
        "Cnaf, barème 2027",
    ]));
    assert!(
        rate.contains("01/01/2027\t…\ttaux\tcollective 1+ enf.\t0,0620 %"),
        "{rate}"
    );

    let added = stdout(admin(&[
        "partner",
        "add",
        "--tiers",
        "T-6701",
        "--name",
        "Crèche parentale Les Hiboux",
        "--kind",
        "eaje",
        "--care",
        "parental",
    ]));
    assert!(added.contains("accueil parental"), "{added}");
    let refused = admin(&[
        "partner", "add", "--tiers", "T-6702", "--name", "x", "--kind", "eaje", "--care", "micro",
    ]);
    assert!(!refused.status.success());
    assert!(stdout(admin(&["partner", "care", "T-6701", "familial"])).contains("accueil familial"));
}

fn hex_key() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}
