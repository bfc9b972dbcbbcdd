import { Liquid, type Template } from 'liquidjs';

// Prompts and json_transform templates come from agent files and, through the Cloud API, from
// users; rendering must not reach the filesystem, object prototypes, or run for ever. Liquid's
// `{{ var }}` syntax is what upstream's Jinja prompts use for the common cases.
const noFilesystem = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file: string) => {
    throw new Error(`templates cannot include files (${file})`);
  },
  readFileSync: (file: string) => {
    throw new Error(`templates cannot include files (${file})`);
  },
  resolve: (_dir: string, file: string) => file,
};

export function createSafeTemplateEngine(): Liquid {
  return new Liquid({
    fs: noFilesystem,
    relativeReference: false,
    ownPropertyOnly: true,
    strictFilters: true,
    parseLimit: 1_000_000,
    renderLimit: 1_000,
    memoryLimit: 10_000_000,
  });
}

export type { Template };
