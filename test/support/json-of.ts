/**
 * A response body for assertions. Tests inspect payloads loosely and let `expect` check shapes,
 * so the body is typed as any here, once, instead of casting in every test.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above
export async function jsonOf(response: Response): Promise<any> {
  return response.json();
}
