// Generated from the Rust types by ts-rs (src-tauri/src/ipc.rs): do not edit.
// `make bindings` rewrites it; a test fails when it is stale.

export type UserInfo = { identifiant: string, display_name: string, 
/**
 * A test account (MSA staff testing partner access): a client may remember its
 * password on a non-production profile.
 */
test_account: boolean, };

export type PartnerInfo = { tiers: string, name: string, };

export type ServiceInfo = { code: string, label: string, sections: Array<Section>, idle_timeout_s: number, caisse: string, departements: Array<string>, 
/**
 * Opening hours, Paris time (`05:00-23:00`, or `24/7`), caisse and service combined
 * `05:00-23:00 & 07:00-19:00` when both count (see `CombinedHours`).
 */
hours: string, 
/**
 * CDAP T4: the lookup asks for the user's numéro instructeur.
 */
numero_instructeur: boolean, 
/**
 * CDAP T20: the dated parts of a file are cut to this many months before today.
 */
history_months?: number | null, };

export type Section = "coordonnees" | "situation_familiale" | "ressources" | "recherche" | "quotient_familial" | "droits" | "rsa" | "adresse" | "unknown";

export type ChangePasswordRequest = { current_password: string, new_password: string, };

export type LookupRequest = { service: string, 
/**
 * As typed: spaces and dots between groups are accepted.
 */
nir: string, name: string, 
/**
 * Date of the "Recherche" (resources and QF in force); today when absent.
 */
as_of?: string | null, 
/**
 * CDAP T4: the user's numéro instructeur (1 to 20 letters, digits or hyphens), kept
 * in the lookup's trace. Ignored by the other services.
 */
numero_instructeur?: string | null, };

export type LookupResponse = { outcome: LookupOutcome, message: string, dossier?: DossierView | null, };

export type LookupOutcome = "found" | "not_found" | "out_of_scope" | "opposition" | "not_eligible";

export type ErrorBody = { code: ErrorCode, message: string, 
/**
 * `account_locked`, `rate_limited`: seconds before trying again.
 */
retry_after_s?: number | null, 
/**
 * `password_policy`: every rule the new password breaks.
 */
violations?: Array<Violation> | null, 
/**
 * `service_closed`: when lookups are answered again.
 */
reopens_at?: string | null, };

export type ErrorCode = "invalid_credentials" | "account_locked" | "account_disabled" | "temporary_password_expired" | "session_expired" | "password_change_required" | "password_policy" | "service_not_granted" | "unknown_service" | "service_closed" | "nir_malformed" | "nir_key_mismatch" | "name_malformed" | "rate_limited" | "numero_instructeur_required" | "invalid_input" | "not_found" | "conflict" | "quota_reached" | "not_a_manager" | "not_an_operator" | "outside_convention" | "delegation_withdrawn" | "console_only" | "own_account" | "identifiant_taken" | "end_date_required" | "invalid_body" | "payload_too_large" | "unsupported_media_type" | "method_not_allowed" | "busy" | "timeout" | "unavailable" | "internal" | "trace_key_required" | "invalid_url" | "invalid_ca" | "server_unreachable" | "tls_error" | "bad_response" | "unknown_profile" | "invalid_profile" | "profiles_pinned" | "last_profile" | "bundled_forbidden" | "bundled_unavailable" | "settings_unwritable" | "keychain_unavailable" | "clipboard_unavailable" | "policy_refused" | "unknown";

export type PasswordRules = { min_length: number, max_length: number, 
/**
 * How many previous passwords may not be reused.
 */
history: number, };

export type Violation = { code: string, message: string, };

export type DossierView = { service: string, sections: Array<Section>, coordonnees?: ContactDetails | null, situation_familiale?: FamilySituation | null, ressources?: Array<YearlyResources> | null, quotient_familial?: Array<QuotientFamilial> | null, recherche?: InForce | null, droits?: Array<Benefit> | null, rsa?: RsaRight | null, adresse?: Address | null, };

export type Period = { start: string, end: string | null, };

export type ContactDetails = { allocataire_number: string, civility: Civility, first_name: string, birth_name: string, usage_name: string | null, birth_date: string, };

export type Civility = "madame" | "monsieur";

