// ESLint for the SPA: JavaScript's and typescript-eslint's recommended rules and the rules of
// hooks. Formatting is prettier's (npm run format), so no stylistic rules here.
//
// react-hooks: the two classic rules. Its `recommended` preset also carries the React Compiler's
// rules (refs, set-state-in-effect), which App and FileList break today; turn them on when those
// components are split into hooks.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";
import { defineConfig } from "eslint/config";

export default defineConfig(
  { ignores: ["dist", "node_modules", "src/api/schema.d.ts"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.browser },
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
      // An argument a callback must accept but does not use is named `_...`.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    files: ["*.config.{js,ts}"],
    languageOptions: { globals: globals.node },
  },
);
