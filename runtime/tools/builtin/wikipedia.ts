import { z } from 'zod';
import { guardedFetch } from '../guarded-fetch.ts';
import { NetworkConfig, networkLimitsOf } from '../network-config.ts';
import { parseToolConfig } from '../parse-tool-config.ts';
import { type Tool, ToolError } from '../tool-types.ts';

const WikipediaInput = z.object({
  topic: z.string().min(1).max(256).describe('Article title or topic, e.g. "Alan Turing".'),
  language: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,19}$/, 'must be a Wikipedia language code such as en, fr or zh-yue')
    .default('en')
    .describe('Wikipedia language code (en, de, fr, es, ja…). Defaults to en.'),
});
type WikipediaInput = z.infer<typeof WikipediaInput>;

export const WikipediaConfig = NetworkConfig.extend({
  base_url: z
    .string()
    .max(2048)
    .default('https://{language}.wikipedia.org')
    .describe('Wikipedia (or a mirror) to ask; {language} is replaced with the language code.'),
});

export const wikipedia: Tool<WikipediaInput> = {
  name: 'wikipedia',
  description:
    'Get the summary of a Wikipedia article: its title, a one-line description, the lead section and the ' +
    'article URL. Use it for encyclopaedic background on people, places, concepts and events.',
  inputSchema: WikipediaInput,
  configSchema: WikipediaConfig,
  async run(input, context) {
    const config = parseToolConfig(WikipediaConfig, context.config, 'wikipedia');
    const baseUrl = config.base_url.replaceAll('{language}', input.language).replace(/\/+$/, '');
    const title = encodeURIComponent(input.topic.trim().replaceAll(' ', '_'));
    const response = await guardedFetch({
      url: `${baseUrl}/api/rest_v1/page/summary/${title}`,
      headers: { accept: 'application/json' },
      signal: context.signal,
      ...networkLimitsOf(config),
    });
    if (response.status === 404) {
      throw new ToolError('failed', `no '${input.language}' Wikipedia article named '${input.topic}'`);
    }
    const summary = response.json() as Summary | undefined;
    if (response.status >= 400 || typeof summary !== 'object' || summary === null) {
      throw new ToolError('failed', `Wikipedia answered HTTP ${response.status}`);
    }
    return {
      title: summary.title,
      description: summary.description,
      extract: summary.extract,
      url: summary.content_urls?.desktop?.page,
      is_disambiguation: summary.type === 'disambiguation',
    };
  },
};

/** The fields we read from the REST API's page summary. */
interface Summary {
  title?: string;
  description?: string;
  extract?: string;
  type?: string;
  content_urls?: { desktop?: { page?: string } };
}
