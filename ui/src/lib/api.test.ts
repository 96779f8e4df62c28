import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { api, asError, manageReplyKind } from "./api";
import { Command, ErrorCode } from "./ipc";
import type { HabilitationGrant, ManageCall, Profile, SignInArgs } from "./ipc";

afterEach(() => clearMocks());

describe("api", () => {
  it("has one wrapper per command of the Rust list, each invoking its own command", async () => {
    const invoked: string[] = [];
    mockIPC((cmd) => {
      invoked.push(cmd);
      return null;
    });
    const profile: Profile = { name: "p", url: "bundled", caisse: "", environment: "demo" };
    const args: SignInArgs = {
      profile: "p",
      identifiant: "i",
      password: "x",
      remember_identifiant: false,
      remember_password: false,
    };
    // `me`, `admin` and `caisse` hold the helpers of the one `manage` command (tested below).
    const calls: Record<Exclude<keyof typeof api, "me" | "admin" | "caisse">, () => Promise<unknown>> = {
      startup: () => api.startup(),
      prepare: () => api.prepare("p"),
      signIn: () => api.signIn(args),
      changePassword: () => api.changePassword({ current_password: "a", new_password: "b" }),
      checkPassword: () => api.checkPassword("c", "i"),
      checkNir: () => api.checkNir("1"),
      lookup: () => api.lookup({ service: "psu", nir: "1", name: "n" }),
      hours: () => api.hours("psu"),
      activity: () => api.activity(),
      signOut: () => api.signOut(),
      copyText: () => api.copyText("t"),
      saveProfile: () => api.saveProfile(profile),
      deleteProfile: () => api.deleteProfile("p"),
      forgetCredentials: () => api.forgetCredentials("p"),
      keepAlive: () => api.keepAlive(),
      demoFiles: () => api.demoFiles("psu"),
      manage: () => api.manage({ op: "users" }),
    };
    for (const call of Object.values(calls)) await call();
    expect(new Set(invoked)).toEqual(new Set(Object.values(Command)));
    expect(invoked).toHaveLength(Object.values(Command).length);
  });

  it("has one helper per management call, sending its op and unwrapping its reply", async () => {
    const sent: ManageCall[] = [];
    mockIPC((cmd, args) => {
      expect(cmd).toBe(Command.Manage);
      const call = (args as { call: ManageCall }).call;
      sent.push(call);
      const kind = manageReplyKind[call.op];
      return kind === "done" ? { kind } : { kind, value: `valeur de ${call.op}` };
    });
    const grant: HabilitationGrant = { service: "s", departements: null, ends_on: null };
    const request = { name: "n", email: "e@x", habilitations: [grant] };
    const calls: Record<ManageCall["op"], () => Promise<unknown>> = {
      my_traces: () => api.me.traces({}),
      delegations: () => api.admin.delegations(),
      users: () => api.admin.users(),
      create_user: () => api.admin.createUser(request),
      set_status: () => api.admin.setStatus("i", "suspended"),
      reset_password: () => api.admin.resetPassword("i"),
      grant: () => api.admin.grant("i", grant),
      revoke: () => api.admin.revoke("i", "s"),
      set_manager: () => api.admin.setManager("i", true),
      groups: () => api.admin.groups(),
      create_group: () => api.admin.createGroup("g"),
      delete_group: () => api.admin.deleteGroup("g"),
      set_member: () => api.admin.setMember("g", "i", true),
      grant_group: () => api.admin.grantGroup("g", grant),
      revoke_group: () => api.admin.revokeGroup("g", "s"),
      partner_traces: () => api.admin.traces({ limit: 10 }),
      reviews: () => api.admin.reviews(),
      review: () => api.admin.review({ identifiant: "i", service: "s", decision: "confirm" }),
      review_csv: () => api.admin.reviewCsv(),
      review_page: () => api.admin.reviewPage(),
      caisse_partners: () => api.caisse.partners(),
      caisse_conventions: () => api.caisse.conventions("t"),
      caisse_users: () => api.caisse.users("t"),
      caisse_groups: () => api.caisse.groups("t"),
      caisse_register_user: () => api.caisse.registerUser("t", request),
      caisse_set_status: () => api.caisse.setStatus("i", "active"),
      caisse_reset_password: () => api.caisse.resetPassword("i"),
      caisse_grant: () => api.caisse.grant("i", grant),
      caisse_revoke: () => api.caisse.revoke("i", "s"),
      caisse_suspend: () => api.caisse.suspend("i", "s", true),
      caisse_force_user_change: () => api.caisse.forceUserChange("i"),
      caisse_force_partner_change: () => api.caisse.forcePartnerChange("t"),
      caisse_delegation: () => api.caisse.setDelegationWithdrawn("t", true),
      caisse_suspend_late: () => api.caisse.suspendLate("t"),
      caisse_traces: () => api.caisse.traces({}),
      caisse_stats: () => api.caisse.stats("2026-11"),
      caisse_flags: () => api.caisse.flags("2026-11-01"),
    };
    for (const [op, call] of Object.entries(calls)) {
      const value = await call();
      expect(value).toBe(manageReplyKind[op as ManageCall["op"]] === "done" ? undefined : `valeur de ${op}`);
    }
    expect(sent.map((c) => c.op)).toEqual(Object.keys(calls));
    expect(new Set(Object.keys(calls))).toEqual(new Set(Object.keys(manageReplyKind)));
    // The call travels as the Rust enum reads it: its op beside its own fields only.
    expect(sent.find((c) => c.op === "set_member")).toEqual({ op: "set_member", name: "g", identifiant: "i", member: true });
    expect(sent.find((c) => c.op === "delegations")).toEqual({ op: "delegations" });
  });

  it("refuses a reply of another kind than the call's", async () => {
    mockIPC(() => ({ kind: "done" }));
    await expect(api.admin.users()).rejects.toMatchObject({ code: ErrorCode.Internal });
    mockIPC(() => null);
    await expect(api.caisse.partners()).rejects.toMatchObject({ code: ErrorCode.Internal });
  });

  it("turns any rejection into an ErrorBody, keeping the backend's own", () => {
    const body = { code: ErrorCode.RateLimited, message: "Trop de recherches.", retry_after_s: 30 };
    expect(asError(body)).toBe(body);
    const other = asError(new Error("boom"));
    expect(other.code).toBe(ErrorCode.Internal);
    expect(other.message).not.toContain("boom");
  });
});