export type Address = { line1: string, line2: string | null, postcode: string, city: string, };

export type FamilySituation = { status: FamilyStatus, partner: Person | null, children: Array<Child>, };

export type FamilyStatus = "couple" | "single";

export type Person = { first_name: string, last_name: string, birth_date: string, };

export type Child = { first_name: string, birth_date: string, 
/**
 * The child receives the AEEH (disabled child): R-31 takes the PSU rate one row
 * further down the table.
 */
disabled: boolean, };

export type YearlyResources = { reference_year: number, validity: Period, allocataire_cents: number, partner_cents: number, };

export type QuotientFamilial = { validity: Period, amount: number, };

export type RsaRight = { state: RsaState, period: Period, monthly_cents: number, payments: Array<RsaPayment>, };

export type RsaState = "open" | "suspended" | "closed";

export type RsaPayment = { 
/**
 * First day of the month paid.
 */
month: string, amount_cents: number, };

export type Benefit = { 
/**
 * Short code as the caisse writes it: `AF`, `ALF`, `APL`, `PAJE`, `CMG`, `AEEH`, `RSA`…
 */
code: string, label: string, period: Period, monthly_cents: number, };

export type InForce = { date: string, resources: YearlyResources | null, quotient: QuotientFamilial | null, 
/**
 * `null` when the service computes none, or when none can be computed at the
 * date (then `participation_reason` says why).
 */
participation: Participation | null, participation_reason: NoParticipation | null, };

export type Participation = { care: CareType, 
/**
 * Annual resources (allocataire + conjoint) / 12, rounded to the cent for display.
 */
resources_monthly_cents: number, floor_cents: number, ceiling_cents: number, 
/**
 * The monthly resources bounded by the floor and the ceiling (rounded for display).
 */
base_monthly_cents: number, 
/**
 * Dependent children at the date (under 20).
 */
children: number, 
/**
 * Of them, those receiving the AEEH: one row further down the rates each.
 */
aeeh_children: number, 
/**
 * Parts per million of the monthly resources: 619 for 0.0619 %.
 */
effort_rate_ppm: number, 
/**
 * The hourly participation, rounded once, half up, to the cent.
 */
hourly_cents: number, bareme: BaremeUsed, };

export type NoParticipation = "no_resources" | "no_bareme" | "no_dependent_child";

export type CareType = "collective" | "familial" | "parental";

export type BaremeUsed = { floor: Cited, ceiling: Cited, rate: Cited, };

export type Cited = { period: Period, source: string, confirmed: boolean, };

export type DelegationInfo = { service: string, convention: string, caisse: string, departements: Array<string>, 
/**
 * Habilitations in force allowed at once; none: no quota.
 */
quota: number | null, used: number, };

export type ManagedUserInfo = { identifiant: string, display_name: string, email: string, status: AccountStatus, 
/**
 * `administrator`, `deputy`, `manager`, or none for a plain user.
 */
role: string | null, must_change_password: boolean, habilitations: Array<HabilitationInfo>, };

export type AccountStatus = "active" | "suspended" | "deactivated";

export type HabilitationInfo = { service: string, 
/**
 * The départements it reaches (the convention's, or the subset it was granted on).
 */
departements: Array<string>, granted_at: string, ends_at: string | null, granted_by: string | null, 
/**
 * issue 22: why it is suspended, when it is: `caisse` (the caisse's own
 * suspension, lifted by that caisse only) or `late_review` (lifted when the partner's
 * administrator confirms it in the yearly review).
 */
suspended_by: string | null, };

export type CreateUserRequest = { 
/**
 * First and last name, as the user's colleagues know them.
 */
name: string, email: string, habilitations: Array<HabilitationGrant>, };

export type HabilitationGrant = { service: string, 
/**
 * some of the convention's départements only; all of them when absent.
 */
departements?: Array<string> | null, 
/**
 * Last day of a temporary habilitation (required by CDAP T16).
 */
ends_on?: string | null, };

export type CreatedUser = { identifiant: string, temporary_password: string, };

export type ReviewInfo = { identifiant: string, service: string, granted_at: string, reviewed_at: string | null, reviewed_by: string | null, 
/**
 * A year after the grant or the last review.
 */
due_at: string, late: boolean, 
/**
 * suspended by the caisse (for a late review) until confirmed.
 */
suspended: boolean, };

