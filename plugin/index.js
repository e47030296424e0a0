// The plugin folder's entry ("main"): the server, from the package that holds this folder. By a
// relative path, so the folder needs no dependencies of its own: `pulumi package add <this folder>`
// runs `npm install` here, which must not ask the registry for anything. The same path holds in the
// plugin tarball (`npm run pack:plugin`), whose root holds dist/ and plugin/ as the package does.
const fs = require("node:fs");
const path = require("node:path");

const server = path.join(__dirname, "..", "dist", "plugin", "main.js");
if (!fs.existsSync(server)) {
  // A checkout not built yet, or a copy of this folder alone: say what to do, not a stack trace.
  process.stderr.write(
    `pulumi-resource-wallaroo: ${server} is missing. This folder runs inside a built pulumi-wallaroo ` +
      "package (in a checkout: npm run build). For `pulumi plugin install resource wallaroo <version> --file`, " +
      "use the plugin tarball pulumi-resource-wallaroo-v<version>.tgz that `npm run pack:plugin` makes.\n",
  );
  process.exit(1);
}
require(server);
