/** A POST with an optional JSON body, as the Cloud API's execution and lifecycle routes take it. */
export const post = (body?: unknown): RequestInit => ({
  method: 'POST',
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});
