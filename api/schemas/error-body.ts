// Kept free of imports so Studio (studio/src/api) can use the envelope's type in the browser.

/** The body of every non-2xx answer of the API: `{ error, message, status }` (DESIGN.md decision 7). */
export interface ErrorBody {
  error: string;
  message: string;
  status: number;
  request_id?: string;
}
