import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { compile } from "@mdx-js/mdx";
import { describe, expect, it } from "vitest";
import { FAULT_PRESETS } from "@/lib/faults/catalog";
import { actionProblems } from "@/lib/lessons/actions";
import { LOCALES } from "@/lib/lessons/locale";
import { mdxSections, unknownComponents } from "@/lib/lessons/mdx-structure";
import { isSpecId } from "@/lib/lessons/specs";
import { passed } from "@/lib/lessons/trace-query";
import { WIDGETS, type L10n, type LessonDefinition, type WidgetName } from "@/lib/lessons/types";
// @ts-expect-error -- a plain .mjs script, no types
import { generatedFiles, lessonFolders } from "../scripts/gen-lessons.mjs";
import { GLOSSARY } from "./glossary";

/**
 * Every lesson folder against the schema (lessons/README.md): both
 * languages present and in step with lesson.ts, every step with a check,
 * hints, a solution and a near miss that only name things that exist, the
 * MDX compiling and using only the lab's components. Lessons are found by
 * their folders, so a new lesson is tested the moment it exists.
 */

type Folder = { folder: string; slug: string; number: number };
const folders: Folder[] = lessonFolders();
const dir = (f: Folder) => path.join("lessons", f.folder);
const load = async (f: Folder): Promise<LessonDefinition> => (await import(`./${f.folder}/lesson.ts`)).default as LessonDefinition;

function l10nProblems(l: L10n | undefined, where: string): string[] {
  if (!l) return [`${where}: missing`];
  return LOCALES.filter((loc) => typeof l[loc] !== "string" || l[loc].trim() === "").map((loc) => `${where}: no ${loc} text`);
}

it("finds the lesson folders, in order, each complete", () => {
  expect(folders.length).toBeGreaterThan(0);
  const numbers = folders.map((f) => f.number);
  expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
});

it("the generated registry is up to date with the folders (run `npm run lessons`)", () => {
  for (const { file, source } of generatedFiles() as Array<{ file: string; source: string }>) {
    expect(existsSync(file), `${file} is missing: run \`npm run lessons\``).toBe(true);
    expect(readFileSync(file, "utf8"), `${file} is stale: run \`npm run lessons\``).toBe(source);
  }
});

it("every glossary term has a name and a definition in both languages", () => {
  const problems = Object.entries(GLOSSARY).flatMap(([id, e]) =>
    LOCALES.flatMap((loc) => (e[loc]?.term?.trim() && e[loc]?.definition?.trim() ? [] : [`${id}: incomplete ${loc} entry`])),
  );
  expect(problems).toEqual([]);
});

