import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { api, asError } from "./api";
import { Command, ErrorCode } from "./ipc";
import type { Profile, SignInArgs } from "./ipc";

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
    const calls: Record<keyof typeof api, () => Promise<unknown>> = {
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
      delegations: () => api.delegations(),
      managedUsers: () => api.managedUsers(),
      createUser: () => api.createUser({ name: "n", email: "e@x", habilitations: [] }),
      reviews: () => api.reviews(),
      review: () => api.review({ identifiant: "i", service: "s", decision: "confirm" }),
      supervisedPartners: () => api.supervisedPartners(),
      setDelegationWithdrawn: () => api.setDelegationWithdrawn("t", true),
    };
    for (const call of Object.values(calls)) await call();
    expect(new Set(invoked)).toEqual(new Set(Object.values(Command)));
    expect(invoked).toHaveLength(Object.values(Command).length);
  });

  it("turns any rejection into an ErrorBody, keeping the backend's own", () => {
    const body = { code: ErrorCode.RateLimited, message: "Trop de recherches.", retry_after_s: 30 };
    expect(asError(body)).toBe(body);
    const other = asError(new Error("boom"));
    expect(other.code).toBe(ErrorCode.Internal);
    expect(other.message).not.toContain("boom");
  });
});
