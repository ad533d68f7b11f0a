import { WIDGETS, type WidgetName } from "./types";

/**
 * What a lesson's MDX is made of, read from its source: the `<Step id>`
 * sections in order, the widgets each embeds, the glossary terms, quizzes
 * and citations it names. The schema test holds both languages to the
 * lesson's definition with it. (A light reading of JSX tags, not an MDX
 * compiler: lessons use the lab's components in the plain way the guide
 * shows.)
 */

export interface MdxSection {
  /** The step id, or "" for prose before the first step. */
  id: string;
  widgets: WidgetName[];
  terms: string[];
  quizzes: string[];
  citations: Array<{ spec: string; section?: string }>;
}

const WIDGET_BY_TAG = new Map(Object.entries(WIDGETS).map(([w, tag]) => [tag, w as WidgetName]));

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}=(?:"([^"]*)"|'([^']*)'|\\{\\s*"([^"]*)"\\s*\\})`).exec(tag);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

/** Removes fenced code blocks and inline code, where tags are text, not components. */
function withoutCode(source: string): string {
  return source.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

export function mdxSections(source: string): MdxSection[] {
  const text = withoutCode(source);
  const sections: MdxSection[] = [{ id: "", widgets: [], terms: [], quizzes: [], citations: [] }];
  const tags = /<([A-Z][A-Za-z]*)\b((?:[^>"'{}]|"[^"]*"|'[^']*'|\{(?:[^{}]|\{[^{}]*\})*\})*)\/?>/g;
  for (const m of text.matchAll(tags)) {
    const [whole, name] = m;
    const current = sections[sections.length - 1];
    if (name === "Step") {
      sections.push({ id: attr(whole, "id") ?? "?", widgets: [], terms: [], quizzes: [], citations: [] });
      continue;
    }
    const widget = WIDGET_BY_TAG.get(name);
    if (widget && !current.widgets.includes(widget)) current.widgets.push(widget);
    if (name === "Term") current.terms.push(attr(whole, "id") ?? "?");
    if (name === "Quiz") current.quizzes.push(attr(whole, "id") ?? "?");
    if (name === "Cite") current.citations.push({ spec: attr(whole, "spec") ?? "?", section: attr(whole, "section") });
  }
  return sections;
}

/** Components the lab offers to MDX; any other capitalised tag is a mistake. */
export const MDX_COMPONENTS: readonly string[] = ["Step", ...Object.values(WIDGETS), "Term", "Cite", "Note"];

/** Capitalised tags in the source that are not lab components. */
export function unknownComponents(source: string): string[] {
  const text = withoutCode(source);
  const seen = new Set<string>();
  for (const m of text.matchAll(/<([A-Z][A-Za-z]*)\b/g)) if (!MDX_COMPONENTS.includes(m[1])) seen.add(m[1]);
  return [...seen];
}
