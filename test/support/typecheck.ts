/** Type-checking Pulumi programs the way a user's `tsc --strict` would, with the TypeScript compiler API. */
import { join, resolve } from "node:path";
import ts from "typescript";

const REPO = join(__dirname, "..", "..", "..");

/**
 * Diagnostics of `file` (and global ones). `pulumi-wallaroo` resolves from the
 * file's project (an installed package), or to `paths` when given (e.g. the
 * repository's index.ts). The library's own files are checked by the build.
 */
export function typeErrors(file: string, paths?: Record<string, string[]>): string[] {
  const dir = resolve(file, "..");
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    ...(paths ? { baseUrl: dir, paths } : {}),
    typeRoots: [join(REPO, "node_modules", "@types")],
    types: ["node"],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file === undefined || resolve(d.file.fileName).startsWith(dir))
    .map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (!d.file || d.start === undefined) return text;
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${d.file.fileName}:${line + 1}: ${text}`;
    });
}

/** The repository's index.ts, for `paths` when a program should compile against the checkout. */
export const REPO_INDEX = join(REPO, "index.ts");
