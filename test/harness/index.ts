/**
 * A mini Pulumi engine for tests, demos and benchmarks: consumer projects built
 * from packed tarballs, programs run under the consumer copy's mocks, and the
 * real `@pulumi/pulumi` dynamic-provider host driven over gRPC; types of a
 * resource plugin (`wallaroo:index:User`) go to that plugin, one process per
 * provider resource, started as the Node.js language host starts it.
 *
 * ```ts
 * const tgz = await packPackage(findRepoRoot());                 // npm pack, once per process
 * const dir = await createConsumerProject({ tarballs: [tgz], files: { "index.ts": program } });
 * const engine = new Engine({ projectDir: dir, config: { "wallaroo:url": url }, secretConfigKeys: [] });
 * assertOk(await engine.up("index.ts"));                         // Check/Create over gRPC
 * await writeFiles(dir, { "index.ts": edited });
 * const s = await engine.up("index.ts");                         // Diff/Update or replace
 * await engine.refresh();                                       // Read
 * await engine.destroy();                                       // Delete
 * engine.isSecretInState("admin", "outputs", "initialPassword");
 * engine.findInArtifacts([password]);                           // secret scanning
 * ```
 */
export * from "./wire";
export * from "./consumer";
export * from "./providerHost";
export * from "./checkpoint";
export * from "./engine";
export type { AliasSpec, ErrorHookRef, RegisterOptions } from "./protocol";
export {
  DEFAULT_PROVIDER_NAME,
  DEFAULT_PROVIDER_TYPE,
  defaultProviderName,
  packageConfig,
  providerInputs,
  type StackConfig,
} from "./providerResource";
export { MAX_ERROR_HOOK_RETRIES } from "./hooks";
export { isDefaultProviderUrn, locateRunPlugin, pluginCommand, projectPluginFolders } from "./providerPlugins";
export { defaultParallel } from "./operation";
