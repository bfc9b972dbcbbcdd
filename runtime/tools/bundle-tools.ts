import { kbFind } from './builtin/kb-find.ts';
import { kbIndex } from './builtin/kb-index.ts';
import { kbRead } from './builtin/kb-read.ts';
import type { Tool } from './tool-types.ts';

/**
 * The tools an agent with `knowledge.bundle` gets without listing them in `tools[]`, as upstream
 * registers them; an agent that names one of them itself is refused at load.
 */
export const bundleTools: readonly Tool[] = [kbIndex, kbRead, kbFind];
