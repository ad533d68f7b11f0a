"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { clone } from "@bufbuild/protobuf";
import { DefencesSchema, type Defences, type FaultRule, type OutcomeCounters } from "@/lib/gen/lab/v1/fault_pb";
import { isUnimplemented, labRpc, rpcErrorText } from "./lab-rpc";

/** How often the counters (and the rules' hit counts) are fetched while shown. */
export const POLL_MS = 1000;
/** Quiet time before a slider's or a field's change is sent. */
export const SAVE_DEBOUNCE_MS = 300;

export interface FaultLab {
  /** False when the server has no fault RPCs (yet); undefined until known. */
  available: boolean | undefined;
  rules: FaultRule[];
  rulesError?: string;
  savingRules: boolean;
  /** Replaces the session's rules (shown at once, sent after SAVE_DEBOUNCE_MS when `debounce`). */
  setRules(rules: FaultRule[], opts?: { debounce?: boolean }): void;
  clearRules(): void;
  defences?: Defences;
  defencesError?: string;
  savingDefences: boolean;
  /**
   * Replaces the session's defences (shown at once, sent after
   * SAVE_DEBOUNCE_MS; at once with `debounce: false`, for a change made in
   * one go such as a preset).
   */
  setDefences(defences: Defences, opts?: { debounce?: boolean }): void;
  counters?: OutcomeCounters;
  countersError?: string;
  /**
   * Fetch the counters now (coalesced: at most one call in flight and one
   * queued). Resolves with counters fetched after the call (undefined when
   * that fetch failed), so a caller knows they are not older than its call.
   */
  refreshCounters(): Promise<OutcomeCounters | undefined>;
  /** The counters panel tells whether it is on screen; polling runs only then. */
  setCountersVisible(visible: boolean): void;
  resetting: boolean;
  resetError?: string;
  /** LabService.ResetSandbox: data, counters, faults, defences and the trace. */
  resetSandbox(): Promise<boolean>;
}

/**
 * The session's fault rules, defences and outcome counters, kept in step
 * with LabService. Changes show at once and are sent debounced; a refusal
 * puts back what the server last confirmed and says why.
 */
