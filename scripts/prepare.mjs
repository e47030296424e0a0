// The `prepare` script: builds the library (dist/) where npm packs this directory, and nowhere else.
//
// npm runs `prepare` in three places:
// - `npm pack` and `npm publish` of a checkout: pacote's directory packer runs it, with
//   npm_package_resolved set, just before it lists the files.
// - An install from a Git URL. npm 7+ runs only `prepare` for a Git dependency, never `prepack`
//   (npm/cli#4391): pacote clones the repository, runs `npm install --force` in the clone for the
//   devDependencies (which runs `prepare` as the clone's own root script, npm_package_resolved
//   unset), then packs the clone with the directory packer (`prepare` again, npm_package_resolved set).
// - `npm install` and `npm ci` in a checkout (npm_package_resolved unset).
// Building only when npm_package_resolved is set builds once per pack and once per Git install, and
// leaves a developer's `npm ci` alone (a build there would empty dist/, compiled tests included).
import { spawnSync } from "node:child_process";

if (process.env.npm_package_resolved) {
  // npm_execpath is the npm that runs this script; "npm" on PATH otherwise.
  const npm = process.env.npm_execpath;
  const [cmd, args] = npm ? [process.execPath, [npm]] : ["npm", []];
  for (const script of ["clean", "build:lib"]) {
    const r = spawnSync(cmd, [...args, "run", "--silent", script], { stdio: "inherit" });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
