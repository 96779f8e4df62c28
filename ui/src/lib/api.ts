// Typed wrappers of the Tauri commands (src-tauri/src/commands.rs). The types and the
// command and event names come from the Rust side (ipc.ts is generated; api.test.ts checks
// that every command has its wrapper); every failure is an ErrorBody {code, message}.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { AppEvent, Command, ErrorCode } from "./ipc";
import type {
  ChangePasswordRequest,
  CreatedUser,
  CreateUserRequest,
  DelegationInfo,
  ErrorBody,
  ManagedUserInfo,
  ReviewInfo,
  ReviewRequest,
  SupervisedPartner,
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
  delegations: () => invoke<DelegationInfo[]>(Command.Delegations),
  managedUsers: () => invoke<ManagedUserInfo[]>(Command.ManagedUsers),
  createUser: (request: CreateUserRequest) => invoke<CreatedUser>(Command.CreateUser, { request }),
  reviews: () => invoke<ReviewInfo[]>(Command.Reviews),
  review: (request: ReviewRequest) => invoke<void>(Command.Review, { request }),
  supervisedPartners: () => invoke<SupervisedPartner[]>(Command.SupervisedPartners),
  setDelegationWithdrawn: (tiers: string, withdrawn: boolean) =>
    invoke<void>(Command.SetDelegationWithdrawn, { tiers, withdrawn }),
};

export function onWatchdog(f: (tick: Tick) => void): Promise<UnlistenFn> {
  return listen<Tick>(AppEvent.Watchdog, (e) => f(e.payload));
}

export function onPrepareProgress(f: (p: PrepareProgress) => void): Promise<UnlistenFn> {
  return listen<PrepareProgress>(AppEvent.PrepareProgress, (e) => f(e.payload));
}
