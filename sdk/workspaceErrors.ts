/** Errors of the workspace API, beside the user API's in errors.ts. */
import { NotFoundError, WallarooError, WallarooErrorDetails } from "./errors";

/**
 * The workspace id is not among the workspaces a well-formed `list` answer showed
 * this account. Never raised from a status code alone (a 404, a proxy's 400).
 */
export class WorkspaceNotFoundError extends NotFoundError {
  readonly workspaceId: number;
  constructor(summary: string, details: WallarooErrorDetails & { workspaceId: number }) {
    super(summary, details);
    this.workspaceId = details.workspaceId;
  }
}

/** More than one workspace carries the name asked for; the client does not guess which is meant. */
export class AmbiguousWorkspaceNameError extends WallarooError {
  readonly workspaceName: string;
  /** Every id carrying the name, ascending. */
  readonly workspaceIds: number[];
  constructor(summary: string, details: WallarooErrorDetails & { workspaceName: string; workspaceIds: number[] }) {
    super("WALLAROO_AMBIGUOUS", summary, details);
    this.workspaceName = details.workspaceName;
    this.workspaceIds = details.workspaceIds;
  }
}

/** `create` was refused because the name is taken (servers that keep names unique). */
export class WorkspaceNameTakenError extends WallarooError {
  readonly workspaceName: string;
  /** The ids already carrying the name, when a lookup could tell. */
  readonly existingWorkspaceIds: number[];
  constructor(
    summary: string,
    details: WallarooErrorDetails & { workspaceName: string; existingWorkspaceIds: number[] },
  ) {
    super("WALLAROO_ALREADY_EXISTS", summary, details);
    this.workspaceName = details.workspaceName;
    this.existingWorkspaceIds = details.existingWorkspaceIds;
  }
}
