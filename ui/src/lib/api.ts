// Typed wrappers of the Tauri commands (src-tauri/src/commands.rs). The types come from
// the Rust side (ipc.ts is generated); every failure is an ErrorBody {code, message}.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  ChangePasswordRequest,
  ErrorBody,
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

/** Any rejection as an ErrorBody, with a French message for the unexpected ones. */
export function asError(e: unknown): ErrorBody {
  if (isErrorBody(e)) return e;
  return {
    code: "internal",
    message: "Une erreur inattendue est survenue. Réessayez ; si elle persiste, redémarrez Guichet.",
    retry_after_s: null,
    violations: null,
    reopens_at: null,
  };
}

export const api = {
  startup: () => invoke<StartupView>("startup"),
  prepare: (profile: string) => invoke<void>("prepare", { profile }),
  signIn: (args: SignInArgs) => invoke<SessionView>("sign_in", { args }),
  changePassword: (request: ChangePasswordRequest) =>
    invoke<SessionView>("change_password", { request }),
  checkPassword: (candidate: string, identifiant: string) =>
    invoke<Violation[]>("check_password", { candidate, identifiant }),
  checkNir: (nir: string) => invoke<NirCheck>("check_nir", { nir }),
  lookup: (request: LookupRequest) => invoke<LookupResponse>("lookup", { request }),
  hours: (service: string) => invoke<HoursView>("hours", { service }),
  activity: () => invoke<void>("activity"),
  signOut: () => invoke<void>("sign_out"),
  copyText: (text: string) => invoke<void>("copy_text", { text }),
  saveProfile: (profile: Profile) => invoke<void>("save_profile", { profile }),
  deleteProfile: (name: string) => invoke<void>("delete_profile", { name }),
  forgetCredentials: (profile: string) => invoke<void>("forget_credentials", { profile }),
};

export function onWatchdog(f: (tick: Tick) => void): Promise<UnlistenFn> {
  return listen<Tick>("watchdog", (e) => f(e.payload));
}

export function onPrepareProgress(f: (p: PrepareProgress) => void): Promise<UnlistenFn> {
  return listen<PrepareProgress>("prepare-progress", (e) => f(e.payload));
}
