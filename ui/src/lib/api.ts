// Typed wrappers of the Tauri commands (src-tauri/src/commands.rs). The types and the
// command and event names come from the Rust side (ipc.ts is generated; api.test.ts checks
// that every command has its wrapper); every failure is an ErrorBody {code, message}.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { AppEvent, Command, ErrorCode } from "./ipc";
import type {
  AccountStatus,
  ChangePasswordRequest,
  CreateUserRequest,
  DemoFile,
  ErrorBody,
  HabilitationGrant,
  ManageCall,
  ManageReply,
  ReviewRequest,
  TracePageQuery,
  HoursView,
  LookupRequest,
  LookupResponse,
  NirCheck,
  PrepareProgress,
  Profile,
  SessionView,
  SignInArgs,
  StartupView,
  Tick,
  Violation,
} from "./ipc";

export function isErrorBody(e: unknown): e is ErrorBody {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as ErrorBody).code === "string" &&
    typeof (e as ErrorBody).message === "string"
  );
}

const UNEXPECTED = "Une erreur inattendue est survenue. Réessayez ; si elle persiste, redémarrez Guichet.";

/** Any rejection as an ErrorBody, with a French message for the unexpected ones. */
export function asError(e: unknown): ErrorBody {
  if (isErrorBody(e)) return e;
  return {
    code: ErrorCode.Internal,
    message: UNEXPECTED,
    retry_after_s: null,
    violations: null,
    reopens_at: null,
  };
}

type Op = ManageCall["op"];
type Kind = ManageReply["kind"];

/** The reply kind each management call answers. Typed over every `op` of the Rust enum: an
 * op added there fails the type check here until its reply is named. */
export const manageReplyKind = {
  my_traces: "traces",
  delegations: "delegations",
  users: "users",
  create_user: "created",
  set_status: "done",
  reset_password: "password",
  grant: "done",
  revoke: "done",
  set_manager: "done",
  groups: "groups",
  create_group: "group",
  delete_group: "done",
  set_member: "done",
  grant_group: "affected",
  revoke_group: "affected",
  partner_traces: "traces",
  reviews: "reviews",
  review: "done",
  review_csv: "document",
  review_page: "document",
  caisse_partners: "partners",
  caisse_conventions: "conventions",
  caisse_users: "users",
  caisse_groups: "groups",
  caisse_register_user: "created",
  caisse_set_status: "done",
  caisse_reset_password: "password",
  caisse_grant: "done",
  caisse_revoke: "done",
  caisse_suspend: "done",
  caisse_force_user_change: "done",
  caisse_force_partner_change: "affected",
  caisse_delegation: "done",
  caisse_suspend_late: "affected",
  caisse_traces: "traces",
  caisse_stats: "stats",
  caisse_flags: "signals",
} as const satisfies Record<Op, Kind>;

/** The value a reply kind carries (nothing for `done`). */
type ValueOf<K extends Kind> = Extract<ManageReply, { kind: K }> extends { value: infer V } ? V : void;
/** What a call's helper resolves to. */
type Answer<O extends Op> = ValueOf<(typeof manageReplyKind)[O]>;

/** A reply of another kind than the call's: a backend out of step with this UI. */
function unexpectedReply(op: Op, kind: string): ErrorBody {
  return {
    code: ErrorCode.Internal,
    message: `${UNEXPECTED} (réponse « ${kind} » à « ${op} »)`,
    retry_after_s: null,
    violations: null,
    reopens_at: null,
  };
}

/** Sends one management call and unwraps its reply, checking its kind. */
async function run<O extends Op>(op: O, fields: Omit<Extract<ManageCall, { op: O }>, "op">): Promise<Answer<O>> {
  const call = { op, ...fields } as ManageCall;
  const reply = await invoke<ManageReply>(Command.Manage, { call });
  if (reply?.kind !== manageReplyKind[op]) throw unexpectedReply(op, String(reply?.kind));
  return ("value" in reply ? reply.value : undefined) as Answer<O>;
}

