//! The types that cross the IPC boundary, besides the wire types of guichet-core. Their
//! TypeScript declarations are generated (ts-rs) into `ui/src/lib/ipc.ts`; a test fails when
//! that file is stale (`make bindings` rewrites it).

use chrono::{DateTime, Utc};
use guichet_core::LookupOutcome;
use guichet_core::wire::{EndReason, ErrorCode, PartnerInfo, PasswordRules, ServiceInfo, UserInfo};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::config::{Environment, Profile};
use crate::qf_grid::QfBracket;

/// A profile as the sign-in screen shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ProfileView {
    pub profile: Profile,
    pub bundled: bool,
    /// The last identifiant used with this profile, from the keychain.
    pub remembered_identifiant: Option<String>,
    /// A password is remembered for this profile (it never reaches the webview).
    pub remembered_password: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PolicyView {
    /// A machine policy file is in force.
    pub managed: bool,
    pub profiles_pinned: bool,
    pub allow_bundled: bool,
    pub allow_remember_password: bool,
    pub idle_timeout_secs: Option<u32>,
    pub error: Option<String>,
}

/// Why the last session ended, shown once on the sign-in screen after the reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum WipeReason {
    SignOut,
    Idle,
    ScreenLocked,
    Sleep,
    SessionExpired,
}

impl WipeReason {
    /// What the server is told when the session ends this way (issue 23: traced as such);
    /// `None` when the server ended it itself.
    pub fn end_reason(self) -> Option<EndReason> {
        match self {
            WipeReason::SignOut => Some(EndReason::SignOut),
            WipeReason::Idle => Some(EndReason::Idle),
            WipeReason::ScreenLocked => Some(EndReason::ScreenLocked),
            WipeReason::Sleep => Some(EndReason::Sleep),
            WipeReason::SessionExpired => None,
        }
    }
}

/// A file of the bundled synthetic database, offered on screen for training (issue 23).
#[derive(Debug, Clone, Serialize, TS)]
pub struct DemoFile {
    /// Grouped as typed.
    pub nir: String,
    pub name: String,
    /// What a lookup answers.
    pub outcome: LookupOutcome,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct StartupView {
    pub version: String,
    pub profiles: Vec<ProfileView>,
    pub policy: PolicyView,
    /// `None` when the keychain works; otherwise why it does not, in French.
    pub keychain_error: Option<String>,
    pub last_wipe: Option<WipeReason>,
    /// The session still open (after a reload that was not a wipe).
    pub session: Option<SessionView>,
}

/// A signed-in session as the UI sees it: never the token.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SessionView {
    pub profile: String,
    pub environment: Environment,
    pub user: UserInfo,
    pub partner: PartnerInfo,
    pub services: Vec<ServiceInfo>,
    pub must_change_password: bool,
    pub password_age_warning: bool,
    /// The idle delay the watchdog applies (the service's, lowered by the policy).
    pub idle_timeout_s: u32,
    pub expires_at: DateTime<Utc>,
    /// The password of this account may be remembered on this profile.
    pub can_remember_password: bool,
    /// the rules of this server, for the change form's hint.
    pub password_rules: PasswordRules,
    /// `administrator`, `deputy` or `manager` of the partner, or none.
    pub partner_role: Option<String>,
    /// A caisse operator's caisse, or none.
    pub operator_of: Option<String>,
    /// the QF brackets in force on this workstation for this profile (often none).
    pub qf_grid: Vec<QfBracket>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SignInArgs {
    pub profile: String,
    pub identifiant: String,
    /// Empty to use the password remembered in the keychain.
    #[ts(type = "string")]
    pub password: zeroize::Zeroizing<String>,
    pub remember_identifiant: bool,
    pub remember_password: bool,
}

/// The NIR as typed, checked with the core's rules.
#[derive(Debug, Clone, Serialize, TS)]
pub struct NirCheck {
    pub valid: bool,
    /// `nir_malformed` or `nir_key_mismatch`.
    pub code: Option<ErrorCode>,
    pub message: Option<String>,
    /// Shorter than a NIR and otherwise fine so far: not worth a red message while typing.
    pub incomplete: bool,
}

/// Whether a service answers lookups now, so the screen can say so before the user
/// types. The backend decides again on every lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HoursView {
    pub open: bool,
    /// When it reopens, Paris time `HH:MM`.
    pub reopens_hhmm: Option<String>,
    pub reopens_at: Option<DateTime<Utc>>,
}