export function useFaultLab({ enabled }: { enabled: boolean }): FaultLab {
  const [available, setAvailable] = useState<boolean>();
  const [rules, setRulesState] = useState<FaultRule[]>([]);
  const [rulesError, setRulesError] = useState<string>();
  const [savingRules, setSavingRules] = useState(false);
  const [defences, setDefencesState] = useState<Defences>();
  const [defencesError, setDefencesError] = useState<string>();
  const [savingDefences, setSavingDefences] = useState(false);
  const [counters, setCounters] = useState<OutcomeCounters>();
  const [countersError, setCountersError] = useState<string>();
  const [countersVisible, setCountersVisible] = useState(false);
  const [resetting, setResetting] = useState(false);
  const [resetError, setResetError] = useState<string>();

  // Rules: the last list the server confirmed, and a generation so a slow
  // ListFaults never overwrites a newer change.
  const confirmedRules = useRef<FaultRule[]>([]);
  const rulesGen = useRef(0);
  const rulesTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  /** A change shown but not yet confirmed (debounced or in flight). */
  const rulesPending = useRef(false);
  const defencesGen = useRef(0);
  const defencesTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  /** The counters fetch in flight, and the callers waiting for the next one. */
  const counterCall = useRef<{ running: boolean; waiting: Array<(c: OutcomeCounters | undefined) => void> }>({ running: false, waiting: [] });
  const hasRules = rules.length > 0;

  const loadRules = useCallback(async () => {
    const gen = rulesGen.current;
    const res = await labRpc.listFaults({});
    if (gen !== rulesGen.current || rulesPending.current) return;
    confirmedRules.current = res.rules;
    setRulesState(res.rules);
  }, []);

  const loadDefences = useCallback(async () => {
    const gen = defencesGen.current;
    try {
      const res = await labRpc.getDefences({});
      if (gen !== defencesGen.current) return;
      setDefencesState(res.defences);
    } catch (err) {
      setDefencesError(rpcErrorText(err, "GetDefences"));
    }
  }, []);

  const refreshCounters = useCallback(() => {
    const c = counterCall.current;
    const fetched = new Promise<OutcomeCounters | undefined>((resolve) => c.waiting.push(resolve));
    if (c.running) return fetched;
    c.running = true;
    void (async () => {
      while (c.waiting.length > 0) {
        const served = c.waiting.splice(0);
        let counters: OutcomeCounters | undefined;
        try {
          counters = (await labRpc.getCounters({})).counters;
          setCounters(counters);
          setCountersError(undefined);
        } catch (err) {
          setCountersError(rpcErrorText(err, "GetCounters"));
        }
        served.forEach((resolve) => resolve(counters));
      }
      c.running = false;
    })();
    return fetched;
  }, []);

  // First load, once the page has its session (the cookie names it).
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    (async () => {
      try {
        await loadRules();
        if (live) setAvailable(true);
      } catch (err) {
        if (!live) return;
        setAvailable(!isUnimplemented(err));
        setRulesError(rpcErrorText(err, "ListFaults"));
      }
    })();
    void Promise.resolve().then(loadDefences);
    refreshCounters();
    return () => {
      live = false;
    };
  }, [enabled, loadRules, loadDefences, refreshCounters]);

  // Poll the counters while they are on screen and the tab is visible; the
  // rules too while there are any (their hit counts and expiry move).
  useEffect(() => {
    if (!enabled || !countersVisible) return;
    const tick = () => {
      if (typeof document !== "undefined" && document.visibilityState !== "visible") return;
      refreshCounters();
      if (hasRules) loadRules().catch(() => undefined);
    };
    const t = setInterval(tick, POLL_MS);
    return () => clearInterval(t);
  }, [enabled, countersVisible, hasRules, refreshCounters, loadRules]);

  useEffect(
    () => () => {
      clearTimeout(rulesTimer.current);
      clearTimeout(defencesTimer.current);
    },
    [],
  );

  const sendRules = useCallback(async (next: FaultRule[]) => {
    const gen = ++rulesGen.current;
    setSavingRules(true);
    try {
      const res = next.length === 0 ? (await labRpc.clearFaults({}), { rules: [] as FaultRule[] }) : await labRpc.setFaults({ rules: next });
      confirmedRules.current = res.rules;
      if (gen === rulesGen.current) setRulesState(res.rules);
      setRulesError(undefined);
      setAvailable(true);
    } catch (err) {
      if (gen === rulesGen.current) setRulesState(confirmedRules.current);
      setRulesError(rpcErrorText(err, next.length === 0 ? "ClearFaults" : "SetFaults"));
    } finally {
      if (gen === rulesGen.current) {
        rulesPending.current = false;
        setSavingRules(false);
      }
    }
  }, []);

  const setRules = useCallback(
    (next: FaultRule[], opts: { debounce?: boolean } = {}) => {
      rulesGen.current++;
      rulesPending.current = true;
      setRulesState(next);
      clearTimeout(rulesTimer.current);
      if (opts.debounce) rulesTimer.current = setTimeout(() => void sendRules(next), SAVE_DEBOUNCE_MS);
      else void sendRules(next);
    },
    [sendRules],
  );

  const clearRules = useCallback(() => setRules([]), [setRules]);

  const setDefences = useCallback((next: Defences, opts: { debounce?: boolean } = {}) => {
    const gen = ++defencesGen.current;
    setDefencesState(next);
    clearTimeout(defencesTimer.current);
    const send = async () => {
      setSavingDefences(true);
      try {
        const res = await labRpc.setDefences({ defences: clone(DefencesSchema, next) });
        if (gen === defencesGen.current && res.defences) setDefencesState(res.defences);
        setDefencesError(undefined);
      } catch (err) {
        setDefencesError(rpcErrorText(err, "SetDefences"));
        if (gen === defencesGen.current) void loadDefences();
      } finally {
        if (gen === defencesGen.current) setSavingDefences(false);
      }
    };
    if (opts.debounce ?? true) defencesTimer.current = setTimeout(send, SAVE_DEBOUNCE_MS);
    else void send();
  }, [loadDefences]);

  const resetSandbox = useCallback(async () => {
    setResetting(true);
    clearTimeout(rulesTimer.current);
    clearTimeout(defencesTimer.current);
    rulesGen.current++;
    defencesGen.current++;
    rulesPending.current = false;
    try {
      await labRpc.resetSandbox({});
      setResetError(undefined);
      setRulesError(undefined);
      setDefencesError(undefined);
      await Promise.all([loadRules().catch(() => undefined), loadDefences()]);
      refreshCounters();
      return true;
    } catch (err) {
      setResetError(rpcErrorText(err, "ResetSandbox"));
      return false;
    } finally {
      setResetting(false);
    }
  }, [loadRules, loadDefences, refreshCounters]);

  // One object per change of what it holds, not per render: the lesson page
  // hands it down through a context, and a new object would re-render every
  // fault, defence and counter widget on every trace batch.
  return useMemo(
    () => ({
      available,
      rules,
      rulesError,
      savingRules,
      setRules,
      clearRules,
      defences,
      defencesError,
      savingDefences,
      setDefences,
      counters,
      countersError,
      refreshCounters,
      setCountersVisible,
      resetting,
      resetError,
      resetSandbox,
    }),
    [available, rules, rulesError, savingRules, setRules, clearRules, defences, defencesError, savingDefences, setDefences, counters, countersError, refreshCounters, resetting, resetError, resetSandbox],
  );
}
