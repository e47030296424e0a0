import * as pulumi from "@pulumi/pulumi";
import * as wallaroo from "pulumi-wallaroo";

const config = new pulumi.Config();
const emails = config.requireObject<string[]>("emails");

// Pulumi's `import` cannot adopt a dynamic resource (the engine's import read carries no
// provider code), so existing users are adopted by email with `adoptExisting: true`.
export = async () => {
  // Look first: what does the instance hold for these emails?
  const existing = await Promise.all(emails.map((email) => wallaroo.lookupUser({ email })));
  const users = emails.map((email, i) => {
    const found = existing[i];
    pulumi.log.info(found ? `${email}: exists (id ${found.id}, ${found.enabled ? "active" : "inactive"}); adopting` : `${email}: not found; it will be invited`);
    // Keeping the current `active` makes adoption change nothing on the server.
    return new wallaroo.User(email.replace(/[^a-z0-9]+/gi, "-").toLowerCase(), { email, active: found?.enabled ?? true, adoptExisting: true });
  });
  const everyone = await wallaroo.listUsers();
  return {
    adopted: Object.fromEntries(users.map((u, i) => [emails[i], u.adopted])),
    unmanaged: everyone.filter((u) => !u.email || !emails.some((e) => e.toLowerCase() === u.email)).map((u) => u.email ?? `${u.username} (no email)`),
  };
};
