"use client";

import { useId, useState } from "react";
import { ui } from "@/lib/lessons/ui-text";
import { useLesson, useRuntimeVersion } from "../lesson-context";
import css from "../lessons.module.css";

/**
 * `<Quiz id="bidi" />`: the lesson's multiple-choice question `quizzes.bidi`
 * (lesson.ts). The chosen option goes to the checks as `ctx.answers.bidi`.
 * A wrong choice shows what is wrong with it (the option's `why`, when the
 * lesson gives one); the right one shows the explanation.
 */
export function Quiz({ id }: { id: string }) {
  const { locale, runtime, entry } = useLesson();
  useRuntimeVersion(runtime);
  const quiz = entry.lesson.quizzes?.[id];
  const name = useId();
  const [choice, setChoice] = useState<string>();
  if (!quiz) {
    return (
      <p role="alert" className="error">
        Unknown quiz “{id}”: lesson.ts has no quizzes.{id}.
      </p>
    );
  }
  const answered = runtime.answers[id];
  const right = answered === quiz.answer;
  const why = quiz.options.find((o) => o.id === answered)?.why;
  return (
    <form
      className={`${css.widget} ${css.quiz}`}
      data-widget="quiz"
      data-quiz={id}
      onSubmit={(e) => {
        e.preventDefault();
        if (choice) void runtime.runOne({ answer: id, choice });
      }}
    >
      <fieldset>
        <legend>{quiz.question[locale]}</legend>
        {quiz.options.map((o) => (
          <label key={o.id} className={css.quizOption} data-option={o.id}>
            <input type="radio" name={name} value={o.id} checked={(choice ?? answered) === o.id} onChange={() => setChoice(o.id)} />
            <span>{o.text[locale]}</span>
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={!choice}>
        {ui("quizCheck", locale)}
      </button>
      {answered && (
        <div role="status" className={right ? css.noteOk : css.noteBad}>
          <strong>{right ? ui("quizRight", locale) : ui("quizWrong", locale)}</strong>
          {why && !right && <p className={css.quizWhy}>{why[locale]}</p>}
          {right && <p>{quiz.explanation[locale]}</p>}
        </div>
      )}
    </form>
  );
}