/// Progress of the bundled database's first start.
#[derive(Debug, Clone, Copy, Serialize, TS)]
pub struct PrepareProgress {
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

/// The TypeScript declarations of every type that crosses the IPC boundary, in one module.
pub fn typescript() -> String {
    use guichet_core::dossier::*;
    use guichet_core::lookup::LookupOutcome;
    use guichet_core::manage::{ManageCall, ManageReply};
    use guichet_core::service_def::{DossierView, Section};
    use guichet_core::wire::*;

    use guichet_core::psu::{BaremeUsed, CareType, Cited, NoParticipation, Participation};

    use crate::config::{Environment, Profile};
    use crate::qf_grid::QfBracket;
    use crate::watchdog::Tick;

    let cfg = ts_rs::Config::new();
    macro_rules! decls {
        ($($t:ty),* $(,)?) => {
            [$(<$t as TS>::decl(&cfg)),*]
        };
    }
    let decls = decls![
        // The wire contract (guichet-core).
        UserInfo,
        PartnerInfo,
        ServiceInfo,
        Section,
        ChangePasswordRequest,
        LookupRequest,
        LookupResponse,
        LookupOutcome,
        ErrorBody,
        ErrorCode,
        PasswordRules,
        Violation,
        DossierView,
        Period,
        ContactDetails,
        Civility,
        Address,
        FamilySituation,
        FamilyStatus,
        Person,
        Child,
        YearlyResources,
        QuotientFamilial,
        RsaRight,
        RsaState,
        RsaPayment,
        Benefit,
        InForce,
        // the PSU participation.
        Participation,
        NoParticipation,
        CareType,
        BaremeUsed,
        Cited,
        // Delegated management and caisse supervision (issue 11).
        DelegationInfo,
        ManagedUserInfo,
        AccountStatus,
        HabilitationInfo,
        CreateUserRequest,
        HabilitationGrant,
        CreatedUser,
        ReviewInfo,
        ReviewRequest,
        ReviewDecision,
        SupervisedPartner,
        // Every management call (issue 23).
        ManageCall,
        ManageReply,
        TracePageQuery,
        TraceEntries,
        TraceEntry,
        AccountStatusRequest,
        TemporaryPassword,
        GroupInfo,
        Affected,
        ConventionInfo,
        MonthlyStat,
        AbuseSignal,
        // The desktop's own.
        Environment,
        Profile,
        QfBracket,
        ProfileView,
        PolicyView,
        WipeReason,
        DemoFile,
        StartupView,
        SessionView,
        SignInArgs,
        NirCheck,
        HoursView,
        PrepareProgress,
        Tick,
    ];
    let mut out = String::from(
        "// Generated from the Rust types by ts-rs (src-tauri/src/ipc.rs): do not edit.\n\
         // `make bindings` rewrites it; a test fails when it is stale.\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(&d);
        out.push_str("\n\n");
    }
    // The codes as values too, so the UI names them (`ErrorCode.SessionExpired`) instead of
    // spelling their strings; likewise the commands and events, and the section headings.
    let codes = ErrorCode::ALL.iter().map(|c| c.as_str());
    out.push_str(&const_object(
        "ErrorCode",
        codes.chain(["unknown"]),
        "ErrorCode",
    ));
    let commands = crate::ipc_names::COMMANDS.iter().copied();
    out.push_str(&const_object("Command", commands, ""));
    out.push_str("export type Command = (typeof Command)[keyof typeof Command];\n\n");
    let events = crate::ipc_names::EVENTS.iter().copied();
    out.push_str(&const_object("AppEvent", events, ""));
    out.push_str("/** The heading of each section (`Section::label`). */\n");
    out.push_str("export const sectionLabel: Record<Section, string> = {\n");
    for section in Section::ALL.iter().chain([&Section::Unknown]) {
        let label = serde_json::to_string(section.label()).unwrap_or_default();
        out.push_str(&format!("  {}: {label},\n", section.code()));
    }
    out.push_str("};\n");
    out
}

/// `export const Name = { SnakeCase: "snake_case", … } as const`, checked against `ty` when
/// given (every value must be one of the type's).
fn const_object<'a>(name: &str, values: impl Iterator<Item = &'a str>, ty: &str) -> String {
    let mut out = format!("export const {name} = {{\n");
    for value in values {
        let key: String = value
            .split(['_', '-'])
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect();
        out.push_str(&format!("  {key}: \"{value}\",\n"));
    }
    out.push_str("} as const");
    if !ty.is_empty() {
        out.push_str(&format!(" satisfies Record<string, {ty}>"));
    }
    out.push_str(";\n\n");
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    /// The UI's `ipc.ts` is what the Rust types say (`UPDATE_BINDINGS=1` rewrites it).
    #[test]
    fn typescript_bindings_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/ipc.ts");
        let expected = super::typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &expected).unwrap();
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        if actual != expected {
            panic!("ui/src/lib/ipc.ts is stale: run `make bindings`");
        }
    }

    /// The one command list (`ipc_names::COMMANDS`) is what commands.rs defines and registers
    /// and what the window's capability allows, neither more nor less.
    #[test]
    fn the_command_list_is_the_one_registered_and_allowed() {
        use std::collections::BTreeSet;

        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let listed: BTreeSet<String> = crate::ipc_names::COMMANDS
            .iter()
            .map(|c| c.to_string())
            .collect();
        assert_eq!(
            listed.len(),
            crate::ipc_names::COMMANDS.len(),
            "a command listed twice"
        );

        let source = std::fs::read_to_string(root.join("src/commands.rs")).unwrap();
        let defined: BTreeSet<String> = source
            .split("#[tauri::command]")
            .skip(1)
            .map(|rest| {
                let signature = rest.split('(').next().unwrap();
                signature.split_whitespace().last().unwrap().to_string()
            })
            .collect();
        assert_eq!(
            defined, listed,
            "#[tauri::command] functions of commands.rs"
        );

        let handler = source
            .split("generate_handler![")
            .nth(1)
            .and_then(|rest| rest.split(']').next())
            .unwrap();
        let registered: BTreeSet<String> = handler
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        assert_eq!(registered, listed, "generate_handler! of commands.rs");

        let capability: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("capabilities/default.json")).unwrap(),
        )
        .unwrap();
        let allowed: BTreeSet<String> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
            .map(|p| p.replace('-', "_"))
            .collect();
        assert_eq!(
            allowed, listed,
            "allow-… permissions of capabilities/default.json"
        );
    }
}