export type ReviewRequest = { identifiant: string, service: string, decision: ReviewDecision, };

export type ReviewDecision = "confirm" | "remove";

export type SupervisedPartner = { tiers: string, name: string, 
/**
 * `active` or `suspended`.
 */
status: string, 
/**
 * some of its conventions are managed by the partner itself.
 */
delegated: boolean, 
/**
 * the caisse has taken the management back.
 */
delegation_withdrawn: boolean, 
/**
 * habilitations whose yearly review is late.
 */
late_reviews: number, };

export type ManageCall = { "op": "my_traces", page: TracePageQuery, } | { "op": "delegations", } | { "op": "users", } | { "op": "create_user", request: CreateUserRequest, } | { "op": "set_status", identifiant: string, status: AccountStatus, } | { "op": "reset_password", identifiant: string, } | { "op": "grant", identifiant: string, grant: HabilitationGrant, } | { "op": "revoke", identifiant: string, service: string, } | { "op": "set_manager", identifiant: string, manager: boolean, } | { "op": "groups", } | { "op": "create_group", name: string, } | { "op": "delete_group", name: string, } | { "op": "set_member", name: string, identifiant: string, member: boolean, } | { "op": "grant_group", name: string, grant: HabilitationGrant, } | { "op": "revoke_group", name: string, service: string, } | { "op": "partner_traces", page: TracePageQuery, } | { "op": "reviews", } | { "op": "review", request: ReviewRequest, } | { "op": "review_csv", } | { "op": "review_page", } | { "op": "caisse_partners", } | { "op": "caisse_conventions", tiers: string, } | { "op": "caisse_users", tiers: string, } | { "op": "caisse_groups", tiers: string, } | { "op": "caisse_register_user", tiers: string, request: CreateUserRequest, } | { "op": "caisse_set_status", identifiant: string, status: AccountStatus, } | { "op": "caisse_reset_password", identifiant: string, } | { "op": "caisse_grant", identifiant: string, grant: HabilitationGrant, } | { "op": "caisse_revoke", identifiant: string, service: string, } | { "op": "caisse_suspend", identifiant: string, service: string, suspended: boolean, } | { "op": "caisse_force_user_change", identifiant: string, } | { "op": "caisse_force_partner_change", tiers: string, } | { "op": "caisse_delegation", tiers: string, withdrawn: boolean, } | { "op": "caisse_suspend_late", tiers: string, } | { "op": "caisse_traces", page: TracePageQuery, } | { "op": "caisse_stats", month: string, } | { "op": "caisse_flags", since: string, };

export type ManageReply = { "kind": "done" } | { "kind": "traces", "value": TraceEntries } | { "kind": "delegations", "value": Array<DelegationInfo> } | { "kind": "users", "value": Array<ManagedUserInfo> } | { "kind": "created", "value": CreatedUser } | { "kind": "password", "value": TemporaryPassword } | { "kind": "groups", "value": Array<GroupInfo> } | { "kind": "group", "value": GroupInfo } | { "kind": "affected", "value": Affected } | { "kind": "reviews", "value": Array<ReviewInfo> } | { "kind": "document", "value": string } | { "kind": "partners", "value": Array<SupervisedPartner> } | { "kind": "conventions", "value": Array<ConventionInfo> } | { "kind": "stats", "value": Array<MonthlyStat> } | { "kind": "signals", "value": Array<AbuseSignal> };

export type TracePageQuery = { 
/**
 * Traces in the page, 1 to 500 (100 when absent).
 */
limit?: number | null, 
/**
 * The cursor: only traces older than this one (the `next_before` of the previous page).
 */
before?: number | null, 
/**
 * Issue 23: only this user's traces (an identifiant).
 */
user?: string | null, 
/**
 * Only the traces of this service (its code).
 */
service?: string | null, 
/**
 * From this day on (Paris time, included).
 */
since?: string | null, 
/**
 * Up to this day (Paris time, included).
 */
until?: string | null, };

export type TraceEntries = { entries: Array<TraceEntry>, 
/**
 * The `before` of the next (older) page; absent on the last page.
 */
next_before: number | null, };

