"use client";

import { useId, type ReactNode } from "react";
import { citation, isSpecId } from "@/lib/lessons/specs";
import { GLOSSARY } from "@/lessons/glossary";
import { useLesson } from "../lesson-context";
import css from "../lessons.module.css";

/**
 * `<Term id="idempotent" />`: a glossary term in the lesson's language,
 * its definition on hover and focus (lessons/glossary.ts). Children, when
 * given, replace the term's text (an inflected form).
 */
export function Term({ id, children }: { id: string; children?: ReactNode }) {
  const { locale } = useLesson();
  const descId = useId();
  const term = GLOSSARY[id];
  if (!term) return <span className="error">[unknown term {id}]</span>;
  return (
    <span className={css.term}>
      <dfn tabIndex={0} aria-describedby={descId}>
        {children ?? term[locale].term}
      </dfn>
      <span role="tooltip" id={descId} className={css.termTip}>
        {term[locale].definition}
      </span>
    </span>
  );
}

/** `<Cite spec="rfc9110" section="15.4.5" />`: "RFC 9110 §15.4.5", linked. */
export function Cite({ spec, section }: { spec: string; section?: string }) {
  if (!isSpecId(spec)) return <span className="error">[unknown spec {spec}]</span>;
  const c = citation(spec, section);
  return (
    <a className={css.cite} href={c.href} target="_blank" rel="noreferrer">
      {c.text}
    </a>
  );
}

/** `<Note>…</Note>`: an aside ("from a terminal", "why this matters"). */
export function Note({ children }: { children?: ReactNode }) {
  return <aside className={css.note}>{children}</aside>;
}
