/**
 * A browser without a window, for sign-in flows: fetch with redirects followed by hand, one
 * cookie jar (cookies are kept per host, not per port, as browsers do), and the forms of
 * oidc-provider's development interactions filled in as a person would.
 */
export interface BrowserlessBrowser {
  cookies: Map<string, string>;
  /** GET `url` and follow redirects until one points at a URL `stopAt` accepts; returns that URL unvisited. */
  navigateUntil(url: string, stopAt: (next: URL) => boolean, options?: { login?: string }): Promise<URL>;
  /** One request with the jar's cookies; the answer's cookies go into the jar. */
  fetch(url: string | URL, init?: RequestInit): Promise<Response>;
}

export function browserlessBrowser(): BrowserlessBrowser {
  const cookies = new Map<string, string>();

  async function request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) {
      headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute)) || value === '';
      if (expired) cookies.delete(name);
      else cookies.set(name, value);
    }
    return response;
  }

  return {
    cookies,
    fetch: request,
    async navigateUntil(start, stopAt, options = {}) {
      let next = new URL(start);
      for (let hop = 0; hop < 20; hop++) {
        const response = await request(next);
        const location = response.headers.get('location');
        if (location) {
          await response.body?.cancel();
          next = new URL(location, next);
          if (stopAt(next)) return next;
          continue;
        }
        const html = await response.text();
        if (response.status !== 200) throw new Error(`${next.href} answered ${response.status}: ${html.slice(0, 300)}`);
        // oidc-provider's dev interactions: a login form, then a consent form, each with a hidden prompt.
        const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
        const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1];
        if (!action || !prompt) throw new Error(`${next.href} is no form to fill in: ${html.slice(0, 300)}`);
        const form = new URLSearchParams({ prompt });
        if (prompt === 'login') {
          form.set('login', options.login ?? 'user');
          form.set('password', 'any password');
        }
        const submitted = await request(new URL(action.replaceAll('&amp;', '&'), next), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form,
        });
        await submitted.body?.cancel();
        const after = submitted.headers.get('location');
        if (!after)
          throw new Error(`the ${prompt} form of ${next.href} answered ${submitted.status} without a redirect`);
        next = new URL(after, next);
        if (stopAt(next)) return next;
      }
      throw new Error(`more than 20 redirects from ${start}`);
    },
  };
}
