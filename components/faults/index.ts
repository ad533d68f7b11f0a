/**
 * Break it on purpose: the fault, defence and outcome panels of a session.
 *
 *   const lab = useFaultLab({ enabled: !!session });
 *   <FaultPanel rules={lab.rules} onRulesChange={lab.setRules} onClear={lab.clearRules} error={lab.rulesError} />
 *   <DefencePanel defences={lab.defences} onChange={lab.setDefences} />
 *   <OutcomeCountersPanel counters={lab.counters} onVisibleChange={lab.setCountersVisible} />
 *   <FaultChips rules={lab.rules} />
 *
 * Pure logic (rule drafts, chip texts, the counters' verdict) lives in lib/faults.
 */
export { FaultPanel } from "./FaultPanel";
export type { FaultPanelProps } from "./FaultPanel";
export { DefencePanel } from "./DefencePanel";
export type { DefencePanelProps } from "./DefencePanel";
export { OutcomeCountersPanel } from "./OutcomeCounters";
export type { OutcomeCountersPanelProps } from "./OutcomeCounters";
export { FaultChips } from "./FaultChips";
export type { FaultChipsProps } from "./FaultChips";
export { ResetSandboxButton } from "./ResetSandboxButton";
export { NumberField } from "./NumberField";
export { useFaultLab, POLL_MS } from "./use-fault-lab";
export type { FaultLab } from "./use-fault-lab";
export { labRpc } from "./lab-rpc";