describe.each(folders)("lesson $folder", (f) => {
  it("lesson.ts follows the schema", async () => {
    const lesson = await load(f);
    const problems: string[] = [];
    problems.push(...l10nProblems(lesson.title, "title"), ...l10nProblems(lesson.summary, "summary"));
    if (!(lesson.minutes > 0)) problems.push("minutes must be positive");
    if (lesson.steps.length === 0) problems.push("a lesson has at least one step");

    const catalogIds = new Set(FAULT_PRESETS.map((p) => p.id));
    const faultIds = new Set<string>();
    for (const p of lesson.faults ?? []) {
      if (catalogIds.has(p.id) || faultIds.has(p.id)) problems.push(`fault preset id ${p.id} is taken`);
      faultIds.add(p.id);
      problems.push(...l10nProblems(p.title, `fault preset ${p.id} title`));
      if (p.rules.length === 0) problems.push(`fault preset ${p.id} has no rules`);
    }
    const defenceIds = new Set((lesson.defences ?? []).map((d) => d.id));
    for (const d of lesson.defences ?? []) problems.push(...l10nProblems(d.title, `defence preset ${d.id} title`));
    for (const [id, q] of Object.entries(lesson.quizzes ?? {})) {
      problems.push(...l10nProblems(q.question, `quiz ${id} question`), ...l10nProblems(q.explanation, `quiz ${id} explanation`));
      if (q.options.length < 2) problems.push(`quiz ${id} needs at least two options`);
      if (!q.options.some((o) => o.id === q.answer)) problems.push(`quiz ${id}: the answer ${q.answer} is not an option`);
      q.options.forEach((o) => problems.push(...l10nProblems(o.text, `quiz ${id} option ${o.id}`)));
    }

    const ids = new Set<string>();
    for (const s of lesson.steps) {
      const at = `step ${s.id}`;
      if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(s.id)) problems.push(`${at}: ids are kebab-case`);
      if (ids.has(s.id)) problems.push(`${at}: duplicate id`);
      ids.add(s.id);
      problems.push(...l10nProblems(s.title, `${at} title`));
      if (typeof s.check !== "function") problems.push(`${at}: no check`);
      if (s.hints.length === 0) problems.push(`${at}: at least one hint`);
      s.hints.forEach((h, i) => problems.push(...l10nProblems(h, `${at} hint ${i + 1}`)));
      if (s.solution.length === 0) problems.push(`${at}: the solution is empty`);
      if (!Array.isArray(s.wrong)) problems.push(`${at}: no near miss (use [] for "doing nothing")`);
      for (const w of s.widgets) if (!(w in WIDGETS)) problems.push(`${at}: unknown widget ${w}`);
      if (new Set(s.widgets).size !== s.widgets.length) problems.push(`${at}: a widget is listed twice`);
      for (const id of s.faults ?? []) if (!faultIds.has(id) && !catalogIds.has(id)) problems.push(`${at}: no fault preset ${id}`);
      for (const id of s.defences ?? []) if (!defenceIds.has(id)) problems.push(`${at}: no defence preset ${id}`);
      if ((s.faults?.length ?? 0) > 0 && !s.widgets.includes("faults")) problems.push(`${at}: offers fault presets but has no faults widget`);
      if ((s.defences?.length ?? 0) > 0 && !s.widgets.includes("defences")) problems.push(`${at}: offers defence presets but has no defences widget`);
      for (const a of [...s.solution, ...s.wrong]) problems.push(...actionProblems(a, lesson).map((p) => `${at}: ${p}`));
    }
    expect(problems).toEqual([]);
  });

  it("no step passes on an empty trace", async () => {
    const lesson = await load(f);
    for (const s of lesson.steps) {
      expect(passed(s.check({ events: [], answers: {} })), `step ${s.id} passes with nothing done`).toBe(false);
    }
  });

  it.each(LOCALES)("%s.mdx has every step, in order, with the widgets lesson.ts lists", async (locale) => {
    const lesson = await load(f);
    const source = readFileSync(path.join(dir(f), `${locale}.mdx`), "utf8");
    expect(unknownComponents(source), "components the lab does not offer").toEqual([]);
    const sections = mdxSections(source);
    expect(sections.slice(1).map((s) => s.id)).toEqual(lesson.steps.map((s) => s.id));
    expect(sections[0].widgets, "widgets outside any <Step>").toEqual([]);
    for (const [i, step] of lesson.steps.entries()) {
      const used = [...sections[i + 1].widgets].sort();
      expect(used, `step ${step.id}: widgets in ${locale}.mdx vs lesson.ts`).toEqual([...step.widgets].sort() as WidgetName[]);
    }
    const all = sections.flatMap((s) => [...s.terms.map((t) => `term ${t}`), ...s.quizzes.map((q) => `quiz ${q}`), ...s.citations.map((c) => `spec ${c.spec}`)]);
    const missing = all.filter((x) => {
      const [kind, id] = x.split(" ");
      return kind === "term" ? !(id in GLOSSARY) : kind === "quiz" ? !lesson.quizzes?.[id] : !isSpecId(id);
    });
    expect(missing, "unknown glossary terms, quizzes or specs").toEqual([]);
  });

  it("both languages embed the same quizzes and cite the same clauses", () => {
    const read = (locale: string) => mdxSections(readFileSync(path.join(dir(f), `${locale}.mdx`), "utf8"));
    const [en, zh] = [read("en"), read("zh-CN")];
    const cites = (s: ReturnType<typeof read>) => s.map((x) => x.citations.map((c) => `${c.spec}§${c.section ?? ""}`).sort());
    expect(cites(zh)).toEqual(cites(en));
    expect(zh.map((x) => x.quizzes)).toEqual(en.map((x) => x.quizzes));
  });

  it.each(LOCALES)("%s.mdx compiles", async (locale) => {
    const source = readFileSync(path.join(dir(f), `${locale}.mdx`), "utf8");
    await expect(compile(source)).resolves.toBeDefined();
  });
});
