"use client";

import { useId, useState } from "react";
import { ui } from "@/lib/lessons/ui-text";
import { useLesson, useRuntimeVersion } from "../lesson-context";
import css from "../lessons.module.css";

/**
 * `<Quiz id="bidi" />`: the lesson's multiple-choice question `quizzes.bidi`
 * (lesson.ts). The chosen option goes to the checks as `ctx.answers.bidi`.
 * A choice shows what is right or wrong about it (the option's `why`, when
 * the lesson gives one); the right one also shows the explanation.
 *
 * `<Quiz id="public-api" graded />`: one answer counts. Once checked, the
 * choice is fixed and the page shows whether it was right, the right
 * answer and why (its `why` and the explanation); a step's check can then grade the score (lesson 12).
 * "Start this lesson over" clears the answers for a retake.
 */
export function Quiz({ id, graded = false }: { id: string; graded?: boolean }) {
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
  const locked = graded && answered !== undefined;
  const rightOption = quiz.options.find((o) => o.id === quiz.answer);
  const rightText = rightOption?.text[locale] ?? quiz.answer;
  const rightWhy = rightOption?.why;
  return (
    <form
      className={`${css.widget} ${css.quiz}`}
      data-widget="quiz"
      data-quiz={id}
      onSubmit={(e) => {
        e.preventDefault();
        if (choice && !locked) void runtime.runOne({ answer: id, choice });
      }}
    >
      <fieldset disabled={locked}>
        <legend>{quiz.question[locale]}</legend>
        {quiz.options.map((o) => (
          <label key={o.id} className={css.quizOption} data-option={o.id}>
            <input type="radio" name={name} value={o.id} checked={(locked ? answered : (choice ?? answered)) === o.id} onChange={() => setChoice(o.id)} />
            <span>{o.text[locale]}</span>
          </label>
        ))}
      </fieldset>
      {!locked && (
        <button type="submit" disabled={!choice}>
          {ui("quizCheck", locale)}
        </button>
      )}
      {graded && !locked && <span className={css.quizOnce}>{ui("quizOnce", locale)}</span>}
      {answered && (
        <div role="status" className={right ? css.noteOk : css.noteBad}>
          <strong>{right ? ui("quizRight", locale) : ui(graded ? "quizWrongGraded" : "quizWrong", locale)}</strong>
          {why && <p className={css.quizWhy}>{why[locale]}</p>}
          {graded && !right && <p className={css.quizWhy}>{ui("quizAnswerIs", locale, { answer: rightText })}</p>}
          {graded && !right && rightWhy && <p className={css.quizWhy}>{rightWhy[locale]}</p>}
          {(right || graded) && <p className={css.quizWhy}>{quiz.explanation[locale]}</p>}
        </div>
      )}
    </form>
  );
}
