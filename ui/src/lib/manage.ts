// Shapes shared by the management screens (issue 23): what a grant form offers, and the
// user actions a manager or a caisse operator may take. Every rule is
// the backend's; these only say which call each button makes.
import type { AccountStatus, CreateUserRequest, CreatedUser, HabilitationGrant, TemporaryPassword } from "./ipc";

/** A service a grant may name, with the départements of its convention. */
export type GrantableService = { service: string; departements: string[] };

/** The calls behind the user table's buttons; an absent one hides its buttons. */
export type UserOps = {
  setStatus: (identifiant: string, status: AccountStatus) => Promise<void>;
  resetPassword: (identifiant: string) => Promise<TemporaryPassword>;
  grant: (identifiant: string, grant: HabilitationGrant) => Promise<void>;
  revoke: (identifiant: string, service: string) => Promise<void>;
  /** a partner's administrator appoints delegated managers. */
  setManager?: (identifiant: string, manager: boolean) => Promise<void>;
  /** the caisse's own suspension of one habilitation. */
  suspend?: (identifiant: string, service: string, suspended: boolean) => Promise<void>;
  /** The caisse makes a user change their password at the next sign-in. */
  forceChange?: (identifiant: string) => Promise<void>;
};

/** The account-creation form: a manager's "create" or a caisse's "register". */
export type CreateForm = {
  /** The fields' ids: `${idPrefix}-name`, `-email`, `-service`. */
  idPrefix: string;
  title: string;
  /** What the form is for, under its title. */
  hint?: string;
  submitLabel: string;
  run: (request: CreateUserRequest) => Promise<CreatedUser>;
};
