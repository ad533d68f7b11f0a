// The run worker's entry: worker threads do not inherit the parent's tsx
// loader, so the TypeScript body (run-worker.ts) is loaded through tsx's
// API. Plain JavaScript on purpose — nothing can load TypeScript yet here.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
