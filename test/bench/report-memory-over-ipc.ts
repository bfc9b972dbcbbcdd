// Preloaded into astromeshd by the soak bench (`node --import`): it answers messages on the IPC
// channel the bench opened, so the bench reads the runtime's heap without the product growing
// an endpoint for it.
//   'memory'                 → { memory: process.memoryUsage() }
//   { snapshot: '<path>' }   → a heap snapshot written there, then { snapshot: '<path>' }
import { writeHeapSnapshot } from 'node:v8';

process.channel?.unref();
process.on('message', (message: unknown) => {
  if (message === 'memory') {
    process.send?.({ memory: process.memoryUsage() });
  } else if (typeof message === 'object' && message !== null && 'snapshot' in message) {
    const path = writeHeapSnapshot(String(message.snapshot));
    process.send?.({ snapshot: path });
  }
});