export type TraceEntry = { at: string, 
/**
 * Whose action (the user's own in `/me/traces`).
 */
identifiant: string | null, 
/**
 * `sign_in`, `sign_out`, `password_change`, `lookup`, `timeout`, `admin`.
 */
kind: string, service: string | null, outcome: string, address: string | null, };

export type AccountStatusRequest = { status: AccountStatus, };

export type TemporaryPassword = { temporary_password: string, };

export type GroupInfo = { name: string, 
/**
 * The members' identifiants.
 */
members: Array<string>, created_by: string, created_at: string, };

export type Affected = { count: number, };

export type ConventionInfo = { number: string, service: string, caisse: string, departements: Array<string>, starts_on: string, 
/**
 * the day notice was received, and the convention's last day.
 */
notice_on: string | null, ends_on: string | null, 
/**
 * `active`, `suspended` or `terminated`.
 */
status: string, 
/**
 * its habilitations are granted by the partner's managers (within `quota`);
 * otherwise by the caisse.
 */
delegated: boolean, 
/**
 * the caisse took the delegation back.
 */
delegation_withdrawn: boolean, quota: number | null, };

export type MonthlyStat = { partner: string | null, identifiant: string | null, service: string | null, 
/**
 * `sign_in`, `lookup`, …
 */
kind: string, outcome: string, count: number, };

export type AbuseSignal = { identifiant: string, partner: string | null, 
/**
 * In French, for the agent ("12 réponses « aucun dossier » d'affilée").
 */
reason: string, from: string, to: string, };

export type Environment = "production" | "recette" | "demo";

export type Profile = { name: string, 
/**
 * `https://…` of a guichet-server, or `bundled`.
 */
url: string, caisse: string, environment: Environment, 
/**
 * the municipality's QF brackets for this profile (the machine policy's win).
 */
qf_grid?: Array<QfBracket>, };

export type QfBracket = { label: string, from: number, to?: number | null, price_cents?: number | null, };

export type ProfileView = { profile: Profile, bundled: boolean, 
/**
 * The last identifiant used with this profile, from the keychain.
 */
remembered_identifiant: string | null, 
/**
 * A password is remembered for this profile (it never reaches the webview).
 */
remembered_password: boolean, };

export type PolicyView = { 
/**
 * A machine policy file is in force.
 */
managed: boolean, profiles_pinned: boolean, allow_bundled: boolean, allow_remember_password: boolean, idle_timeout_secs: number | null, error: string | null, };

export type WipeReason = "sign_out" | "idle" | "screen_locked" | "sleep" | "session_expired";

export type DemoFile = { 
/**
 * Grouped as typed.
 */
nir: string, name: string, 
/**
 * What a lookup answers.
 */
outcome: LookupOutcome, };

export type StartupView = { version: string, profiles: Array<ProfileView>, policy: PolicyView, 
/**
 * `None` when the keychain works; otherwise why it does not, in French.
 */
keychain_error: string | null, last_wipe: WipeReason | null, 
/**
 * The session still open (after a reload that was not a wipe).
 */
session: SessionView | null, };

export type SessionView = { profile: string, environment: Environment, user: UserInfo, partner: PartnerInfo, services: Array<ServiceInfo>, must_change_password: boolean, password_age_warning: boolean, 
/**
 * The idle delay the watchdog applies (the service's, lowered by the policy).
 */
idle_timeout_s: number, expires_at: string, 
/**
 * The password of this account may be remembered on this profile.
 */
can_remember_password: boolean, 
/**
 * the rules of this server, for the change form's hint.
 */
password_rules: PasswordRules, 
/**
 * `administrator`, `deputy` or `manager` of the partner, or none.
 */
partner_role: string | null, 
/**
 * A caisse operator's caisse, or none.
 */
operator_of: string | null, 
/**
 * the QF brackets in force on this workstation for this profile (often none).
 */
qf_grid: Array<QfBracket>, };

export type SignInArgs = { profile: string, identifiant: string, 
/**
 * Empty to use the password remembered in the keychain.
 */
password: string, remember_identifiant: boolean, remember_password: boolean, };

