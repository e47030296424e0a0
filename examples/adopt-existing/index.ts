import * as pulumi from "@pulumi/pulumi";
import * as wallaroo from "pulumi-wallaroo";

const config = new pulumi.Config();
// `pulumi config set --path 'emails[0]' alice@example.com` (see README.md).
const emails = config.requireObject<unknown>("emails");
if (!Array.isArray(emails) || emails.length === 0 || !emails.every((e): e is string => typeof e === "string")) {
  throw new pulumi.RunError(
    `config 'emails' must be a non-empty list of emails, e.g. pulumi config set --path 'emails[0]' alice@example.com`,
  );
}
const seen = new Map<string, string>();
for (const email of emails) {
  const key = email.trim().toLowerCase();
  if (seen.has(key))
    throw new pulumi.RunError(
      `config 'emails' lists ${email} twice (as ${seen.get(key)} too); emails are compared case-insensitively`,
    );
  seen.set(key, email);
}

// Pulumi's `import` cannot adopt a dynamic resource (the engine's import read carries no
// provider code, see README.md), so existing users are adopted by email with `adoptExisting: true`.
export = async () => {
  // Look first: what does the instance hold?
  const everyone = await wallaroo.listUsers();
  await pulumi.log.info(
    `The instance has ${everyone.length} users, ${everyone.filter((u) => u.enabled).length} of them active.`,
  );

  const names = wallaroo.resourceNames(emails);
  const adopted: Record<string, pulumi.Output<boolean>> = {};
  for (const email of emails) {
    const found = await wallaroo.lookupUser({ email });
    await pulumi.log.info(
      found
        ? `${email}: exists (id ${found.id}, ${found.enabled ? "active" : "inactive"}); adopting it as it is`
        : `${email}: not on the instance; it will be invited (active)`,
    );
    // Declaring the user with its current `active` makes adoption change nothing on the server.
    const user = new wallaroo.User(names.get(email.trim().toLowerCase())!, {
      email,
      active: found?.enabled ?? true,
      adoptExisting: true,
    });
    adopted[email] = user.adopted;
  }

  const managed = new Set(emails.map((e) => e.trim().toLowerCase()));
  return {
    /** email → true when the user already existed and was taken over. */
    adopted,
    /** Users of the instance this stack does not manage (the built-in admin has no email). */
    unmanaged: everyone
      .filter((u) => !u.email || !managed.has(u.email.toLowerCase()))
      .map((u) => u.email ?? `${u.username} (no email)`),
  };
};
