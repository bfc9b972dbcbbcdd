/** One event of a text/event-stream as a client reads it: its id and its data parsed as JSON. */
export interface ReadEvent {
  id: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect payloads loosely, as jsonOf does
  data: any;
}

/**
 * The events of a text/event-stream response, read by hand from its body (comment lines skipped),
 * so a test can stop after any event and drop the connection, as a client that loses it does.
 */
export async function* readServerSentEvents(response: Response): AsyncGenerator<ReadEvent> {
  if (!response.body) throw new Error(`no body (status ${response.status})`);
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk, { stream: true });
    for (let end = buffered.indexOf('\n\n'); end >= 0; end = buffered.indexOf('\n\n')) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
      }
      const data = fields.get('data');
      if (data !== undefined) yield { id: fields.get('id') ?? '', data: JSON.parse(data) };
    }
  }
}
