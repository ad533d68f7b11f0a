/**
 * A child process for the store's crash test: opens the store in argv[2]
 * and writes records as fast as it can, in bursts of concurrent puts,
 * printing "ack <key>" for each one once put() resolved. The test kills it
 * with SIGKILL at some point and checks every acknowledged key survived.
 */
import { DurableStore } from "../../server/classroom/store";

const store = await DurableStore.open(process.argv[2]);
process.stdout.write("open\n");
for (let burst = 0; ; burst++) {
  const keys = Array.from({ length: 1 + (burst % 7) }, (_, i) => `k/${burst}/${i}`);
  await Promise.all(
    keys.map((k) =>
      store.put([[k, { burst, pad: "x".repeat(200 + (burst % 50)) }]]).then(() => {
        process.stdout.write(`ack ${k}\n`);
      }),
    ),
  );
}
