/**
 * One zod schema per wire shape of the Wallaroo user API and its Keycloak
 * token endpoint. Responses are parsed here, at the boundary, and nowhere else.
 * Objects are "loose": Keycloak returns many fields we do not use, and a new
 * one must not break us.
 */
import * as z from "zod";
import type { WallarooUser } from "./types";

export type { WallarooUser };

/** A Keycloak UserRepresentation as `/v1/api/users/query` returns it, reduced to what we use. */
export const KeycloakUserSchema = z
  .looseObject({
    id: z.string().min(1),
    username: z.string(),
    // The built-in `admin` user has no email.
    email: z.string().nullish(),
    enabled: z.boolean(),
    firstName: z.string().nullish(),
    lastName: z.string().nullish(),
    emailVerified: z.boolean().nullish(),
    createdTimestamp: z.number(),
    requiredActions: z.array(z.string()).nullish(),
    // Set for a user that comes from Keycloak's User Federation (LDAP and the like).
    federationLink: z.string().nullish(),
  })
  .transform((u): WallarooUser => ({
    id: u.id,
    username: u.username,
    email: u.email ?? undefined,
    enabled: u.enabled,
    firstName: u.firstName ?? undefined,
    lastName: u.lastName ?? undefined,
    emailVerified: u.emailVerified ?? undefined,
    createdTimestamp: u.createdTimestamp,
    requiredActions: u.requiredActions ?? undefined,
    federationLink: u.federationLink ?? undefined,
  }));

/**
 * `POST /v1/api/users/query` response: users keyed by Keycloak id. An id that names no user is
 * absent or maps to null; that, in a 200 answer of this shape, is the only "no such user" there is.
 */
export const QueryUsersResponseSchema = z.looseObject({ users: z.record(z.string(), KeycloakUserSchema.nullable()) });

/** `POST /v1/api/users/invite` response. */
export const InviteResponseSchema = z.looseObject({ id: z.string().min(1), password: z.string() });

/** `POST /v1/api/users/activate` and `/deactivate` answer `{}`. */
export const EmptyResponseSchema = z.looseObject({});

/** Keycloak's token endpoint response (password and refresh_token grants). */
export const TokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  refresh_token: z.string().min(1).optional(),
  refresh_expires_in: z.number().nonnegative().optional(),
  token_type: z.string().optional(),
});
export type TokenResponse = z.output<typeof TokenResponseSchema>;

/** The JSON file named by `WALLAROO_SDK_CREDENTIALS`, as the Wallaroo SDK reads it. */
export const CredentialsFileSchema = z.looseObject({ username: z.string().min(1), password: z.string().min(1) });

/** Error bodies are undocumented; these are the message fields seen from Wallaroo, Keycloak and proxies. */
export const ErrorBodySchema = z.looseObject({
  msg: z.unknown().optional(),
  message: z.unknown().optional(),
  // Keycloak's admin API: refused input and conflicts (409 "User exists with same username").
  errorMessage: z.unknown().optional(),
  error: z.unknown().optional(),
  error_description: z.unknown().optional(),
  detail: z.unknown().optional(),
});
