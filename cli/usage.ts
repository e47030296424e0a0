/** The texts of `wallaroo-users --help` and of a usage error. */

export const PROGRAM = "wallaroo-users";

export const SYNOPSIS = `Usage: ${PROGRAM} list [--json] [connection options]
       ${PROGRAM} generate [--format ts|roster] [--out FILE] [connection options]
       ${PROGRAM} seats [--edition community|enterprise] [--limit N]
                      [--roster FILE | --program-users FILE] [--json] [connection options]
       ${PROGRAM} --help`;

export const HELP = `${PROGRAM}: list the users and workspaces of a Wallaroo instance, or generate the
Pulumi code that brings them under management (wallaroo.User, wallaroo.Workspace and
wallaroo.WorkspaceMember, adopting what exists without changing it).

${SYNOPSIS}

Commands:
  list                      Print the users as a table (email, active, id, created, and
                            federation when users come from a User Federation provider),
                            sorted by email; users without an email come last. Then,
                            when there are any, the workspaces with their members and
                            roles (workspace, id, archived, member, role).
  generate                  Print the users and workspaces as code to adopt them: a
                            Pulumi TypeScript program, or a team roster for
                            examples/team-roster (workspaces: { name: role } per user).
                            Users without an email are listed in a comment: the user
                            API addresses users by email, so they cannot be managed.
                            So are each user's personal default workspace
                            ("<email> - Default Workspace") and memberships of users
                            not managed. If the workspaces cannot be listed, a warning
                            says so and only the users are written.
  seats                     Print the licence seats: active users (by email), inactive
                            users, the limit and where the edition came from. With
                            --roster or --program-users (the emails a stack manages):
                            the exact unmanagedActiveUsers and the policy config to
                            paste for wallaroo-active-user-limit. With --roster: whether
                            the roster fits, counted as the policy counts live (the
                            active users after the update and the seats at its peak);
                            exit status 3 when it does not.
  help                      Show this help.

Options of list:
  --json                    Print a JSON array of users instead of the tables; each user
                            has "workspaces": [{workspaceId, name, role, archived}].

Options of seats:
  --edition E               community (5 active users) or enterprise (no limit). Default:
                            WALLAROO_EDITION, else community (reported as assumed).
  --limit N                 An explicit limit (the policy's maxActiveUsers).
  --roster FILE             A team roster (examples/team-roster): the stack's emails.
  --program-users FILE      A file of the stack's emails, one per line (# comments).
  --json                    Print JSON instead of text.

Options of generate:
  --format ts|roster        ts (default): a Pulumi program, one wallaroo.User per user,
                            one wallaroo.Workspace per workspace, one
                            wallaroo.WorkspaceMember per membership.
                            roster: a YAML roster (users: - email: ...).
  -o, --out FILE            Write to FILE instead of standard output.

Connection options (each overrides its environment variable):
  --url URL                 The Wallaroo API endpoint.                 WALLAROO_URL
  --auth-url URL            The Keycloak address (default: the URL).   WALLAROO_AUTH_URL
  --username NAME           Keycloak user for the password grant.      WALLAROO_USER
  --token TOKEN             A static bearer token.                     WALLAROO_TOKEN
                            Discouraged: a flag is visible to every user of this
                            machine in the process list. Prefer WALLAROO_TOKEN.
  --credentials-file FILE   A JSON file {"username": ..., "password": ...}.
                                                                       WALLAROO_SDK_CREDENTIALS
  --ca-cert FILE            PEM of the CA that signed the server's certificate.

  The password is read only from WALLAROO_PASSWORD or the credentials file, never
  from a flag. A token (flag or WALLAROO_TOKEN) takes precedence over a password,
  except that --username ignores WALLAROO_TOKEN.

Other options:
  -q, --quiet               No progress messages on standard error.
  -h, --help                Show this help.
  --version                 Print the version.

Output goes to standard output; progress and errors go to standard error.

Exit status:
  0  success
  1  the command failed: configuration, authentication, network or server error
  2  bad usage: unknown command or option, missing or invalid value
  3  seats --roster: the roster does not fit the licence

Examples:
  export WALLAROO_URL=https://wallaroo.example.com WALLAROO_USER=admin
  read -rs WALLAROO_PASSWORD && export WALLAROO_PASSWORD
  ${PROGRAM} list
  ${PROGRAM} generate --format ts --out index.ts
  ${PROGRAM} generate --format roster > team.yaml
`;
