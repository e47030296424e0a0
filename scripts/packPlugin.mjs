// Builds pulumi-resource-wallaroo-v<version>.tgz: the wallaroo resource plugin as a file for
// `pulumi plugin install resource wallaroo <version> --file <tgz>`.
//
// Why a file of its own: the CLI unpacks such a tarball into ~/.pulumi/plugins/resource-wallaroo-v<version>/
// and runs `npm install --loglevel=error` there for the dependencies of its package.json
// (pkg/workspace/plugin.go InstallPluginContent, the Node.js language host's InstallDependencies).
// The npm tarball cannot serve: its files sit under package/, and its plugin/ folder alone holds no
// server. So this one holds every file the npm package ships (the same list `npm pack` makes), with
// PulumiPlugin.yaml at its root and a package.json whose main is the plugin's entry and whose
// dependencies are the package's, which that `npm install` takes from the registry.
//
// Usage: node scripts/packPlugin.mjs [--out <dir>]   (after `npm run build`; prints the tarball's path)
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outFlag = process.argv.indexOf("--out");
const outDir = path.resolve(outFlag >= 0 ? process.argv[outFlag + 1] : root);

if (!fs.existsSync(path.join(root, "dist", "plugin", "main.js"))) {
  console.error("packPlugin: dist/plugin/main.js is missing; run `npm run build` first.");
  process.exit(1);
}

const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
// The files npm would pack, from package.json "files" and npm's own rules; scripts are not run.
const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ["npm", []];
const listing = execFileSync(npm[0], [...npm[1], "pack", "--dry-run", "--json", "--ignore-scripts"], {
  cwd: root,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
});
const files = JSON.parse(listing)[0].files.map((f) => f.path);

const stage = fs.mkdtempSync(path.join(os.tmpdir(), "wallaroo-plugin-"));
try {
  for (const f of files) {
    if (f === "package.json") continue; // written below
    fs.mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(stage, f));
  }
  fs.copyFileSync(path.join(root, "plugin", "PulumiPlugin.yaml"), path.join(stage, "PulumiPlugin.yaml"));
  // The package's own name and version (the server reads its version from here), without what
  // only a checkout or an npm install of the library needs: no scripts run in the plugin directory.
  const plugin = {
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    license: manifest.license,
    main: "plugin/index.js",
    engines: manifest.engines,
    dependencies: manifest.dependencies,
  };
  fs.writeFileSync(path.join(stage, "package.json"), JSON.stringify(plugin, null, 2) + "\n");

  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, `pulumi-resource-wallaroo-v${manifest.version}.tgz`);
  const entries = fs.readdirSync(stage).sort();
  execFileSync("tar", ["-czf", out, "-C", stage, ...entries], { stdio: "inherit" });
  console.log(out);
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
