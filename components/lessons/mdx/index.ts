import { Call } from "./Call";
import { Command } from "./Command";
import { Compare } from "./Compare";
import { Diagram } from "./Diagram";
import { Counters, Defences, Faults } from "./Faults";
import { Measure } from "./Measure";
import { MqttClient } from "./MqttClient";
import { Cite, Note, Term } from "./Prose";
import { Quiz } from "./Quiz";
import { Rest } from "./Rest";
import { Step } from "./Step";

/**
 * Every component lesson prose may use, by the name the MDX writes
 * (wired in by mdx-components.tsx). lib/lessons/types.ts WIDGETS maps the
 * widget names of lesson.ts to these; lib/lessons/mdx-structure.ts knows
 * the same list for the schema test.
 */
export const LESSON_MDX_COMPONENTS = {
  Step,
  Call,
  Rest,
  MqttClient,
  Diagram,
  Compare,
  Faults,
  Defences,
  Counters,
  Measure,
  Quiz,
  Command,
  Term,
  Cite,
  Note,
};
