/** A POST with an optional JSON body, as the Cloud API's execution and lifecycle routes take it. */
export const post = (body?: unknown): RequestInit => ({
  method: 'POST',
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

/** A PUT with a JSON body, as the Cloud API's replace routes take it. */
export const put = (body: unknown): RequestInit => ({ method: 'PUT', body: JSON.stringify(body) });