export const api = {
  startup: () => invoke<StartupView>(Command.Startup),
  prepare: (profile: string) => invoke<void>(Command.Prepare, { profile }),
  signIn: (args: SignInArgs) => invoke<SessionView>(Command.SignIn, { args }),
  changePassword: (request: ChangePasswordRequest) =>
    invoke<SessionView>(Command.ChangePassword, { request }),
  checkPassword: (candidate: string, identifiant: string) =>
    invoke<Violation[]>(Command.CheckPassword, { candidate, identifiant }),
  checkNir: (nir: string) => invoke<NirCheck>(Command.CheckNir, { nir }),
  lookup: (request: LookupRequest) => invoke<LookupResponse>(Command.Lookup, { request }),
  hours: (service: string) => invoke<HoursView>(Command.Hours, { service }),
  activity: () => invoke<void>(Command.Activity),
  signOut: () => invoke<void>(Command.SignOut),
  copyText: (text: string) => invoke<void>(Command.CopyText, { text }),
  saveProfile: (profile: Profile) => invoke<void>(Command.SaveProfile, { profile }),
  deleteProfile: (name: string) => invoke<void>(Command.DeleteProfile, { name }),
  forgetCredentials: (profile: string) => invoke<void>(Command.ForgetCredentials, { profile }),
  /** "Rester connecté" (the server hears that the session is in use). */
  keepAlive: () => invoke<void>(Command.KeepAlive),
  /** The sample files of the bundled database; rejects (`not_found`) on a real server. */
  demoFiles: (service: string) => invoke<DemoFile[]>(Command.DemoFiles, { service }),
  /** One management call as it travels; the typed helpers below unwrap its reply. */
  manage: (call: ManageCall) => invoke<ManageReply>(Command.Manage, { call }),

  /** What every signed-in user may read of their own (GDPR art. 15, R-21). */
  me: {
    traces: (page: TracePageQuery) => run("my_traces", { page }),
  },
  /** A partner's managers. */
  admin: {
    delegations: () => run("delegations", {}),
    users: () => run("users", {}),
    createUser: (request: CreateUserRequest) => run("create_user", { request }),
    setStatus: (identifiant: string, status: AccountStatus) => run("set_status", { identifiant, status }),
    resetPassword: (identifiant: string) => run("reset_password", { identifiant }),
    grant: (identifiant: string, grant: HabilitationGrant) => run("grant", { identifiant, grant }),
    revoke: (identifiant: string, service: string) => run("revoke", { identifiant, service }),
    setManager: (identifiant: string, manager: boolean) => run("set_manager", { identifiant, manager }),
    groups: () => run("groups", {}),
    createGroup: (name: string) => run("create_group", { name }),
    deleteGroup: (name: string) => run("delete_group", { name }),
    setMember: (name: string, identifiant: string, member: boolean) =>
      run("set_member", { name, identifiant, member }),
    grantGroup: (name: string, grant: HabilitationGrant) => run("grant_group", { name, grant }),
    revokeGroup: (name: string, service: string) => run("revoke_group", { name, service }),
    traces: (page: TracePageQuery) => run("partner_traces", { page }),
    reviews: () => run("reviews", {}),
    review: (request: ReviewRequest) => run("review", { request }),
    reviewCsv: () => run("review_csv", {}),
    reviewPage: () => run("review_page", {}),
  },
  /** A caisse's operators. */
  caisse: {
    partners: () => run("caisse_partners", {}),
    conventions: (tiers: string) => run("caisse_conventions", { tiers }),
    users: (tiers: string) => run("caisse_users", { tiers }),
    groups: (tiers: string) => run("caisse_groups", { tiers }),
    registerUser: (tiers: string, request: CreateUserRequest) => run("caisse_register_user", { tiers, request }),
    setStatus: (identifiant: string, status: AccountStatus) => run("caisse_set_status", { identifiant, status }),
    resetPassword: (identifiant: string) => run("caisse_reset_password", { identifiant }),
    grant: (identifiant: string, grant: HabilitationGrant) => run("caisse_grant", { identifiant, grant }),
    revoke: (identifiant: string, service: string) => run("caisse_revoke", { identifiant, service }),
    suspend: (identifiant: string, service: string, suspended: boolean) =>
      run("caisse_suspend", { identifiant, service, suspended }),
    forceUserChange: (identifiant: string) => run("caisse_force_user_change", { identifiant }),
    forcePartnerChange: (tiers: string) => run("caisse_force_partner_change", { tiers }),
    setDelegationWithdrawn: (tiers: string, withdrawn: boolean) => run("caisse_delegation", { tiers, withdrawn }),
    suspendLate: (tiers: string) => run("caisse_suspend_late", { tiers }),
    traces: (page: TracePageQuery) => run("caisse_traces", { page }),
    stats: (month: string) => run("caisse_stats", { month }),
    flags: (since: string) => run("caisse_flags", { since }),
  },
};

export function onWatchdog(f: (tick: Tick) => void): Promise<UnlistenFn> {
  return listen<Tick>(AppEvent.Watchdog, (e) => f(e.payload));
}

export function onPrepareProgress(f: (p: PrepareProgress) => void): Promise<UnlistenFn> {
  return listen<PrepareProgress>(AppEvent.PrepareProgress, (e) => f(e.payload));
}