export type NirCheck = { valid: boolean, 
/**
 * `nir_malformed` or `nir_key_mismatch`.
 */
code: ErrorCode | null, message: string | null, 
/**
 * Shorter than a NIR and otherwise fine so far: not worth a red message while typing.
 */
incomplete: boolean, };

export type HoursView = { open: boolean, 
/**
 * When it reopens, Paris time `HH:MM`.
 */
reopens_hhmm: string | null, reopens_at: string | null, };

export type PrepareProgress = { done: number, total: number, };

export type Tick = { "state": "disarmed" } | { "state": "active", remaining_s: number, } | { "state": "warning", remaining_s: number, } | { "state": "expired" };

export const ErrorCode = {
  InvalidCredentials: "invalid_credentials",
  AccountLocked: "account_locked",
  AccountDisabled: "account_disabled",
  TemporaryPasswordExpired: "temporary_password_expired",
  SessionExpired: "session_expired",
  PasswordChangeRequired: "password_change_required",
  PasswordPolicy: "password_policy",
  ServiceNotGranted: "service_not_granted",
  UnknownService: "unknown_service",
  ServiceClosed: "service_closed",
  NirMalformed: "nir_malformed",
  NirKeyMismatch: "nir_key_mismatch",
  NameMalformed: "name_malformed",
  RateLimited: "rate_limited",
  NumeroInstructeurRequired: "numero_instructeur_required",
  InvalidInput: "invalid_input",
  NotFound: "not_found",
  Conflict: "conflict",
  QuotaReached: "quota_reached",
  NotAManager: "not_a_manager",
  NotAnOperator: "not_an_operator",
  OutsideConvention: "outside_convention",
  DelegationWithdrawn: "delegation_withdrawn",
  ConsoleOnly: "console_only",
  OwnAccount: "own_account",
  IdentifiantTaken: "identifiant_taken",
  EndDateRequired: "end_date_required",
  InvalidBody: "invalid_body",
  PayloadTooLarge: "payload_too_large",
  UnsupportedMediaType: "unsupported_media_type",
  MethodNotAllowed: "method_not_allowed",
  Busy: "busy",
  Timeout: "timeout",
  Unavailable: "unavailable",
  Internal: "internal",
  TraceKeyRequired: "trace_key_required",
  InvalidUrl: "invalid_url",
  InvalidCa: "invalid_ca",
  ServerUnreachable: "server_unreachable",
  TlsError: "tls_error",
  BadResponse: "bad_response",
  UnknownProfile: "unknown_profile",
  InvalidProfile: "invalid_profile",
  ProfilesPinned: "profiles_pinned",
  LastProfile: "last_profile",
  BundledForbidden: "bundled_forbidden",
  BundledUnavailable: "bundled_unavailable",
  SettingsUnwritable: "settings_unwritable",
  KeychainUnavailable: "keychain_unavailable",
  ClipboardUnavailable: "clipboard_unavailable",
  PolicyRefused: "policy_refused",
  Unknown: "unknown",
} as const satisfies Record<string, ErrorCode>;

export const Command = {
  Startup: "startup",
  Prepare: "prepare",
  SignIn: "sign_in",
  ChangePassword: "change_password",
  CheckPassword: "check_password",
  CheckNir: "check_nir",
  Lookup: "lookup",
  Hours: "hours",
  Activity: "activity",
  SignOut: "sign_out",
  CopyText: "copy_text",
  SaveProfile: "save_profile",
  DeleteProfile: "delete_profile",
  ForgetCredentials: "forget_credentials",
  KeepAlive: "keep_alive",
  DemoFiles: "demo_files",
  Manage: "manage",
} as const;

export type Command = (typeof Command)[keyof typeof Command];

export const AppEvent = {
  Watchdog: "watchdog",
  PrepareProgress: "prepare-progress",
} as const;

/** The heading of each section (`Section::label`). */
export const sectionLabel: Record<Section, string> = {
  coordonnees: "Coordonnées du dossier",
  situation_familiale: "Situation familiale",
  ressources: "Ressources hors prestations familiales",
  recherche: "Recherche par date",
  quotient_familial: "Montant du QF",
  droits: "Droits",
  rsa: "RSA",
  adresse: "Adresse",
  unknown: "Rubrique inconnue",
};
