/**
 * One zod schema per wire shape of Keycloak's admin API, the user part
 * (`{authUrl}/auth/admin/realms/master/users…`). Parsed at the boundary only (keycloakAdmin.ts).
 * A user is the same UserRepresentation the MLOps API's `/users/query` answers (schemas.ts).
 */
import * as z from "zod";
import { KeycloakUserSchema } from "./schemas";

/** `GET /users/{id}`: one UserRepresentation. */
export const KeycloakUserResponseSchema = KeycloakUserSchema;

/** `GET /users?…`: a JSON array of UserRepresentations (at most `max`, 100 by default). */
export const KeycloakUserListSchema = z.array(KeycloakUserSchema);

/**
 * The one answer of `GET /users/{id}` that means "no such user": 404 with exactly this body (newer
 * Keycloaks add `error_description`). Strict: a proxy's or another server's 404 JSON is not it.
 */
export const KeycloakUserNotFoundSchema = z.strictObject({
  error: z.literal("User not found"),
  error_description: z.string().optional(),
});
