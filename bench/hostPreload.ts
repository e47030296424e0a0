/**
 * Preloaded into the provider host (`node --cpu-prof --require <this>`) when the bench profiles it: the
 * harness stops the host with SIGTERM, which would end node before `--cpu-prof` writes its profile; an
 * orderly exit writes it. Nothing else changes in the host.
 */
process.on("SIGTERM", () => process.exit(0));
