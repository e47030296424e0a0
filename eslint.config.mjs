// One lint configuration for the library, the tests, the benchmarks and the demo.
// Type-aware rules only where they catch real bugs: promises left floating or passed where a
// callback's result is ignored, and conditions that can never change (dead or wrong checks).
import js from "@eslint/js";
import mocha from "eslint-plugin-mocha";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "examples/**/node_modules/**", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type information as each part is compiled: the library with noUncheckedIndexedAccess
    // (tsconfig.build.json), the rest with tsconfig.json, the examples with their own tsconfig.
    languageOptions: {
      parserOptions: {
        project: ["./tsconfig.json", "./examples/*/tsconfig.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/no-unnecessary-condition": ["error", { allowConstantLoopConditions: true }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      eqeqeq: ["error", "always"],
    },
  },
  {
    files: [
      "index.ts",
      "sdk/**/*.ts",
      "provider/**/*.ts",
      "policy/**/*.ts",
      "emulator/**/*.ts",
      "roster/**/*.ts",
      "cli/**/*.ts",
      "plugin/**/*.ts",
    ],
    languageOptions: { parserOptions: { project: ["./tsconfig.build.json"], tsconfigRootDir: import.meta.dirname } },
  },
  {
    files: ["test/**/*.ts"],
    plugins: { mocha },
    rules: {
      // Tests declare `let world: World;` assigned in a before hook, and their after hooks guard with
      // `world?.close()` for when that hook failed: the type says "always set", mocha says otherwise.
      "@typescript-eslint/no-unnecessary-condition": "off",
      // Tests index into the JSON bodies servers answer; a schema per assertion would hide what they check.
      "@typescript-eslint/no-explicit-any": "off",
      "mocha/no-exclusive-tests": "error",
      "mocha/no-identical-title": "error",
      "mocha/no-sibling-hooks": "error",
    },
  },
);
