/**
 * OpenAI's reasoning models, by @ai-sdk/openai's rule (getOpenAILanguageModelEntry): the o-series
 * (o1, o3-mini, o4-mini…) and GPT-5 and later, except the `gpt-5-chat` models. On Chat Completions
 * they take `max_completion_tokens` and a `developer` message, and refuse temperature and top_p.
 */
export function isOpenAiReasoningModel(model: string): boolean {
  if (/^o\d/.test(model)) return true;
  const gpt = /^gpt-(\d+)(?:\.(\d+))?(?:-(.+))?$/.exec(model);
  if (gpt === null || Number(gpt[1]) < 5) return false;
  const isChatModel = gpt[2] === undefined && (gpt[3]?.startsWith('chat') ?? false);
  return !isChatModel;
}
