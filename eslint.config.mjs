import js from "@eslint/js";
import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  { ignores: ["lib/gen/**", ".next/**", "node_modules/**", "test-results/**", "playwright-report/**", "next-env.d.ts", ".tmp/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // React lives in app/ and components/ only. The hooks rules run the React
    // Compiler over every function they see: over the whole tree they took
    // 12 of eslint's 15 s of rule time, four fifths of it on server, lib and
    // test files that have no components.
    files: ["app/**/*.{ts,tsx}", "components/**/*.{ts,tsx}", "mdx-components.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ["**/*.mjs", "scripts/**", ".ci/**"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);
