import { Fragment, type ReactNode } from "react";

/** A text with `{name}` placeholders filled with elements (a name in bold, a server's words marked lang="en"). */
export function withNodes(text: string, nodes: Readonly<Record<string, ReactNode>>): ReactNode[] {
  return text.split(/\{(\w+)\}/).map((part, i) => (i % 2 === 1 && part in nodes ? <Fragment key={i}>{nodes[part]}</Fragment> : part));
}
