import type { MDXComponents } from "mdx/types";
import { LESSON_MDX_COMPONENTS } from "@/components/lessons/mdx";

/**
 * The components lesson prose may use without importing them (@next/mdx
 * requires this file for the App Router). The list and what each does:
 * components/lessons/mdx/index.ts and lessons/README.md.
 */
export function useMDXComponents(components: MDXComponents): MDXComponents {
  return { ...components, ...LESSON_MDX_COMPONENTS };
}
